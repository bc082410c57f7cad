package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.LedgerVerification.Broken;
import dev.planeguard.LedgerVerification.Intact;
import dev.planeguard.LedgerVerification.Kind;
import dev.planeguard.internal.LedgerStore;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.Await;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit ledger: entries, the chain and what breaks it, continuation, rotation, faults. */
class AuditLedgerTest {

  @TempDir Path dir;

  private static final ApiKey KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
  private static final ApiKey LOCAL_KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);

  private static Enforcer enforcer(Mode mode, @Nullable AuditLedger ledger) {
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(KEY, "acme", Set.of(), null));
    keys.add(KeyRecord.of(LOCAL_KEY, "acme", Set.of(), null));
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", mode.id(), "DB_AUTHORITY", dbAuthority(mode))))
        .policy(EnforcerTest.POLICY)
        .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
        .machineKeyVerifier(KeyVerifier.of(keys))
        .auditSink(AuditSink.none())
        .auditLedger(ledger)
        .build();
  }

  private static String dbAuthority(Mode mode) {
    return mode.isProductionLike() ? "neon" : "local";
  }

  private static InboundRequest keyed(String key) {
    return InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key)));
  }

  private Path writeDecisions(int n) throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).flushInterval(Duration.ofMillis(10)).open()) {
      Enforcer enforcer = enforcer(Mode.PROD, ledger);
      for (int i = 0; i < n; i++) {
        enforcer.decide(
            i % 3 == 0
                ? keyed(KEY.value())
                : InboundRequest.of("GET", "/nope/" + i, Map.of("X-Request-Id", List.of("r" + i))));
      }
    }
    return file;
  }

  @Test
  void everyDecisionIsAnEntryAndTheChainVerifies() throws IOException {
    Path file = writeDecisions(30);

    LedgerVerification v = AuditLedger.verify(file);
    assertThat(v).isInstanceOf(Intact.class);
    Intact intact = (Intact) v;
    assertThat(intact.entries()).isEqualTo(30);
    assertThat(intact.lastSeq()).isEqualTo(29);
    List<String> lines = Files.readAllLines(file);
    assertThat(intact.headHash()).isEqualTo(sha256(lines.get(29)));

    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    assertThat(entries).hasSize(30);
    LedgerEntry allow = entries.get(0);
    assertThat(allow.seq()).isZero();
    assertThat(allow.type()).isEqualTo("decision");
    assertThat(allow.allowed()).isTrue();
    assertThat(allow.text("reason")).isEqualTo("AUTHENTICATED");
    assertThat(allow.text("key_id")).isEqualTo(KEY.id());
    assertThat(allow.text("principal")).isEqualTo(KEY.id());
    assertThat(allow.text("tenant")).isEqualTo("acme");
    assertThat(allow.texts("carriers")).containsExactly("X-AOS-Key");
    assertThat(allow.text("mode")).isEqualTo("prod");
    assertThat(allow.time()).isNotNull();
    assertThat(lines.get(0)).startsWith("{\"seq\":0,\"prev\":\"" + "0".repeat(64) + "\"");
    LedgerEntry deny = entries.get(1);
    assertThat(deny.allowed()).isFalse();
    assertThat(deny.text("reason")).isEqualTo("UNMAPPED_ROUTE");
    assertThat(deny.text("path")).isEqualTo("/nope/1");
    assertThat(lines.get(1)).contains("\"prev\":\"" + sha256(lines.get(0)) + "\"");

    LeakCheck.create()
        .apiKey("machine key", KEY.value())
        .text("ledger", Files.readString(file))
        .assertClean();
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aRefusedKeyStillNamesItsIdSoABreachSweepFindsIt() throws IOException {
    ApiKey unknown = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).open()) {
      enforcer(Mode.PROD, ledger).decide(keyed(unknown.value()));
      enforcer(Mode.PROD, ledger).decide(keyed("not-a-key"));
    }
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    assertThat(entries.get(0).text("reason")).isEqualTo("INVALID_KEY");
    assertThat(entries.get(0).text("key_id")).isEqualTo(unknown.id());
    assertThat(entries.get(0).text("principal")).isNull();
    assertThat(entries.get(1).text("key_id")).isNull();
  }

  @Test
  void anEditedEntryIsNamed() throws IOException {
    Path file = writeDecisions(20);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(5, lines.get(5).replace("UNMAPPED_ROUTE", "AUTHENTICATED"));
    Files.write(file, lines);

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.EDITED);
    assertThat(b.seq()).isEqualTo(5);
    assertThat(b.location()).isEqualTo("ledger.jsonl:6");
    assertThat(b.intactEntries()).isEqualTo(5);
    assertThat(b.explanation()).contains("entry 5 was changed");
  }

  @Test
  void aLineThatIsNoEntryIsNamed() throws IOException {
    Path file = writeDecisions(10);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(3, "{\"seq\":3,");
    Files.write(file, lines);

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.EDITED);
    assertThat(b.location()).isEqualTo("ledger.jsonl:4");
  }

  @Test
  void aRemovedEntryIsNamed() throws IOException {
    Path file = writeDecisions(20);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(7);
    lines.remove(7);
    Files.write(file, lines);

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.REMOVED);
    assertThat(b.seq()).isEqualTo(7);
    assertThat(b.explanation()).contains("entries 7 to 8 are missing");
  }

  @Test
  void reorderedEntriesAreNamed() throws IOException {
    Path file = writeDecisions(20);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    Collections.swap(lines, 10, 11);
    Files.write(file, lines);

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.REORDERED);
    assertThat(b.location()).isEqualTo("ledger.jsonl:11");
    assertThat(b.explanation()).isEqualTo("entry 11 comes before entry 10");
  }

  @Test
  void anInsertedEntryIsNamed() throws IOException {
    Path file = writeDecisions(20);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    // A forged entry that copies the real one's sequence number and predecessor.
    lines.add(13, lines.get(12).replace("UNMAPPED_ROUTE", "PUBLIC"));
    Files.write(file, lines);

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.INSERTED);
    assertThat(b.seq()).isEqualTo(12);
    assertThat(b.location()).isEqualTo("ledger.jsonl:14");
  }

  @Test
  void aTruncatedStartIsNamed() throws IOException {
    Path file = writeDecisions(20);
    List<String> lines = Files.readAllLines(file);
    Files.write(file, lines.subList(4, lines.size()));

    Broken b = (Broken) AuditLedger.verify(file);
    assertThat(b.kind()).isEqualTo(Kind.TRUNCATED_START);
    assertThat(b.seq()).isEqualTo(4);
    assertThat(b.location()).isEqualTo("ledger.jsonl:1");
  }

  @Test
  void aLedgerIsContinuedAcrossRestartsAndAnEntryCutShortIsRemoved() throws IOException {
    Path file = writeDecisions(5);
    // A write cut short by a crash.
    Files.writeString(file, "{\"seq\":5,\"prev\":\"ab", StandardOpenOption.APPEND);
    Intact before = (Intact) AuditLedger.verify(file);
    assertThat(before.entries()).isEqualTo(5);
    assertThat(before.cutShortBytes()).isEqualTo(19);

    try (AuditLedger ledger = AuditLedger.file(file).open()) {
      enforcer(Mode.PROD, ledger).decide(keyed(KEY.value()));
    }
    Intact after = (Intact) AuditLedger.verify(file);
    assertThat(after.entries()).isEqualTo(6);
    assertThat(after.cutShortBytes()).isZero();
  }

  @Test
  void rotationByDayKeepsOneChainAcrossFiles() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    ManualClock clock = new ManualClock(Instant.parse("2026-12-06T23:59:00Z"));
    try (AuditLedger ledger = AuditLedger.file(file).clock(clock).open()) {
      ledger.keyRevoked(record());
    }
    clock.set(Instant.parse("2026-12-07T00:01:00Z"));
    try (AuditLedger ledger = AuditLedger.file(file).clock(clock).open()) {
      ledger.keyRevoked(record());
      ledger.keyRevoked(record());
    }
    // The first write of the new day moved yesterday's file aside.
    assertThat(dir.resolve("ledger.jsonl.000000000000")).exists();
    assertThat(Files.readAllLines(dir.resolve("ledger.jsonl.000000000000"))).hasSize(1);
    assertThat(Files.readAllLines(file)).hasSize(2);
    Intact v = (Intact) AuditLedger.verify(file);
    assertThat(v.entries()).isEqualTo(3);

    Files.delete(dir.resolve("ledger.jsonl.000000000000"));
    assertThat(((Broken) AuditLedger.verify(file)).kind()).isEqualTo(Kind.TRUNCATED_START);
  }

  @Test
  void rotationBySize() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger =
        AuditLedger.file(file).rotateBytes(1024 * 1024).rotateDaily(false).open()) {
      for (int i = 0; i < 20_000; i++) {
        ledger.keyRevoked(record());
      }
    }
    assertThat(LedgerFiles.count(dir)).isGreaterThanOrEqualTo(2);
    assertThat(((Intact) AuditLedger.verify(file)).entries()).isEqualTo(20_000);
  }

  @Test
  void aLedgerOf100000EntriesVerifies() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).queueCapacity(200_000).open()) {
      Enforcer enforcer = enforcer(Mode.PROD, ledger);
      InboundRequest request = keyed(KEY.value());
      for (int i = 0; i < 100_000; i++) {
        enforcer.decide(request);
      }
    }
    Intact v = (Intact) AuditLedger.verify(file);
    assertThat(v.entries()).isEqualTo(100_000);
  }

  @Test
  void whileWritesFailPastTheBoundProdRefusesAllowsAndNothingQueuedIsLost() throws Exception {
    Path file = dir.resolve("ledger.jsonl");
    FailingStore store = new FailingStore(file);
    store.failing.set(true);
    try (AuditLedger ledger =
        AuditLedger.file(file)
            .store(store)
            .flushInterval(Duration.ofMillis(10))
            .failureBound(Duration.ZERO)
            .open()) {
      Enforcer prod = enforcer(Mode.PROD, ledger);
      Enforcer local = enforcer(Mode.LOCAL, ledger);
      assertThat(prod.decide(keyed(KEY.value())).reason()).isEqualTo(Reason.AUTHENTICATED);
      Await.until(() -> !ledger.accepting());

      Decision refused = prod.decide(keyed(KEY.value()));
      assertThat(refused.reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.retryAfterSeconds()).isPositive();
      assertThat(refused.principal()).isNull();
      Refusal answer = Refusal.of(refused, "api", "X-AOS-Key");
      assertThat(answer.retryAfterSeconds()).isPositive();
      // Denials are recorded as before; local and test go on with a warning.
      assertThat(prod.decide(InboundRequest.of("GET", "/nope", Map.of())).reason())
          .isEqualTo(Reason.UNMAPPED_ROUTE);
      assertThat(local.decide(keyed(LOCAL_KEY.value())).reason()).isEqualTo(Reason.AUTHENTICATED);

      store.failing.set(false);
      Await.until(ledger::accepting);
      assertThat(prod.decide(keyed(KEY.value())).reason()).isEqualTo(Reason.AUTHENTICATED);
    }
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    assertThat(entries)
        .extracting(e -> e.text("reason"))
        .containsExactly(
            "AUTHENTICATED",
            "AUDIT_UNAVAILABLE",
            "UNMAPPED_ROUTE",
            "AUTHENTICATED",
            "AUTHENTICATED");
    assertThat(AuditLedger.verify(file).intact()).isTrue();
  }

  @Test
  void aFullQueueRefusesAllowsInProd() throws Exception {
    Path file = dir.resolve("ledger.jsonl");
    FailingStore store = new FailingStore(file);
    store.blocked = new CountDownLatch(1);
    try (AuditLedger ledger =
        AuditLedger.file(file)
            .store(store)
            .queueCapacity(1000)
            .failureBound(Duration.ofMinutes(5))
            .open()) {
      Enforcer prod = enforcer(Mode.PROD, ledger);
      for (int i = 0; i < 1000; i++) {
        assertThat(prod.decide(keyed(KEY.value())).allowed()).isTrue();
      }
      assertThat(ledger.accepting()).isFalse();
      assertThat(prod.decide(keyed(KEY.value())).reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE);
      // The refusal's own entry finds no place either: counted, not queued.
      assertThat(ledger.dropped()).isEqualTo(1);
      store.blocked.countDown();
      Await.until(ledger::accepting);
    }
    assertThat(((Intact) AuditLedger.verify(file)).entries()).isEqualTo(1000);
  }

  @Test
  void theLedgerFileRemovedUnderLoadIsStartedAgainWithoutLosingAQueuedEntry() throws Exception {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).flushInterval(Duration.ofMillis(10)).open()) {
      Enforcer enforcer = enforcer(Mode.PROD, ledger);
      for (int i = 0; i < 50; i++) {
        enforcer.decide(keyed(KEY.value()));
      }
      Await.until(() -> lineCount(file) == 50);
      Files.delete(file);
      for (int i = 0; i < 50; i++) {
        enforcer.decide(keyed(KEY.value()));
      }
    }
    // The batch being written when the file went (the first 50 may have taken several) is written
    // again to the new file, whole: no entry is lost and the new file holds a gapless chain from
    // that batch's first entry up to the last entry.
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    long first = entries.get(0).seq();
    assertThat(first).isBetween(0L, 50L);
    assertThat(entries)
        .extracting(LedgerEntry::seq)
        .isEqualTo(java.util.stream.LongStream.rangeClosed(first, 99).boxed().toList());
    LedgerVerification v = AuditLedger.verify(file);
    if (first > 0) {
      assertThat(((Broken) v).kind()).isEqualTo(Kind.TRUNCATED_START);
    } else {
      assertThat(v.intact()).isTrue();
    }
  }

  @Test
  void aThrowingAuditSinkCostsTheLedgerNothing() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(KEY, "acme", Set.of(), null));
    try (AuditLedger ledger = AuditLedger.file(file).queueCapacity(1000).open()) {
      Enforcer enforcer =
          Enforcer.builder()
              .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
              .policy(EnforcerTest.POLICY)
              .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
              .machineKeyVerifier(KeyVerifier.of(keys))
              .auditSink(
                  event -> {
                    throw new IllegalStateException("sink down");
                  })
              .auditLedger(ledger)
              .build();
      // More allows than the queue holds: each one's reserved place comes back once written.
      for (int i = 0; i < 3000; i++) {
        assertThat(enforcer.decide(keyed(KEY.value())).reason()).isEqualTo(Reason.AUTHENTICATED);
        if (i % 500 == 499) {
          assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
        }
      }
    }
    assertThat(((Intact) AuditLedger.verify(file)).entries()).isEqualTo(3000);
  }

  @Test
  void settingsOutOfRangeAreListedWithTheirFix() {
    assertThatThrownBy(
            () ->
                AuditLedger.file(dir.resolve("l.jsonl"))
                    .flushInterval(Duration.ofMillis(1))
                    .queueCapacity(10)
                    .rotateBytes(5)
                    .node("two words")
                    .open())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(
            e ->
                assertThat(((ConfigurationException) e).problems())
                    .extracting(Problem::subject)
                    .containsExactly("flushInterval", "queueCapacity", "rotateBytes", "node"));
  }

  @Test
  void keyEventsAreEntriesOfTheSameChain() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    ApiKey successor = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord old =
        KeyRecord.of(KEY, "acme", Set.of("runs:write"), Instant.parse("2026-12-08T00:00:00Z"));
    KeyRecord next = KeyRecord.of(successor, "acme", Set.of("runs:write"), null);
    try (AuditLedger ledger = AuditLedger.file(file).node("node-1").open()) {
      ledger.keyCreated(next, KEY.id());
      ledger.keyRotated(old, next);
      ledger.keyRevoked(old);
    }
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    assertThat(entries)
        .extracting(LedgerEntry::type)
        .containsExactly("KEY_CREATED", "KEY_ROTATED", "KEY_REVOKED");
    assertThat(entries.get(0).text("key_id")).isEqualTo(successor.id());
    assertThat(entries.get(0).text("rotated_from")).isEqualTo(KEY.id());
    assertThat(entries.get(0).texts("scopes")).containsExactly("runs:write");
    assertThat(entries.get(1).text("successor_id")).isEqualTo(successor.id());
    assertThat(entries.get(1).text("not_after")).isEqualTo("2026-12-08T00:00:00Z");
    assertThat(entries.get(2).text("node")).isEqualTo("node-1");
    // Members in the documented order, the same in every run.
    assertThat(Files.readAllLines(file).get(0))
        .matches(
            "\\{\"seq\":0,\"prev\":\"0{64}\",\"time\":\"[^\"]+\",\"node\":\"node-1\","
                + "\"type\":\"KEY_CREATED\",\"key_id\":\""
                + successor.id()
                + "\",\"kind\":\"mk\",\"mode\":\"prod\",\"tenant\":\"acme\","
                + "\"scopes\":\\[\"runs:write\"\\],\"legacy\":false,\"rotated_from\":\""
                + KEY.id()
                + "\"\\}");
    assertThat(Files.readAllLines(file).get(1))
        .endsWith(
            "\"type\":\"KEY_ROTATED\",\"key_id\":\""
                + KEY.id()
                + "\",\"successor_id\":\""
                + successor.id()
                + "\",\"not_after\":\"2026-12-08T00:00:00Z\"}");
    String text = Files.readString(file);
    assertThat(text).doesNotContain(KEY.hash().substring(7)).doesNotContain(successor.hash());
    LeakCheck.create()
        .apiKey("old key", KEY.value())
        .apiKey("successor", successor.value())
        .text("ledger", text)
        .assertClean();
    assertThat(AuditLedger.verify(file).intact()).isTrue();
  }

  @Test
  void theFirstRefusalOfAnExpiredKeyIsAKeyEvent() throws IOException {
    ApiKey expired = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(expired, null, Set.of(), Instant.parse("2020-01-01T00:00:00Z")));
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).open()) {
      Enforcer enforcer =
          Enforcer.builder()
              .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
              .policy(EnforcerTest.POLICY)
              .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
              .machineKeyVerifier(KeyVerifier.of(keys))
              .auditSink(AuditSink.none())
              .auditLedger(ledger)
              .build();
      enforcer.decide(keyed(expired.value()));
      enforcer.decide(keyed(expired.value()));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("\"reason\":\"EXPIRED_KEY\"");
    assertThat(lines.get(1))
        .matches(
            "\\{\"seq\":1,\"prev\":\"[0-9a-f]{64}\",\"time\":\"[^\"]+\","
                + "\"type\":\"KEY_EXPIRED\",\"key_id\":\""
                + expired.id()
                + "\"}");
    assertThat(lines.get(2)).contains("\"reason\":\"EXPIRED_KEY\"");
  }

  private static KeyRecord record() {
    return KeyRecord.of(KEY, null, Set.of(), null);
  }

  private static long lineCount(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String sha256(String line) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(line.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Counts the files of a ledger directory. */
  private static final class LedgerFiles {
    static long count(Path dir) throws IOException {
      try (var s = Files.list(dir)) {
        return s.filter(p -> p.getFileName().toString().startsWith("ledger.jsonl")).count();
      }
    }
  }

  /** The real file store, failing or blocking on demand: a disk that fills and empties. */
  private static final class FailingStore implements LedgerStore {
    final AtomicBoolean failing = new AtomicBoolean();
    volatile @Nullable CountDownLatch blocked;
    private final LedgerStore real;

    FailingStore(Path file) {
      this.real = new dev.planeguard.internal.LedgerFileStore(file, 0, false);
    }

    @Override
    public @Nullable Tail tail() throws IOException {
      return real.tail();
    }

    @Override
    public void append(List<String> lines, Instant now) throws IOException {
      CountDownLatch latch = blocked;
      if (latch != null) {
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      if (failing.get()) {
        throw new IOException("No space left on device");
      }
      real.append(lines, now);
    }

    @Override
    public String describe() {
      return real.describe();
    }

    @Override
    public void close() {
      real.close();
    }
  }
}

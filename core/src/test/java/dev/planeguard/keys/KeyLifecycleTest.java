package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.AuditLedger;
import dev.planeguard.AuditLogTest;
import dev.planeguard.LedgerEntry;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import dev.planeguard.testing.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create, rotate, revoke and import, with their audit events, on a real key file. */
class KeyLifecycleTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path dir;

  KeyFile file() {
    return KeyFile.openOrCreate(dir.resolve("keys.jsonl"));
  }

  KeyLifecycle lifecycle(KeyFile file) {
    return KeyLifecycle.of(file, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static List<String> auditLines(String log) {
    return log.lines().filter(l -> l.contains("planeguard.audit")).toList();
  }

  @Test
  void createStoresOnlyTheHashAndAuditsTheId() throws Exception {
    KeyFile file = file();
    KeyLifecycle.Issued[] issued = new KeyLifecycle.Issued[1];
    String log =
        AuditLogTest.captureStderr(
            () ->
                issued[0] =
                    lifecycle(file)
                        .create(
                            ApiKey.Kind.MACHINE,
                            Mode.PROD,
                            "acme",
                            Set.of("runs:write", "telemetry:write"),
                            Instant.parse("2027-01-01T00:00:00Z")));
    ApiKey key = issued[0].key();
    assertThat(ApiKey.defect(key.value())).isNull();
    assertThat(issued[0].record())
        .isEqualTo(
            KeyRecord.of(
                    key,
                    "acme",
                    Set.of("runs:write", "telemetry:write"),
                    Instant.parse("2027-01-01T00:00:00Z"))
                .withCreated(NOW));
    assertThat(file.findById(key.id())).isEqualTo(issued[0].record());
    assertThat(issued[0].predecessor()).isNull();
    assertThat(issued[0].toString()).doesNotContain(key.value());
    String content = Files.readString(file.path());
    assertThat(content)
        .contains(key.hash())
        .doesNotContain(key.value())
        .doesNotContain(key.value().split("_")[4]);
    assertThat(auditLines(log))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .contains(
                        "INFO planeguard.audit - event=KEY_CREATED key_id="
                            + key.id()
                            + " kind=mk mode=prod legacy=false tenant=\"acme\" scopes=\"runs:write,telemetry:write\""
                            + " not_after=2027-01-01T00:00:00Z rotated_from=- time=2026-11-22T10:00:00Z"));
    assertThat(log).doesNotContain(key.value()).doesNotContain(key.hash());
  }

  @Test
  void createRefusesKeysThatCouldNeverWork() {
    KeyLifecycle keys = lifecycle(file());
    assertThatThrownBy(() -> keys.create(ApiKey.Kind.SANDBOX, Mode.PROD, "acme", Set.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sandbox keys never work in prod");
    assertThatThrownBy(() -> keys.create(ApiKey.Kind.SANDBOX, Mode.PREPROD, "acme", Set.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("notAfter must be in the future");
    assertThatThrownBy(() -> keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "a b", Set.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs write"), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(keys.records()).isEmpty();
  }

  @Test
  void rotationKeepsTheOldKeyForTheGracePeriodAtMost() {
    KeyFile file = file();
    KeyLifecycle keys = lifecycle(file);
    KeyRecord open =
        keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null).record();
    KeyRecord soon =
        keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW.plus(Duration.ofHours(1)))
            .record();
    KeyRecord late =
        keys.create(
                ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW.plus(Duration.ofDays(100)))
            .record();

    KeyLifecycle.Issued[] rotated = new KeyLifecycle.Issued[1];
    String log =
        AuditLogTest.captureStderr(
            () -> rotated[0] = keys.rotate(open.id(), KeyLifecycle.DEFAULT_GRACE));
    KeyLifecycle.Issued r = rotated[0];
    assertThat(r.predecessor()).isEqualTo(open.withNotAfter(NOW.plus(Duration.ofHours(48))));
    assertThat(r.record().kind()).isEqualTo(ApiKey.Kind.MACHINE);
    assertThat(r.record().mode()).isEqualTo(Mode.PROD);
    assertThat(r.record().tenant()).isEqualTo("acme");
    assertThat(r.record().scopes()).containsExactly("runs:write");
    assertThat(r.record().notAfter()).isNull();
    assertThat(r.record().hash()).isEqualTo(r.key().hash());
    assertThat(file.findById(open.id())).isEqualTo(r.predecessor());
    assertThat(file.findById(r.key().id())).isEqualTo(r.record());
    assertThat(auditLines(log)).hasSize(2);
    assertThat(auditLines(log).get(0))
        .contains("event=KEY_CREATED key_id=" + r.key().id())
        .contains("rotated_from=" + open.id());
    assertThat(auditLines(log).get(1))
        .contains(
            "event=KEY_ROTATED key_id="
                + open.id()
                + " successor_id="
                + r.key().id()
                + " not_after=2026-11-24T10:00:00Z time=2026-11-22T10:00:00Z");
    assertThat(log).doesNotContain(r.key().value());

    // min(original notAfter, now + grace)
    assertThat(keys.rotate(soon.id(), KeyLifecycle.DEFAULT_GRACE).predecessor().notAfter())
        .isEqualTo(NOW.plus(Duration.ofHours(1)));
    assertThat(keys.rotate(late.id(), KeyLifecycle.DEFAULT_GRACE).predecessor().notAfter())
        .isEqualTo(NOW.plus(Duration.ofHours(48)));
    // Rotating again shortens, never extends.
    assertThat(keys.rotate(open.id(), Duration.ofDays(10)).predecessor().notAfter())
        .isEqualTo(NOW.plus(Duration.ofHours(48)));
    assertThat(keys.rotate(open.id(), Duration.ZERO).predecessor().notAfter()).isEqualTo(NOW);
  }

  @Test
  void rotationRefusals() {
    KeyLifecycle keys = lifecycle(file());
    KeyRecord r = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).record();
    assertThatThrownBy(() -> keys.rotate(r.id(), Duration.ofDays(31)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.rotate(r.id(), Duration.ofHours(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.rotate("k7xq2m4p3ra3w5tz", KeyLifecycle.DEFAULT_GRACE))
        .isInstanceOf(NoSuchElementException.class);
    keys.revoke(r.id());
    assertThatThrownBy(() -> keys.rotate(r.id(), KeyLifecycle.DEFAULT_GRACE))
        .isInstanceOf(IllegalStateException.class);
    assertThat(keys.records()).hasSize(1);
  }

  @Test
  void revocationIsImmediateIdempotentAndAudited() {
    KeyFile file = file();
    KeyLifecycle keys = lifecycle(file);
    ApiKey key = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    KeyVerifier verifier = KeyVerifier.of(file);
    assertThat(verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isInstanceOf(Verification.Verified.class);
    String log =
        AuditLogTest.captureStderr(
            () -> {
              assertThat(keys.revoke(key.id()).status()).isEqualTo(KeyRecord.Status.REVOKED);
              assertThat(keys.revoke(key.id()).status()).isEqualTo(KeyRecord.Status.REVOKED);
            });
    assertThat(verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.rejected(Reason.REVOKED_KEY, null));
    assertThat(auditLines(log))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).contains("event=KEY_REVOKED key_id=" + key.id() + " time="));
    assertThatThrownBy(() -> keys.revoke("k7xq2m4p3ra3w5tz"))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void legacySecretsAreImportedByHashAndRotateToStructuredKeys() throws Exception {
    String secret = "sk-legacy-AOS_API_KEY-value-0123456789abcdef";
    KeyFile file = file();
    KeyLifecycle keys = lifecycle(file);
    KeyRecord[] imported = new KeyRecord[1];
    String log =
        AuditLogTest.captureStderr(
            () ->
                imported[0] =
                    keys.importLegacy(
                        "aos-api-key",
                        secret,
                        ApiKey.Kind.MACHINE,
                        Mode.PROD,
                        "acme",
                        Set.of("runs:write"),
                        null));
    assertThat(imported[0].legacy()).isTrue();
    assertThat(imported[0].hash()).isEqualTo(ApiKey.hash(secret));
    assertThat(Files.readString(file.path())).doesNotContain(secret).contains("\"legacy\":true");
    assertThat(auditLines(log))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .contains("event=KEY_CREATED key_id=aos-api-key")
                    .contains("legacy=true"));
    assertThat(log).doesNotContain(secret);

    KeyLifecycle.Issued successor = keys.rotate("aos-api-key", KeyLifecycle.DEFAULT_GRACE);
    assertThat(successor.record().legacy()).isFalse();
    assertThat(successor.record().scopes()).containsExactly("runs:write");
    assertThat(successor.predecessor().legacy()).isTrue();
    assertThat(successor.predecessor().notAfter()).isEqualTo(NOW.plus(KeyLifecycle.DEFAULT_GRACE));
  }

  @Test
  void unsuitableLegacySecretsAreRefusedWithoutBeingEchoed() {
    KeyLifecycle keys = lifecycle(file());
    String structured = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    for (String secret :
        List.of(
            structured,
            "aos_mk_but-not-really-a-key-0123456789",
            "xy_sk_opaque-but-starts-like-a-key-0123",
            "too-short-19-chars!",
            "has a space in it but is long enough",
            "has,a,comma,and,is,long,enough,for,it",
            "non-ascii-\u00e9-secret-long-enough-for-it",
            "x".repeat(257))) {
      assertThatThrownBy(
              () ->
                  keys.importLegacy(
                      "legacy", secret, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null))
          .as(secret)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    }
    String ok = "long-enough-legacy-secret-0123456789";
    assertThatThrownBy(
            () ->
                keys.importLegacy(
                    "abcdefghijklmnop", ok, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null))
        .as("an id shaped like a key id")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                keys.importLegacy(
                    "legacy", ok, ApiKey.Kind.SANDBOX, Mode.PROD, null, Set.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
    keys.importLegacy("legacy", ok, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null);
    assertThatThrownBy(
            () ->
                keys.importLegacy(
                    "legacy-2", ok, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null))
        .as("the same secret twice")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key legacy-2 has the same hash as key legacy");
    assertThat(keys.records()).hasSize(1);
  }

  @Test
  void theInMemoryStoreBehavesLikeTheFile() {
    KeyStore.Writable store = KeyStore.inMemory();
    KeyLifecycle keys = KeyLifecycle.of(store, Clock.fixed(NOW, ZoneOffset.UTC));
    KeyLifecycle.Issued a = keys.create(ApiKey.Kind.MACHINE, Mode.TEST, null, Set.of(), null);
    KeyLifecycle.Issued b = keys.rotate(a.record().id(), Duration.ofHours(1));
    keys.revoke(b.record().id());
    assertThat(store.records())
        .extracting(KeyRecord::id)
        .containsExactly(a.record().id(), b.record().id());
    assertThat(store.findById(a.record().id()).notAfter()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    assertThat(store.findById(b.record().id()).status()).isEqualTo(KeyRecord.Status.REVOKED);
    assertThatThrownBy(() -> store.add(a.record())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withALedgerEveryEventIsAnEntryOfItsChain() throws Exception {
    Path ledgerFile = dir.resolve("ledger.jsonl");
    String secret = "long-enough-legacy-secret-0123456789";
    KeyFile file = file();
    KeyLifecycle.Issued created;
    KeyLifecycle.Issued rotated;
    KeyRecord imported;
    try (AuditLedger ledger = AuditLedger.file(ledgerFile).open()) {
      KeyLifecycle keys = lifecycle(file).withLedger(ledger);
      created =
          keys.create(
              ApiKey.Kind.MACHINE,
              Mode.PROD,
              "acme",
              Set.of("runs:write"),
              Instant.parse("2027-01-01T00:00:00Z"));
      rotated = keys.rotate(created.record().id(), Duration.ofHours(2));
      keys.revoke(created.record().id());
      imported =
          keys.importLegacy(
              "aos-api-key", secret, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null);
    }
    String oldId = created.record().id();
    String newId = rotated.record().id();
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(ledgerFile, entries::add);
    assertThat(entries)
        .extracting(LedgerEntry::type, e -> e.text("key_id"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("KEY_CREATED", oldId),
            org.assertj.core.groups.Tuple.tuple("KEY_CREATED", newId),
            org.assertj.core.groups.Tuple.tuple("KEY_ROTATED", oldId),
            org.assertj.core.groups.Tuple.tuple("KEY_REVOKED", oldId),
            org.assertj.core.groups.Tuple.tuple("KEY_CREATED", "aos-api-key"));
    assertThat(entries.get(0).text("tenant")).isEqualTo("acme");
    assertThat(entries.get(0).texts("scopes")).containsExactly("runs:write");
    assertThat(entries.get(0).text("not_after")).isEqualTo("2027-01-01T00:00:00Z");
    assertThat(entries.get(0).text("rotated_from")).isNull();
    assertThat(entries.get(1).text("rotated_from")).isEqualTo(oldId);
    assertThat(entries.get(2).text("successor_id")).isEqualTo(newId);
    assertThat(entries.get(2).text("not_after")).isEqualTo("2026-11-22T12:00:00Z");
    assertThat(entries.get(4).line()).contains("\"legacy\":true");
    assertThat(AuditLedger.verify(ledgerFile).intact()).isTrue();
    String text = Files.readString(ledgerFile);
    assertThat(text)
        .doesNotContain(created.record().hash().substring(7))
        .doesNotContain(rotated.record().hash().substring(7))
        .doesNotContain(imported.hash().substring(7));
    LeakCheck.create()
        .apiKey("created", created.key().value())
        .apiKey("successor", rotated.key().value())
        .secret("legacy secret", secret)
        .text("ledger", text)
        .assertClean();
  }

  @Test
  void aLedgerThatTakesNoEntriesRefusesNewKeysButNeverARevocation() throws Exception {
    KeyFile file = file();
    KeyRecord existing =
        lifecycle(file).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).record();
    AuditLedger ledger = AuditLedger.file(dir.resolve("ledger.jsonl")).open();
    ledger.close();
    KeyLifecycle keys = lifecycle(file).withLedger(ledger);
    assertThatThrownBy(() -> keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("takes no entries now")
        .hasMessageContaining("nothing was changed");
    assertThatThrownBy(() -> keys.rotate(existing.id(), KeyLifecycle.DEFAULT_GRACE))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                keys.importLegacy(
                    "legacy",
                    "long-enough-legacy-secret-0123456789",
                    ApiKey.Kind.MACHINE,
                    Mode.PROD,
                    null,
                    Set.of(),
                    null))
        .isInstanceOf(IllegalStateException.class);
    assertThat(file.records()).containsExactly(existing);

    assertThat(keys.revoke(existing.id()).status()).isEqualTo(KeyRecord.Status.REVOKED);
    assertThat(ledger.dropped()).as("the revocation the ledger could not take").isEqualTo(1);
    assertThat(lifecycle(file).withLedger(null).revoke(existing.id()).status())
        .isEqualTo(KeyRecord.Status.REVOKED);
  }
}

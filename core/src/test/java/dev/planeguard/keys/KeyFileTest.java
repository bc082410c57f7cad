package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.planeguard.AuditLogTest;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON Lines key file: strict loading, reload with last-good fallback, atomic writes. */
class KeyFileTest {

  @TempDir Path dir;

  static KeyRecord record(Mode mode) {
    return KeyRecord.of(
        ApiKey.generate(ApiKey.Kind.MACHINE, mode), "acme", Set.of("runs:write"), null);
  }

  Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  @Test
  void readsRecordsSkippingCommentsBlankLinesByteOrderMarkAndCarriageReturns() throws Exception {
    KeyRecord a = record(Mode.PROD);
    KeyRecord b = record(Mode.TEST).revoked();
    Path p =
        write(
            "keys.jsonl",
            "\uFEFF# machine keys\r\n\r\n"
                + a.toJsonLine()
                + "\r\n   \n  # indented comment\n"
                + b.toJsonLine());
    KeyFile file = KeyFile.open(p);
    assertThat(file.records()).containsExactly(a, b);
    assertThat(file.findById(a.id())).isEqualTo(a);
    assertThat(file.findById("k7xq2m4p3ra3w5tz")).isNull();
    assertThat(file.findByHash(a.hash())).as("structured records are never found by hash").isNull();
    assertThat(file.problem()).isNull();
    assertThat(file.toString()).contains("2 keys").doesNotContain(a.hash());
  }

  @Test
  void anInvalidFileStopsStartupListingEveryBadLineByNumber() throws Exception {
    KeyRecord a = record(Mode.PROD);
    KeyRecord b = record(Mode.PROD);
    String secretLookingLine =
        "{\"id\":\""
            + a.id()
            + "\",\"kind\":\"mk\",\"mode\":\"prod\",\"hash\":\"aos_mk_prod_plaintext\",\"status\":\"active\"}";
    Path p =
        write(
            "keys.jsonl",
            String.join(
                "\n",
                "# header",
                a.toJsonLine(),
                "not json at all",
                secretLookingLine,
                a.toJsonLine(),
                b.toJsonLine().replace(b.id(), "k7xq2m4p3ra3w5tz"),
                b.toJsonLine(),
                "{\"id\":\"x\"}"));
    assertThatThrownBy(() -> KeyFile.open(p))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(Problem::subject)
                  .containsExactly(p + ":3", p + ":4", p + ":5", p + ":7", p + ":8");
              assertThat(e.problems().get(0).message()).isEqualTo("not a JSON object");
              assertThat(e.problems().get(1).message()).contains("hash must be sha256:");
              assertThat(e.problems().get(2).message())
                  .isEqualTo("duplicate id " + a.id() + " (also on line 2)");
              assertThat(e.problems().get(3).message())
                  .isEqualTo("the same hash as the key on line 6");
              assertThat(e.getMessage()).doesNotContain(a.hash()).doesNotContain("plaintext");
            });
  }

  @Test
  void aMissingUnreadableOrWorldWritableFileIsRefused() throws Exception {
    assertThatThrownBy(() -> KeyFile.open(dir.resolve("nope.jsonl")))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.problems().get(0).message()).startsWith("does not exist"));
    assumeTrue(posix());
    Path p = write("keys.jsonl", record(Mode.PROD).toJsonLine() + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> KeyFile.open(p))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems().get(0).message()).contains("writable by every user");
              assertThat(e.problems().get(0).fix()).isEqualTo("chmod o-w " + p);
            });
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-r--"));
    assertThat(KeyFile.open(p).records()).hasSize(1);
  }

  @Test
  void reloadSwapsInAValidChangeAndKeepsTheLastGoodSetOtherwise() throws Exception {
    KeyRecord a = record(Mode.PROD);
    KeyRecord b = record(Mode.PROD);
    Path p = write("keys.jsonl", a.toJsonLine() + "\n");
    KeyFile file = KeyFile.open(p);
    assertThat(file.reload()).as("unchanged").isFalse();

    Files.writeString(p, a.toJsonLine() + "\n" + b.toJsonLine() + "\n");
    assertThat(file.reload()).isTrue();
    assertThat(file.findById(b.id())).isEqualTo(b);

    String log =
        AuditLogTest.captureStderr(
            () -> {
              try {
                Files.writeString(
                    p, a.revoked().toJsonLine() + "\n" + b.toJsonLine().substring(0, 30) + "\n");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              assertThat(file.reload()).isFalse();
              assertThat(file.reload()).as("the same bad file again").isFalse();
            });
    assertThat(file.findById(a.id())).as("last good set").isEqualTo(a);
    assertThat(file.findById(b.id())).isEqualTo(b);
    assertThat(file.problem().subject()).isEqualTo(p + ":2");
    assertThat(log.lines().filter(l -> l.contains("ERROR planeguard.keys")).toList())
        .as("logged once, with the line number")
        .singleElement()
        .satisfies(l -> assertThat(l).contains("last good set of 2 keys"));
    assertThat(log).contains(p + ":2: not a JSON object").doesNotContain(a.hash());

    Files.delete(p);
    assertThat(file.reload()).isFalse();
    assertThat(file.problem().message()).startsWith("does not exist");
    assertThat(file.findById(a.id())).isEqualTo(a);

    Files.writeString(p, a.revoked().toJsonLine() + "\n");
    assertThat(file.reload()).isTrue();
    assertThat(file.problem()).isNull();
    assertThat(file.findById(a.id()).status()).isEqualTo(KeyRecord.Status.REVOKED);
    assertThat(file.findById(b.id())).isNull();
  }

  @Test
  void writesChangeOnlyTheirLinesAndKeepCommentsAndPermissions() throws Exception {
    KeyRecord a = record(Mode.PROD);
    KeyRecord b = record(Mode.PROD);
    String original =
        "# keys of billing\n" + a.toJsonLine() + "\n\n# owner: ops\n" + b.toJsonLine() + "\n";
    Path p = write("keys.jsonl", original);
    if (posix()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
    }
    KeyFile file = KeyFile.open(p);
    KeyRecord c = record(Mode.PROD);
    file.add(c);
    assertThat(Files.readString(p)).isEqualTo(original + c.toJsonLine() + "\n");
    KeyRecord revoked = file.revoke(a.id());
    assertThat(revoked).isEqualTo(a.revoked());
    assertThat(Files.readString(p))
        .isEqualTo(
            "# keys of billing\n"
                + a.revoked().toJsonLine()
                + "\n\n# owner: ops\n"
                + b.toJsonLine()
                + "\n"
                + c.toJsonLine()
                + "\n");
    assertThat(file.revoke(a.id())).as("idempotent").isEqualTo(a.revoked());
    Instant retireAt = Instant.parse("2030-01-01T00:00:00Z");
    KeyRecord successor = record(Mode.PROD);
    assertThat(file.rotate(b.id(), retireAt, successor)).isEqualTo(b.withNotAfter(retireAt));
    assertThat(file.records()).containsExactly(a.revoked(), b.withNotAfter(retireAt), c, successor);
    assertThat(KeyFile.open(p).records()).isEqualTo(file.records());
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-r-----");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("no temporary file left behind")
          .containsExactlyInAnyOrder("keys.jsonl", "keys.jsonl.lock");
    }
  }

  @Test
  void writesRefuseConflictsUnknownIdsRevokedRotationsAndInvalidFiles() throws Exception {
    KeyRecord a = record(Mode.PROD);
    Path p = write("keys.jsonl", a.toJsonLine() + "\n");
    KeyFile file = KeyFile.open(p);
    assertThatThrownBy(() -> file.add(a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate id " + a.id());
    assertThatThrownBy(() -> file.revoke("k7xq2m4p3ra3w5tz"))
        .isInstanceOf(NoSuchElementException.class);
    file.revoke(a.id());
    assertThatThrownBy(() -> file.rotate(a.id(), Instant.now(), record(Mode.PROD)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is revoked");

    String broken = a.toJsonLine() + "\n{broken\n";
    Files.writeString(p, broken);
    assertThatThrownBy(() -> file.add(record(Mode.PROD)))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.problems().get(0).subject()).isEqualTo(p + ":2"));
    assertThat(Files.readString(p)).as("an invalid file is never overwritten").isEqualTo(broken);
  }

  @Test
  void newFilesAreOwnerOnlyAndWritesGoThroughSymbolicLinks() throws Exception {
    Path p = dir.resolve("sub-keys.jsonl");
    KeyFile file = KeyFile.openOrCreate(p);
    assertThat(file.records()).isEmpty();
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
    }
    Path link = dir.resolve("link.jsonl");
    try {
      Files.createSymbolicLink(link, p.getFileName());
    } catch (UnsupportedOperationException | java.io.IOException e) {
      return;
    }
    KeyFile viaLink = KeyFile.open(link);
    KeyRecord r = record(Mode.PROD);
    viaLink.add(r);
    assertThat(Files.isSymbolicLink(link)).as("the link stays a link").isTrue();
    assertThat(KeyFile.open(p).records()).containsExactly(r);
    assertThat(Files.exists(dir.resolve("link.jsonl.lock")))
        .as("the lock is beside the real file")
        .isFalse();
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve("sub-keys.jsonl.lock"))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void concurrentWritersTakeTurns() throws Exception {
    Path p = write("keys.jsonl", "");
    int threads = 4;
    int each = 15;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    List<KeyRecord> added = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      for (int t = 0; t < threads; t++) {
        // A separate instance per thread, as separate processes would have.
        KeyFile own = KeyFile.open(p);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    KeyRecord r = record(Mode.PROD);
                    own.add(r);
                    added.add(r);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(KeyFile.open(p).records())
        .hasSize(threads * each)
        .containsExactlyInAnyOrderElementsOf(added);
  }

  @Test
  void watchReloadsInTheBackgroundUntilClosed() throws Exception {
    KeyRecord a = record(Mode.PROD);
    Path p = write("keys.jsonl", "");
    assertThatThrownBy(() -> KeyFile.watch(p, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    try (KeyFile watched = KeyFile.watch(p, Duration.ofMillis(10))) {
      KeyFile.open(p).add(a);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (watched.findById(a.id()) == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(watched.findById(a.id())).as("picked up by the background reload").isEqualTo(a);
    }
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("planeguard-key-file"))
                .filter(Thread::isAlive)
                .count())
        .isLessThanOrEqualTo(1);
  }
}

package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.planeguard.Mode;
import dev.planeguard.Verification;
import dev.planeguard.internal.KeyUsageRecorder;
import dev.planeguard.internal.StoreKeyVerifier;
import dev.planeguard.testing.ManualClock;
import dev.planeguard.testing.OutputCapture;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key usage of a {@link KeyFile}: kept in {@code FILE.usage} beside it, never in the key file
 * itself; created owner-only, replaced atomically, merged; and a directory that cannot take it
 * costs one warning and no decision.
 */
class KeyFileUsageTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path dir;
  Path path;
  Path usagePath;
  KeyFile file;
  ApiKey key;

  @BeforeEach
  void keyFile() {
    path = dir.resolve("keys.jsonl");
    usagePath = dir.resolve("keys.jsonl.usage");
    file = KeyFile.openOrCreate(path);
    key =
        KeyLifecycle.of(file, Clock.fixed(T0, ZoneOffset.UTC))
            .create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null)
            .key();
  }

  @AfterEach
  void writable() throws Exception {
    if (posix()) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  boolean posix() throws Exception {
    return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
  }

  static Map<String, KeyUsage> use(String id, Instant first, Instant last) {
    return Map.of(id, new KeyUsage(null, first, last));
  }

  @Test
  void usesAreKeptBesideTheKeyFileWhichIsNeverWritten() throws Exception {
    byte[] keyFileBefore = Files.readAllBytes(path);
    FileTime modified = Files.getLastModifiedTime(path);
    if (posix()) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--------"));
    }
    assertThat(file.usage()).as("no usage file yet").isEmpty();

    file.recordUsage(use(key.id(), T0, T0.plusSeconds(60)));

    assertThat(Files.readAllBytes(path)).isEqualTo(keyFileBefore);
    assertThat(Files.getLastModifiedTime(path)).isEqualTo(modified);
    assertThat(file.usage())
        .containsExactly(Map.entry(key.id(), new KeyUsage(null, T0, T0.plusSeconds(60))));
    String usage = Files.readString(usagePath);
    assertThat(usage)
        .startsWith("# ")
        .contains(
            "{\"id\":\""
                + key.id()
                + "\",\"firstUsed\":\"2026-11-22T10:00:00Z\",\"lastUsed\":\"2026-11-22T10:01:00Z\"}")
        .doesNotContain(key.hash())
        .doesNotContain("sha256:");
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(usagePath)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void theFirstUseIsKeptAndTheLastOnlyMovesForward() {
    ApiKey other = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    file.recordUsage(use(key.id(), T0.plusSeconds(60), T0.plusSeconds(90)));
    file.recordUsage(
        Map.of(
            key.id(),
            new KeyUsage(null, T0, T0.plusSeconds(30)),
            other.id(),
            new KeyUsage(null, T0, T0)));
    file.recordUsage(use(key.id(), T0.plusSeconds(120), T0.plusSeconds(150)));

    assertThat(file.usage())
        .containsOnly(
            Map.entry(key.id(), new KeyUsage(null, T0.plusSeconds(60), T0.plusSeconds(150))),
            Map.entry(other.id(), new KeyUsage(null, T0, T0)));
    assertThat(KeyFile.open(path).usage()).as("read by another instance").isEqualTo(file.usage());
  }

  @Test
  void theUsageFileIsReplacedWholeNeverWrittenInPlace() throws Exception {
    file.recordUsage(use(key.id(), T0, T0));
    Path earlier = dir.resolve("earlier");
    Files.createLink(earlier, usagePath);
    String before = Files.readString(usagePath);
    if (posix()) {
      Files.setPosixFilePermissions(usagePath, PosixFilePermissions.fromString("rw-r-----"));
    }

    file.recordUsage(use(key.id(), T0, T0.plusSeconds(60)));

    assertThat(Files.readString(earlier))
        .as("the old file, still whole under its other name: the new one was moved over it")
        .isEqualTo(before);
    assertThat(Files.readString(usagePath)).contains("2026-11-22T10:01:00Z");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file left behind")
          .containsExactlyInAnyOrder(
              "keys.jsonl",
              "keys.jsonl.lock",
              "keys.jsonl.usage",
              "keys.jsonl.usage.lock",
              "earlier");
    }
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(usagePath)))
          .as("a rewritten usage file keeps its permissions")
          .isEqualTo("rw-r-----");
    }
  }

  @Test
  void damagedLinesAreSkippedAndRewritten() throws Exception {
    ApiKey other = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    Files.writeString(
        usagePath,
        "not json\n{\"id\":\""
            + other.id()
            + "\",\"firstUsed\":\"2026-11-22T09:00:00Z\",\"lastUsed\":\"2026-11-22T09:30:00Z\"}\n"
            + "{\"id\":\"x\",\"firstUsed\":\"yesterday\",\"lastUsed\":\"today\"}\n");

    assertThat(file.usage())
        .containsOnly(
            Map.entry(
                other.id(),
                new KeyUsage(
                    null,
                    Instant.parse("2026-11-22T09:00:00Z"),
                    Instant.parse("2026-11-22T09:30:00Z"))));
    file.recordUsage(use(key.id(), T0, T0));
    assertThat(Files.readString(usagePath)).doesNotContain("not json").doesNotContain("yesterday");
    assertThat(file.usage()).containsOnlyKeys(key.id(), other.id());
  }

  @Test
  void aReadOnlyDirectoryCostsOneWarningAndNoDecision() throws Exception {
    assumeTrue(posix(), "POSIX permissions");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    assumeFalse(Files.isWritable(dir), "this process writes anywhere (root)");
    assertUnwritableUsageFile();
  }

  /**
   * As {@link #aReadOnlyDirectoryCostsOneWarningAndNoDecision}, also where permissions do not bind.
   */
  @Test
  void aUsageFileThatCannotBeWrittenCostsOneWarningAndNoDecision() throws Exception {
    Files.createDirectory(dir.resolve("keys.jsonl.usage.lock"));
    assertUnwritableUsageFile();
  }

  void assertUnwritableUsageFile() throws Exception {
    assertThatThrownBy(() -> file.recordUsage(use(key.id(), T0, T0)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith(
            "cannot write the key usage file "
                + path.toRealPath().resolveSibling("keys.jsonl.usage"))
        .hasMessageContaining("make its directory writable by this process");

    ManualClock time = new ManualClock(T0);
    KeyUsageRecorder recorder = new KeyUsageRecorder(file, time, time::nanoTime);
    KeyVerifier verifier = new StoreKeyVerifier(file, time, recorder);
    KeyVerifier plain = KeyVerifier.of(file, time);
    List<Verification> answers = new ArrayList<>();
    OutputCapture log =
        OutputCapture.during(
            () -> {
              for (int minute = 0; minute < 3; minute++) {
                Verification answer = verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD);
                assertThat(answer)
                    .isEqualTo(plain.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
                answers.add(answer);
                recorder.flush();
                time.advance(Duration.ofSeconds(61));
              }
              recorder.close();
            });

    assertThat(answers).hasSize(3).allMatch(a -> a instanceof Verification.Verified);
    assertThat(log.err().lines().filter(l -> l.contains("WARN")))
        .singleElement()
        .asString()
        .contains("planeguard cannot record the use of 1 keys in KeyFile{")
        .contains("make its directory writable by this process, or turn key usage recording off");
    assertThat(usagePath).doesNotExist();
  }
}

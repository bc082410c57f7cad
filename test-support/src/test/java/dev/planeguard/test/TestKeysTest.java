package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestKeysTest {

  @Test
  void aMintedKeyIsAValidKeyAndOnlyItsHashReachesTheFile() throws Exception {
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      ApiKey key = keys.machineKey().tenant("acme").scopes("runs:write", "runs:read").mint();

      assertThat(ApiKey.defect(key.value())).isNull();
      assertThat(ApiKey.parse(key.value())).isEqualTo(key);
      assertThat(key.value()).startsWith("aos_mk_test_" + key.id() + "_");
      assertThat(key.kind()).isEqualTo(ApiKey.Kind.MACHINE);
      assertThat(key.mode()).isEqualTo(Mode.TEST);

      List<String> lines = Files.readAllLines(keys.file());
      assertThat(lines).hasSize(1);
      KeyRecord record = KeyRecord.parseJsonLine(lines.get(0));
      assertThat(record)
          .isEqualTo(KeyRecord.of(key, "acme", Set.of("runs:read", "runs:write"), null))
          .isEqualTo(keys.records().get(0));
      assertThat(ApiKey.hashesEqual(record.hash(), ApiKey.hash(key.value()))).isTrue();

      String file = Files.readString(keys.file());
      String secret = key.value().split("_")[4];
      assertThat(file).doesNotContain(key.value()).doesNotContain(secret);
      assertThat(key.toString()).doesNotContain(secret);
      assertThat(keys.toString()).doesNotContain(secret).contains("records=1");
    }
  }

  @Test
  void everyFieldOfTheRecordCanBeChosen() throws Exception {
    Instant notAfter = Instant.parse("2027-01-01T00:00:00Z");
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      ApiKey sandbox = keys.sandboxKey().mode(Mode.LOCAL).prefix("acme").mint();
      ApiKey prod = keys.machineKey().mode(Mode.PROD).notAfter(notAfter).mint();
      ApiKey revoked = keys.machineKey().revoked().mint();

      assertThat(sandbox.value()).startsWith("acme_sk_local_");
      assertThat(prod.value()).startsWith("aos_mk_prod_");
      List<KeyRecord> records =
          Files.readAllLines(keys.file()).stream().map(KeyRecord::parseJsonLine).toList();
      assertThat(records)
          .extracting(KeyRecord::id)
          .containsExactly(sandbox.id(), prod.id(), revoked.id());
      assertThat(records.get(0).kind()).isEqualTo(ApiKey.Kind.SANDBOX);
      assertThat(records.get(0).tenant()).isNull();
      assertThat(records.get(1).notAfter()).isEqualTo(notAfter);
      assertThat(records.get(2).status()).isEqualTo(KeyRecord.Status.REVOKED);
    }
  }

  @Test
  void revokingAndExpiringRewriteTheFileKeepingOtherLines() throws Exception {
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      ApiKey first = keys.machineKey().mint();
      keys.appendLine("# a comment the store must skip");
      keys.appendLine("");
      ApiKey second = keys.machineKey().mint();
      Instant past = Instant.parse("2020-01-01T00:00:00Z");

      keys.revoke(first);
      keys.notAfter(second, past);

      List<String> lines = Files.readAllLines(keys.file());
      assertThat(lines).hasSize(4);
      assertThat(KeyRecord.parseJsonLine(lines.get(0)).status())
          .isEqualTo(KeyRecord.Status.REVOKED);
      assertThat(lines.get(1)).isEqualTo("# a comment the store must skip");
      assertThat(lines.get(2)).isEmpty();
      assertThat(KeyRecord.parseJsonLine(lines.get(3)).notAfter()).isEqualTo(past);

      keys.notAfter(second, null);
      assertThat(KeyRecord.parseJsonLine(Files.readAllLines(keys.file()).get(3)).notAfter())
          .isNull();
      // No temporary files are left beside the key file.
      try (var files = Files.list(keys.file().getParent())) {
        assertThat(files).containsExactly(keys.file());
      }
    }
  }

  @Test
  void malformedLinesCanBeWrittenOnPurposeButNotSplitLines() throws Exception {
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      keys.appendLine("{\"id\":\"broken\"");
      assertThat(Files.readAllLines(keys.file())).containsExactly("{\"id\":\"broken\"");
      assertThat(keys.records()).isEmpty();
      assertThatThrownBy(() -> keys.appendLine("a\nb"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> keys.appendLine("a\rb"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void unknownKeysAndBadFieldsAreRefused() {
    try (TestKeys keys = TestKeys.inTemporaryFile()) {
      ApiKey stranger = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.TEST);
      assertThatThrownBy(() -> keys.revoke(stranger))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(stranger.id())
          .hasMessageNotContaining(stranger.value());
      assertThatThrownBy(() -> keys.machineKey().prefix("A1").mint())
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> keys.machineKey().tenant("has space").mint())
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(keys.records()).isEmpty();
    }
  }

  @Test
  void theTemporaryFileIsPrivateAndDeletedOnClose() throws Exception {
    TestKeys keys = TestKeys.inTemporaryFile();
    Path file = keys.file();
    Path dir = file.getParent();
    assertThat(file).exists().hasFileName(TestKeys.FILE_NAME);
    assertThat(Files.readString(file)).isEmpty();
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      keys.machineKey().mint();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
    }

    keys.close();

    assertThat(file).doesNotExist();
    assertThat(dir).doesNotExist();
  }

  @Test
  void aGivenFileIsCreatedOrReplacedAndLeftInPlace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/keys.jsonl");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old content\n");

    try (TestKeys keys = TestKeys.at(file)) {
      assertThat(Files.readString(file)).isEmpty();
      keys.machineKey().mint();
    }

    assertThat(Files.readAllLines(file)).hasSize(1);
    Assumptions.assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}

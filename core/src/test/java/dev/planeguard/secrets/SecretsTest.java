package dev.planeguard.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.testing.FakeSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

  static final String NAME = "PLANEGUARD_KEY_PEPPER";

  @TempDir Path dir;

  static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Writes a secret file; on POSIX file systems with {@code permissions} (e.g. rw-------). */
  Path secretFile(String name, String content, String permissions) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    if (posix()) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }
    return file;
  }

  static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  static List<String> subjects(List<Problem> problems) {
    return problems.stream().map(Problem::subject).toList();
  }

  // Resolution order: NAME_FILE, then NAME, then the configured default.

  @Test
  void theFileBeatsTheEnvironmentWhichBeatsTheDefault() throws IOException {
    String inFile = FakeSecrets.strong(40);
    String inEnv = FakeSecrets.strong(40);
    String configured = FakeSecrets.strong(40);
    Path file = secretFile("pepper", inFile + "\n", "rw-------");

    Secrets all = Secrets.of(Mode.PROD, env(NAME + "_FILE", file.toString(), NAME, inEnv));
    Secret fromFile = all.find(NAME, configured).orElseThrow();
    assertThat(fromFile.reveal()).isEqualTo(inFile);
    assertThat(fromFile.source()).isEqualTo(Secret.Source.FILE);
    assertThat(fromFile.file()).isEqualTo(file);
    assertThat(fromFile.name()).isEqualTo(NAME);
    assertThat(all.violations()).isEmpty();
    assertThat(all.warnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.subject()).isEqualTo(NAME);
              assertThat(w.message())
                  .isEqualTo(
                      "both " + NAME + "_FILE and " + NAME + " are set; " + NAME + " is ignored");
            });

    Secret fromEnv = Secrets.of(Mode.PROD, env(NAME, inEnv)).find(NAME, configured).orElseThrow();
    assertThat(fromEnv.reveal()).isEqualTo(inEnv);
    assertThat(fromEnv.source()).isEqualTo(Secret.Source.ENVIRONMENT);
    assertThat(fromEnv.file()).isNull();

    Secret fromDefault = Secrets.of(Mode.PROD, env()).find(NAME, configured).orElseThrow();
    assertThat(fromDefault.reveal()).isEqualTo(configured);
    assertThat(fromDefault.source()).isEqualTo(Secret.Source.DEFAULT);
  }

  @Test
  void blankVariablesCountAsUnset() throws IOException {
    String inEnv = FakeSecrets.strong(40);
    Secrets secrets = Secrets.of(Mode.PROD, env(NAME + "_FILE", "  ", NAME, inEnv));
    assertThat(secrets.find(NAME).orElseThrow().reveal()).isEqualTo(inEnv);
    assertThat(Secrets.of(Mode.PROD, env(NAME, "")).find(NAME)).isEmpty();
    assertThat(secrets.warnings()).isEmpty();
  }

  @Test
  void anUnsetSecretIsEmptyWhenOptionalAndAViolationWhenRequired() {
    Secrets secrets = Secrets.of(Mode.LOCAL, env());
    assertThat(secrets.find(NAME)).isEmpty();
    assertThat(secrets.violations()).isEmpty();
    assertThat(secrets.require(NAME)).isEmpty();
    assertThat(secrets.violations())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo(NAME);
              assertThat(p.message()).isEqualTo("is not set");
              assertThat(p.fix())
                  .isEqualTo(
                      "set "
                          + NAME
                          + "_FILE to the path of a secret file (preferred), or "
                          + NAME
                          + " to the value");
            });
    assertThatThrownBy(secrets::check)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid secrets (1 problem):");
  }

  @Test
  void aBrokenSecretFileIsNeverReplacedByTheVariableOrTheDefault() {
    Path missing = dir.resolve("absent");
    Secrets secrets =
        Secrets.of(
            Mode.LOCAL, env(NAME + "_FILE", missing.toString(), NAME, FakeSecrets.strong(40)));
    assertThat(secrets.find(NAME, FakeSecrets.strong(40))).isEmpty();
    assertThat(secrets.require(NAME)).isEmpty();
    assertThat(secrets.violations())
        .hasSize(2)
        .allSatisfy(
            p -> {
              assertThat(p.subject()).isEqualTo(NAME + "_FILE");
              assertThat(p.message())
                  .isEqualTo("names \"" + missing + "\", which is not a readable file");
            });
  }

  @Test
  void trailingLineBreaksAreRemovedAndNothingElse() throws IOException {
    String value = "  " + FakeSecrets.strong(30) + " \t";
    for (String ending : List.of("", "\n", "\r\n", "\n\n")) {
      Path file =
          secretFile("s" + ending.length() + ending.hashCode(), value + ending, "r--------");
      Secret s =
          Secrets.of(Mode.LOCAL, env(NAME + "_FILE", file.toString())).find(NAME).orElseThrow();
      assertThat(s.reveal()).isEqualTo(value);
    }
  }

  @Test
  void unusableSecretFilesAreViolationsInEveryMode() throws IOException {
    Path empty = secretFile("empty", "\n", "rw-------");
    Path directory = Files.createDirectory(dir.resolve("directory"));
    Path binary = dir.resolve("binary");
    Files.write(binary, new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b'});
    Path huge = secretFile("huge", "a".repeat(Secrets.MAX_FILE_BYTES + 1), "rw-------");
    if (posix()) {
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-------"));
    }
    for (Mode mode : Mode.values()) {
      Secrets secrets =
          Secrets.of(
              mode,
              env(
                  "A_FILE", empty.toString(),
                  "B_FILE", directory.toString(),
                  "C_FILE", binary.toString(),
                  "D_FILE", huge.toString(),
                  "E_FILE", "bad\0path"));
      for (String name : List.of("A", "B", "C", "D", "E")) {
        assertThat(secrets.find(name)).as(name).isEmpty();
      }
      assertThat(secrets.violations())
          .extracting(Problem::message)
          .containsExactly(
              "names \"" + empty + "\", which is empty",
              "names \"" + directory + "\", which is not a readable file",
              "names \"" + binary + "\", which is not UTF-8 text",
              "names \"" + huge + "\", which is larger than 64 KiB",
              "is not a valid file path");
    }
  }

  // Prod violations: permissions, placeholders, length.

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "r-----r--", "rw--w----", "rw-----w-", "rw-rw-rw-"})
  void aSecretFileOthersCanReadOrWriteIsAViolationInProd(String permissions) throws IOException {
    assumeTrue(posix(), "the file system has no POSIX permissions");
    Path file = secretFile("pepper", FakeSecrets.strong(40), permissions);
    Secrets secrets = Secrets.of(Mode.PROD, env(NAME + "_FILE", file.toString()));
    assertThat(secrets.find(NAME)).isPresent();
    assertThat(secrets.violations())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo(NAME + "_FILE");
              assertThat(p.message())
                  .isEqualTo(
                      "names \""
                          + file
                          + "\", which is readable or writable by group or others ("
                          + permissions
                          + "); forbidden in prod");
              assertThat(p.fix()).startsWith("chmod 600 the file");
            });
  }

  @Test
  void ownerOnlySecretFilesPass() throws IOException {
    assumeTrue(posix(), "the file system has no POSIX permissions");
    for (String permissions : List.of("rw-------", "r--------")) {
      Path file = secretFile("p" + permissions.hashCode(), FakeSecrets.strong(40), permissions);
      Secrets secrets = Secrets.of(Mode.PROD, env(NAME + "_FILE", file.toString()));
      assertThat(secrets.find(NAME)).isPresent();
      assertThat(secrets.violations()).isEmpty();
      assertThat(secrets.warnings()).isEmpty();
    }
  }

  @Test
  void aSymlinkedSecretFileIsJudgedByItsTarget() throws IOException {
    assumeTrue(posix(), "the file system has no POSIX permissions");
    // Kubernetes mounts secrets as symlinks into a ..data directory.
    Path target = secretFile("target", FakeSecrets.strong(40), "rw-r--r--");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    Secrets secrets = Secrets.of(Mode.PROD, env(NAME + "_FILE", link.toString()));
    assertThat(secrets.find(NAME)).isPresent();
    assertThat(secrets.violations())
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("rw-r--r--");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "change_me_in_production",
        "changeme",
        "xxxxx",
        "sk-xxxxx",
        "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "<your-strong-password-here>",
        "<your-api-key-here>",
        "your_api_key_here_0123456789",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "password",
      })
  void aPlaceholderIsAViolationInProdWhereverItComesFrom(String placeholder) throws IOException {
    Path file = secretFile("placeholder", placeholder + "\n", "rw-------");
    Secrets secrets = Secrets.of(Mode.PROD, env("A_FILE", file.toString(), "B", placeholder));
    secrets.find("A");
    secrets.find("B");
    secrets.find("C", placeholder);
    assertThat(secrets.violations())
        .extracting(Problem::subject)
        .containsExactly("A_FILE", "B", "C");
    assertThat(secrets.violations())
        .extracting(Problem::message)
        .containsExactly(
            "is a placeholder, not a real secret; forbidden in prod",
            "is a placeholder, not a real secret; forbidden in prod",
            "is a placeholder, not a real secret (the configured default); forbidden in prod");
    assertThat(secrets.violations()).allSatisfy(p -> assertThat(p.fix()).contains("openssl rand"));
  }

  @Test
  void aSecretShorterThanTwentyCharactersIsAViolationInProd() {
    String nineteen = FakeSecrets.strong(19);
    String twenty = FakeSecrets.strong(20);
    Secrets secrets =
        Secrets.of(Mode.PROD, env("SHORT", nineteen, "LONG", twenty, "EMOJI", "🔑".repeat(19)));
    assertThat(secrets.find("SHORT").orElseThrow().reveal()).isEqualTo(nineteen);
    assertThat(secrets.find("LONG")).isPresent();
    secrets.find("EMOJI");
    assertThat(secrets.violations()).extracting(Problem::subject).containsExactly("SHORT", "EMOJI");
    assertThat(secrets.violations().get(0).message())
        .isEqualTo("is shorter than 20 characters; forbidden in prod");
  }

  @Test
  void keysAndTokensNeedThirtyTwoCharactersAndPasswordsTwenty() {
    String twentyFive = FakeSecrets.strong(25);
    Secrets secrets =
        Secrets.of(
            Mode.PROD,
            env(
                "PLANEGUARD_HUMAN_HS_SECRET", twentyFive,
                "PLANEGUARD_JDBC_PASSWORD", twentyFive,
                "API_TOKEN", FakeSecrets.strong(32)));
    secrets.find("PLANEGUARD_HUMAN_HS_SECRET");
    secrets.find("PLANEGUARD_JDBC_PASSWORD");
    secrets.find("API_TOKEN");
    assertThat(secrets.violations())
        .containsExactly(
            new Problem(
                "PLANEGUARD_HUMAN_HS_SECRET",
                "is shorter than 32 characters; forbidden in prod",
                "use a random secret of at least 32 characters, for example from: openssl rand"
                    + " -base64 32"));
  }

  @Test
  void aGuessableSecretIsAViolationInProdAndAWarningInTest() {
    for (Mode mode : List.of(Mode.PROD, Mode.TEST)) {
      Secrets secrets = Secrets.of(mode, env("ADMIN_PASSWORD", "iloveyouiloveyou2024"));
      assertThat(secrets.find("ADMIN_PASSWORD")).isPresent();
      List<Problem> found = mode == Mode.PROD ? secrets.violations() : secrets.warnings();
      assertThat(found)
          .singleElement()
          .extracting(Problem::message)
          .asString()
          .startsWith("is easy to guess: the strength estimator (zxcvbn) scores it ")
          .endsWith(
              mode == Mode.PROD
                  ? "; forbidden in prod"
                  : "; tolerated in test but refused in preprod and prod");
    }
  }

  @Test
  void everyProdViolationIsListedInOneException() throws IOException {
    assumeTrue(posix(), "the file system has no POSIX permissions");
    Path readable = secretFile("readable", FakeSecrets.strong(40), "rw-r--r--");
    Secrets secrets =
        Secrets.of(
            Mode.PROD,
            env(
                "HS_SECRET_FILE", readable.toString(),
                "JDBC_PASSWORD", "change_me_in_production",
                "PEPPER", "short-pepper"));
    secrets.require("HS_SECRET");
    secrets.require("JDBC_PASSWORD");
    secrets.require("PEPPER");
    secrets.require("MISSING");
    assertThatThrownBy(secrets::check)
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.getMessage()).startsWith("Invalid secrets (4 problems):");
              assertThat(subjects(e.problems()))
                  .containsExactly("HS_SECRET_FILE", "JDBC_PASSWORD", "PEPPER", "MISSING");
            });
  }

  @Test
  void preprodIsAsStrictAsProd() {
    Secrets secrets = Secrets.of(Mode.PREPROD, env("A", "changeme", "B", "short"));
    secrets.find("A");
    secrets.find("B");
    assertThat(secrets.violations())
        .extracting(Problem::message)
        .containsExactly(
            "is a placeholder, not a real secret; forbidden in preprod",
            "is shorter than 20 characters; forbidden in preprod");
  }

  @Test
  void inLocalAndTestWeakSecretsAreWarnings() throws IOException {
    Path readable = secretFile("readable", "changeme", "rw-r--r--");
    for (Mode mode : List.of(Mode.LOCAL, Mode.TEST)) {
      Secrets secrets = Secrets.of(mode, env("A_FILE", readable.toString(), "B", "short"));
      assertThat(secrets.find("A").orElseThrow().reveal()).isEqualTo("changeme");
      assertThat(secrets.find("B")).isPresent();
      assertThat(secrets.violations()).isEmpty();
      secrets.check();
      // The file: its permissions (or, without POSIX, that they cannot be checked), its value.
      assertThat(subjects(secrets.warnings())).containsExactly("A_FILE", "A_FILE", "B");
      assertThat(secrets.warnings().get(1).message())
          .isEqualTo(
              "is a placeholder, not a real secret; tolerated in "
                  + mode
                  + " but refused in preprod and prod");
    }
  }

  @Test
  void namesMustBeEnvironmentVariableNames() {
    Secrets secrets = Secrets.of(Mode.LOCAL, env());
    assertThatThrownBy(() -> secrets.find("not a name"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> secrets.find("1ABC")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSecretNeverShowsItsValue() throws IOException {
    String value = FakeSecrets.strong(40);
    Path file = secretFile("pepper", value, "rw-------");
    Secrets secrets = Secrets.of(Mode.PROD, env(NAME + "_FILE", file.toString(), "OTHER", value));
    Secret fromFile = secrets.find(NAME).orElseThrow();
    Secret fromEnv = secrets.find("OTHER").orElseThrow();
    assertThat(fromFile).hasToString("Secret{name=" + NAME + ", source=file " + file + "}");
    assertThat(fromEnv).hasToString("Secret{name=OTHER, source=environment}");
    assertThat(fromFile.reveal()).isEqualTo(fromEnv.reveal());
    assertThat(fromFile).isNotEqualTo(fromEnv);
    assertThat(fromFile.hashCode()).isEqualTo(System.identityHashCode(fromFile));
    assertThat(new String(fromFile.bytes(), StandardCharsets.UTF_8)).isEqualTo(value);
    assertThat(fromFile.bytes()).isNotSameAs(fromFile.bytes());
    assertThat(secrets.toString())
        .isEqualTo("Secrets{mode=prod, resolved=[" + NAME + ", OTHER], violations=0, warnings=0}");
    assertThat(fromFile).isNotInstanceOf(java.io.Serializable.class);
  }
}

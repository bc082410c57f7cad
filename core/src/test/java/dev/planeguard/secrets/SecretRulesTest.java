package dev.planeguard.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.secrets.SecretRules.Finding;
import dev.planeguard.secrets.SecretRules.Kind;
import dev.planeguard.secrets.SecretRules.Rule;
import dev.planeguard.testing.FakeSecrets;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRulesTest {

  @TempDir Path dir;

  static Optional<Finding> judge(String name, String value) {
    Kind kind = SecretRules.kindOf(name, value);
    assertThat(kind).as("kind of " + name).isNotNull();
    return SecretRules.judge(name, name, kind, value);
  }

  static Rule rule(String name, String value) {
    return judge(name, value).orElseThrow().rule();
  }

  @ParameterizedTest
  @CsvSource({
    "DB_PASSWORD, PASSWORD",
    "POSTGRES_PASSWORD, PASSWORD",
    "PASSWORD, PASSWORD",
    "GPG_PASSPHRASE, PASSWORD",
    "SMTP_PASS, PASSWORD",
    "MYSQL_PWD, PASSWORD",
    "OPENAI_API_KEY, KEY",
    "SESSION_SECRET, KEY",
    "GITHUB_TOKEN, KEY",
    "PLANEGUARD_KEY_PEPPER, KEY",
    "AWS_CREDENTIALS, KEY",
  })
  void theKindComesFromTheName(String name, Kind kind) {
    assertThat(SecretRules.kindOf(name, "anything")).isEqualTo(kind);
  }

  @Test
  void aUrlWithAPasswordIsASecretWhateverItsName_andOtherNamesAreNot() {
    assertThat(SecretRules.kindOf("DATABASE_URL", "postgres://app:pw@db/app")).isEqualTo(Kind.URL);
    assertThat(SecretRules.kindOf("SENTRY_DSN", "https://u:p@sentry.example/1"))
        .isEqualTo(Kind.URL);
    assertThat(SecretRules.kindOf("DATABASE_URL", "postgres://app@db/app")).isNull();
    assertThat(SecretRules.kindOf("LOG_LEVEL", "debug")).isNull();
    assertThat(SecretRules.kindOf("STRIPE_PUBLISHABLE_KEY", "pk_live_x")).isNull();
    assertThat(SecretRules.kindOf("JWT_PUBLIC_KEY", "-----BEGIN")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "change_me_in_production",
        "changeme",
        "xxxxx",
        "TODO",
        "TODO: set in vault",
        "sk-ant-xxxxx",
        "sk-...xxxx",
        "<your-api-key>",
        "prefix-<your-token>-suffix",
      })
  void placeholdersFailFirst(String value) {
    assertThat(judge("OPENAI_API_KEY", value))
        .hasValue(
            new Finding(
                "OPENAI_API_KEY",
                Rule.PLACEHOLDER,
                "is a placeholder, not a real secret",
                SecretRules.GENERATE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgres://app:changeme@db:5432/app",
        "postgres://app:password@db:5432/app",
        "postgres://app:<password>@db:5432/app",
        "redis://:xxxxx@cache:6379/0",
      })
  void placeholdersInsideUrlsAreFound(String value) {
    Finding f = judge("DATABASE_URL", value).orElseThrow();
    assertThat(f.rule()).isEqualTo(Rule.PLACEHOLDER);
    assertThat(f.message())
        .isEqualTo("holds a URL whose password is a placeholder, not a real secret");
    assertThat(f.fix()).contains("openssl rand -hex");
  }

  @Test
  void passwordsNeedTwentyCharactersAndKeysThirtyTwo() {
    String nineteen = FakeSecrets.strong(19);
    String twenty = FakeSecrets.strong(20);
    String thirtyOne = FakeSecrets.strong(31);
    String thirtyTwo = FakeSecrets.strong(32);
    assertThat(judge("DB_PASSWORD", nineteen).orElseThrow().message())
        .isEqualTo("is shorter than 20 characters");
    assertThat(judge("DB_PASSWORD", twenty)).isEmpty();
    assertThat(judge("API_TOKEN", twenty).orElseThrow().message())
        .isEqualTo("is shorter than 32 characters");
    assertThat(rule("API_TOKEN", thirtyOne)).isEqualTo(Rule.TOO_SHORT);
    assertThat(judge("API_TOKEN", thirtyTwo)).isEmpty();
    assertThat(
            judge("DATABASE_URL", "postgres://app:" + nineteen + "@db/app").orElseThrow().message())
        .isEqualTo("holds a URL whose password is shorter than 20 characters");
    assertThat(judge("DATABASE_URL", "postgres://app:" + twenty + "@db/app")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Summer2024!Summer2024!",
        "qwertyuiopqwertyuiopqwertyuiop12",
        "iloveyouiloveyou2024",
        "abcdefghijklmnopqrstuvwxyz123456",
      })
  void guessableValuesAreWeak(String value) {
    Finding f = judge("ADMIN_PASSWORD", value).orElseThrow();
    assertThat(f.rule()).isEqualTo(Rule.WEAK);
    assertThat(f.message())
        .matches(
            "is easy to guess: the strength estimator \\(zxcvbn\\) scores it [0-3] of 4, 4 needed");
  }

  @Test
  void theVariablesOwnNameCountsAsGuessable() {
    // Strong enough for zxcvbn under another name; guessable once the name gives the word away.
    String value = "zorblaxian2024zorblaxian";
    assertThat(judge("APP_PASSWORD", value)).isEmpty();
    assertThat(rule("ZORBLAXIAN_PASSWORD", value)).isEqualTo(Rule.WEAK);
  }

  @Test
  void randomKeysPass() {
    for (int i = 0; i < 3; i++) {
      assertThat(judge("ANTHROPIC_API_KEY", FakeSecrets.anthropicKey())).isEmpty();
      assertThat(judge("OPENAI_API_KEY", FakeSecrets.openAiKey())).isEmpty();
      assertThat(judge("GITHUB_TOKEN", FakeSecrets.githubToken())).isEmpty();
      assertThat(judge("PLANEGUARD_API_KEY", FakeSecrets.machineKey(Mode.PROD))).isEmpty();
      assertThat(judge("SESSION_SECRET", FakeSecrets.strong(43))).isEmpty();
      assertThat(judge("DB_PASSWORD", FakeSecrets.strong(20))).isEmpty();
    }
    assertThat(judge("DB_PASSWORD", "correct horse battery staple")).isEmpty();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + FakeSecrets.strong(64)
            + "\n"
            + FakeSecrets.strong(64)
            + "\n-----END PRIVATE KEY-----\n";
    assertThat(judge("TLS_PRIVATE_KEY", pem)).isEmpty();
  }

  @Test
  void aVeryLongValueIsJudgedQuicklyByItsStart() {
    // zxcvbn's cost grows steeply with length; only the first 100 characters are judged.
    assertThat(judge("TLS_PRIVATE_KEY", FakeSecrets.strong(20_000))).isEmpty();
    assertThat(rule("TLS_PRIVATE_KEY", "ab".repeat(60) + FakeSecrets.strong(100)))
        .isEqualTo(Rule.WEAK);
  }

  @Test
  void findingsSayWhetherTheModeForbidsOrToleratesThem() {
    Finding f = judge("API_TOKEN", "changeme").orElseThrow();
    assertThat(f.isViolationIn(Mode.PROD)).isTrue();
    assertThat(f.isViolationIn(Mode.PREPROD)).isTrue();
    assertThat(f.isViolationIn(Mode.TEST)).isFalse();
    assertThat(f.toProblem(Mode.PROD))
        .isEqualTo(
            new Problem(
                "API_TOKEN",
                "is a placeholder, not a real secret; forbidden in prod",
                SecretRules.GENERATE));
    assertThat(f.toProblem(Mode.LOCAL).message())
        .isEqualTo(
            "is a placeholder, not a real secret; tolerated in local but refused in preprod and"
                + " prod");
  }

  @Test
  void filesReadableByGroupOrOthersAreRefused() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path file = Files.createFile(dir.resolve("env"));
    for (String ok : new String[] {"rw-------", "r--------", "rwx------"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(ok));
      assertThat(SecretRules.checkFile("env", file)).as(ok).isEmpty();
    }
    for (String exposed : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-rw-rw-"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(exposed));
      Finding f = SecretRules.checkFile("env", file).orElseThrow();
      assertThat(f.rule()).isEqualTo(Rule.FILE_PERMISSIONS);
      assertThat(f.message())
          .isEqualTo("is readable or writable by group or others (" + exposed + ")");
      assertThat(f.fix()).startsWith("chmod 600 the file");
      assertThat(f.isViolationIn(Mode.PROD)).isTrue();
    }
  }
}

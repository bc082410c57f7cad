package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Mode;
import dev.planeguard.testing.FakeSecrets;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckSecretsCommandTest {

  /** Variables whose values are not secret (and may well appear in the output, as "prod" does). */
  static final java.util.Set<String> PLAIN = java.util.Set.of("AOS_MODE", "LOG_LEVEL", "DB_HOST");

  @TempDir Path dir;

  /** Every secret value a test wrote; none may appear in any output. */
  final List<String> written = new ArrayList<>();

  @BeforeEach
  void posixOnly() {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "check-secrets requires owner-only env files; this file system has no POSIX permissions");
  }

  /** Writes an env file with the given permissions; remembers every value in it. */
  Path envFile(String name, String permissions, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    for (String line : lines) {
      int eq = line.indexOf('=');
      String variable = line.substring(0, Math.max(eq, 0));
      if (eq > 0 && !PLAIN.contains(variable) && line.length() > eq + 6) {
        written.add(line.substring(eq + 1));
      }
    }
    return file;
  }

  /** A file that passes every rule. */
  Path clean(String name) throws IOException {
    return envFile(
        name,
        "rw-------",
        "AOS_MODE=prod",
        "LOG_LEVEL=info",
        "DB_PASSWORD=" + FakeSecrets.strong(24),
        "SESSION_SECRET=" + FakeSecrets.strong(43),
        "ANTHROPIC_API_KEY=" + FakeSecrets.anthropicKey(),
        "DATABASE_URL=postgres://app:" + FakeSecrets.strong(24) + "@db:5432/app");
  }

  CliRun run(Object... args) {
    String[] all =
        Stream.concat(Stream.of("check-secrets"), Stream.of(args).map(Object::toString))
            .toArray(String[]::new);
    CliRun r = CliRun.run(Map.of(), all);
    for (String secret : written) {
      assertThat(r.out() + r.err()).as("output must not contain a secret").doesNotContain(secret);
    }
    return r;
  }

  static List<String> findings(CliRun r) {
    return r.out()
        .lines()
        .filter(l -> !l.startsWith("    fix: ") && !l.startsWith("ok: "))
        .toList();
  }

  @Test
  void aCleanOwnerOnlyFilePasses() throws IOException {
    Path file = clean("api.env");
    CliRun r = run(file);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).isEqualTo("ok: 1 file checked in mode prod (from AOS_MODE); no problem\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aFileReadableByGroupIsAViolation() throws IOException {
    String secret = FakeSecrets.strong(43);
    Path file = envFile("api.env", "rw-r-----", "SESSION_SECRET=" + secret);
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .isEqualTo(
            file
                + " is readable or writable by group or others (rw-r-----); forbidden in prod"
                + " [FILE_PERMISSIONS]\n"
                + "    fix: chmod 600 the file (Kubernetes: defaultMode: 0400; Docker Compose"
                + " secrets: mode: 0400)\n"
                + "1 violation: 1 file checked in mode prod (from --mode)\n");
  }

  @Test
  void aPlaceholderIsAViolation() throws IOException {
    Path file = envFile("api.env", "rw-------", "OPENAI_API_KEY=sk-...xxxx");
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r))
        .containsExactly(
            file
                + ":1: OPENAI_API_KEY is a placeholder, not a real secret; forbidden in prod"
                + " [PLACEHOLDER]",
            "1 violation: 1 file checked in mode prod (from --mode)");
  }

  @Test
  void aPlaceholderInsideAUrlIsAViolation() throws IOException {
    Path file =
        envFile(
            "api.env", "rw-------", "LOG_LEVEL=info", "DATABASE_URL=postgres://u:changeme@host/db");
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r).get(0))
        .isEqualTo(
            file
                + ":2: DATABASE_URL holds a URL whose password is a placeholder, not a real"
                + " secret; forbidden in prod [PLACEHOLDER]");
  }

  @Test
  void aShortPasswordIsAViolation() throws IOException {
    Path file = envFile("api.env", "rw-------", "DB_PASSWORD=" + FakeSecrets.strong(19));
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r).get(0))
        .isEqualTo(
            file + ":1: DB_PASSWORD is shorter than 20 characters; forbidden in prod [TOO_SHORT]");
  }

  @Test
  void aShortTokenIsAViolation() throws IOException {
    Path file = envFile("api.env", "rw-------", "API_TOKEN=" + FakeSecrets.strong(31));
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r).get(0))
        .isEqualTo(
            file + ":1: API_TOKEN is shorter than 32 characters; forbidden in prod [TOO_SHORT]");
  }

  @Test
  void aGuessablePasswordIsAViolation() throws IOException {
    Path file = envFile("api.env", "rw-------", "ADMIN_PASSWORD=iloveyouiloveyou2024");
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r).get(0))
        .startsWith(
            file
                + ":1: ADMIN_PASSWORD is easy to guess: the strength estimator (zxcvbn) scores it ")
        .endsWith(" of 4, 4 needed; forbidden in prod [WEAK]");
  }

  @Test
  void theSameSecretInTwoFilesIsAViolation() throws IOException {
    String shared = FakeSecrets.strong(43);
    Path api = envFile("api.env", "rw-------", "LOG_LEVEL=info", "API_SESSION_SECRET=" + shared);
    Path worker = envFile("worker.env", "rw-------", "WORKER_SECRET=" + shared);
    CliRun r = run(api, worker, "--mode", "preprod");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(findings(r))
        .containsExactly(
            worker
                + ":1: WORKER_SECRET has the same value as API_SESSION_SECRET in "
                + api
                + ":2; forbidden in preprod [SHARED_VALUE]",
            "1 violation: 2 files checked in mode preprod (from --mode)");
    // Different secrets in two files are fine.
    assertThat(run(clean("a.env"), clean("b.env")).exit()).isZero();
  }

  @Test
  void inLocalAndTestFindingsAreWarningsAndExitZero() throws IOException {
    Path file = envFile("api.env", "rw-r--r--", "AOS_MODE=test", "API_TOKEN=changeme");
    CliRun r = run(file);
    assertThat(r.exit()).isZero();
    assertThat(findings(r))
        .containsExactly(
            "warning: "
                + file
                + " is readable or writable by group or others (rw-r--r--); tolerated in test but"
                + " refused in preprod and prod [FILE_PERMISSIONS]",
            "warning: "
                + file
                + ":2: API_TOKEN is a placeholder, not a real secret; tolerated in test but"
                + " refused in preprod and prod [PLACEHOLDER]");
    assertThat(r.out()).endsWith("ok: 1 file checked in mode test (from AOS_MODE); 2 warnings\n");
    // --mode wins over the files' AOS_MODE.
    assertThat(run(file, "--mode", "prod").exit()).isEqualTo(1);
  }

  @Test
  void withoutAModeTheFilesAreJudgedAsStrictlyAsProd() throws IOException {
    Path file = envFile("api.env", "rw-------", "API_TOKEN=changeme");
    CliRun r = run(file);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .endsWith(
            "1 violation: 1 file checked in mode prod (neither --mode nor AOS_MODE given: judged"
                + " as strictly as prod)\n");
  }

  @Test
  void variablesThatAreNotSecretsAreNotJudged() throws IOException {
    Path file =
        envFile(
            "api.env",
            "rw-------",
            "LOG_LEVEL=debug",
            "DB_HOST=db",
            "DATABASE_URL=postgres://app@db/app",
            "JWT_PUBLIC_KEY=short",
            "EMPTY_TOKEN=");
    CliRun r = run(file, "--mode", "prod");
    assertThat(r.exit()).as(r.out()).isZero();
  }

  @Test
  void jsonListsViolationsAndWarnings() throws Exception {
    Path api = envFile("api.env", "rw-------", "AOS_MODE=prod", "DB_PASSWORD=changeme");
    CliRun r = run(api, "--json");
    assertThat(r.exit()).isEqualTo(1);
    Map<String, Object> json = JSONObjectUtils.parse(r.out());
    assertThat(json)
        .containsEntry("ok", false)
        .containsEntry("mode", "prod")
        .containsEntry("modeFrom", "AOS_MODE")
        .containsEntry("warnings", List.of());
    assertThat(json.get("files"))
        .isEqualTo(List.of(Map.of("file", api.toString(), "variables", 2L, "secrets", 1L)));
    assertThat(json.get("violations"))
        .isEqualTo(
            List.of(
                Map.of(
                    "file",
                    api.toString(),
                    "line",
                    2L,
                    "name",
                    "DB_PASSWORD",
                    "rule",
                    "PLACEHOLDER",
                    "message",
                    "is a placeholder, not a real secret; forbidden in prod",
                    "fix",
                    "use a random secret of at least 32 characters, for example from:"
                        + " openssl rand -base64 32")));

    CliRun clean = run(clean("ok.env"), "--json", "--mode", "local");
    assertThat(clean.exit()).isZero();
    assertThat(JSONObjectUtils.parse(clean.out()))
        .containsEntry("ok", true)
        .containsEntry("mode", "local")
        .containsEntry("modeFrom", "--mode")
        .containsEntry("violations", List.of());
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    Path file = clean("api.env");
    Path prod = envFile("prod.env", "rw-------", "AOS_MODE=prod");
    Path test = envFile("test.env", "rw-------", "AOS_MODE=test");
    Path badMode = envFile("bad.env", "rw-------", "AOS_MODE=staging");
    assertThat(run().exit()).isEqualTo(2);
    assertThat(run().err()).startsWith("planeguard: check-secrets needs at least one ENV_FILE\n");
    assertThat(run(file, "--mode", "production").err())
        .startsWith("planeguard: --mode must be local, test, preprod or prod\n");
    assertThat(run(dir.resolve("missing.env")).exit()).isEqualTo(2);
    assertThat(run(file, "--tier", "api").exit()).isEqualTo(2);
    assertThat(run(file, file).exit()).isEqualTo(2);
    CliRun disagree = run(prod, test);
    assertThat(disagree.exit()).isEqualTo(2);
    assertThat(disagree.err())
        .startsWith(
            "planeguard: the files set different modes ("
                + prod
                + ": prod, "
                + test
                + ": test); check them separately or pass --mode\n");
    assertThat(run(badMode).err())
        .startsWith("planeguard: " + badMode + ":1: AOS_MODE must be local, test, preprod or prod");
    Map<String, Object> json = parse(run(file, "--mode", "x", "--json").out());
    assertThat(json).containsEntry("error", "usage");
  }

  @Test
  void noSecretValueIsPrinted_whateverIsWrongWithIt() throws IOException {
    String shared = FakeSecrets.strong(40);
    Path a =
        envFile(
            "a.env",
            "rw-rw-rw-",
            "DB_PASSWORD=" + FakeSecrets.strong(12),
            "API_TOKEN=Summer2024!Summer2024!Summer2024!",
            "DATABASE_URL=postgres://app:" + FakeSecrets.strong(10) + "@db/app",
            "OPENAI_API_KEY=sk-ant-xxxxx" + FakeSecrets.strong(8),
            "SHARED_SECRET=" + shared,
            "MACHINE_KEY=" + FakeSecrets.machineKey(Mode.PROD));
    Path b = envFile("b.env", "rw-------", "OTHER_SECRET=" + shared);
    // run() checks stdout and stderr of every run for every value written.
    assertThat(run(a, b).exit()).isEqualTo(1);
    assertThat(run(a, b, "--json").exit()).isEqualTo(1);
    assertThat(run(a, b, "--mode", "local").exit()).isZero();
  }

  static Map<String, Object> parse(String json) {
    try {
      return JSONObjectUtils.parse(json);
    } catch (java.text.ParseException e) {
      throw new AssertionError(json, e);
    }
  }
}

package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyLifecycle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every decision that involves a key, through {@code planeguard decide --keys}: keys issued with
 * {@code planeguard keys new} into a real key file, requests described by flags.
 */
class DecideKeysCommandTest {

  @TempDir static Path dir;
  static Path policy;
  static Path keys;
  static String runner;
  static String reader;
  static String testKey;
  static String revoked;
  static String expired;
  static String localSandbox;
  static String testSandbox;
  static String localMachine;
  static final String LEGACY = "aos-legacy-api-key-5f1c0e9d8b7a6";

  @BeforeAll
  static void issueKeys() throws Exception {
    policy = dir.resolve("planeguard.policy");
    Files.writeString(
        policy,
        """
        human      /api/v1/accounts/**
        machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
        machine    /api/v1/runs/**         methods=GET,HEAD
        machine    /api/v1/telemetry/**
        machine    /api/v1/summaries/**    purposes=summarize,translate
        public     /healthz
        """);
    keys = dir.resolve("keys.jsonl");
    runner = cliNew("mk", "prod", "--scopes", "runs:write");
    reader = cliNew("mk", "prod");
    testKey = cliNew("mk", "test");
    revoked = cliNew("mk", "prod");
    assertThat(
            CliRun.run("keys", "revoke", ApiKey.parse(revoked).id(), "--file", keys.toString())
                .exit())
        .isZero();
    localSandbox = cliNew("sk", "local");
    testSandbox = cliNew("sk", "test");
    localMachine = cliNew("mk", "local");
    // An expired key: issued a month ago with a notAfter a week ago.
    Instant monthAgo = Instant.now().minus(Duration.ofDays(30));
    expired =
        KeyLifecycle.of(KeyFile.open(keys), Clock.fixed(monthAgo, ZoneOffset.UTC))
            .create(
                ApiKey.Kind.MACHINE,
                Mode.PROD,
                "acme",
                Set.of(),
                Instant.now().minus(Duration.ofDays(7)))
            .key()
            .value();
    CliRun legacy =
        CliRun.run(
            Map.of("AOS_API_KEY", LEGACY),
            "keys",
            "import-legacy",
            "aos-api-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--from-env",
            "AOS_API_KEY",
            "--file",
            keys.toString());
    assertThat(legacy.exit()).as(legacy.err()).isZero();
  }

  static String cliNew(String kind, String mode, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "keys",
                "new",
                "--kind",
                kind,
                "--mode",
                mode,
                "--tenant",
                "acme",
                "--file",
                keys.toString()));
    args.addAll(List.of(extra));
    CliRun r = CliRun.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  static Map<String, Object> decide(String mode, String method, String target, String... rest)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "decide",
                "--policy",
                policy.toString(),
                "--keys",
                keys.toString(),
                "--mode",
                mode,
                "--method",
                method,
                "--target",
                target));
    for (String r : rest) {
      if (r.startsWith("--")) {
        args.add(r);
      } else {
        args.add("--header");
        args.add(r);
      }
    }
    CliRun run = CliRun.run(args.toArray(String[]::new));
    assertThat(run.exit()).as("decide exits 0 for a decision; stderr: %s", run.err()).isZero();
    for (String secret :
        List.of(runner, reader, testKey, revoked, expired, localSandbox, testSandbox, LEGACY)) {
      assertThat(run.out() + run.err()).doesNotContain(secret);
    }
    return JSONObjectUtils.parse(run.out());
  }

  static void assertDecision(Map<String, Object> d, int status, String reason, String detail) {
    assertThat(((Number) d.get("status")).intValue()).as("status of %s", d).isEqualTo(status);
    assertThat(d.get("reason")).as("reason of %s", d).isEqualTo(reason);
    assertThat(d.get("detail")).as("detail of %s", d).isEqualTo(detail);
    if (status != 200) {
      assertThat(d.get("principal")).isNull();
    }
  }

  @Test
  void row15aAPurposeTheRuleDoesNotListIsRefusedAndAListedOneAllowed() throws Exception {
    String target = "/api/v1/summaries/1";
    assertDecision(
        decide("prod", "GET", target, "X-AOS-Key: " + reader),
        403,
        "PURPOSE_NOT_ALLOWED",
        "PURPOSE_MISSING");
    assertDecision(
        decide("prod", "GET", target, "X-AOS-Key: " + reader, "X-AOS-Purpose: marketing"),
        403,
        "PURPOSE_NOT_ALLOWED",
        "PURPOSE_UNKNOWN");
    assertDecision(
        decide(
            "prod",
            "GET",
            target,
            "X-AOS-Key: " + reader,
            "X-AOS-Purpose: summarize",
            "X-AOS-Purpose: translate"),
        403,
        "PURPOSE_NOT_ALLOWED",
        "PURPOSE_REPEATED");
    assertDecision(
        decide("prod", "GET", target, "X-AOS-Key: " + reader, "X-AOS-Purpose: translate"),
        200,
        "AUTHENTICATED",
        null);
  }

  @Test
  void row17AGenuineKeyIsAllowedWithItsPrincipal() throws Exception {
    Map<String, Object> d = decide("prod", "GET", "/api/v1/runs/1", "X-AOS-Key: " + reader);
    assertDecision(d, 200, "AUTHENTICATED", null);
    Map<?, ?> principal = (Map<?, ?>) d.get("principal");
    assertThat(principal.get("type")).isEqualTo("machine");
    assertThat(principal.get("keyId")).isEqualTo(ApiKey.parse(reader).id());
    assertThat(principal.get("tenant")).isEqualTo("acme");
    assertThat(d.get("plane")).isEqualTo("machine");
    Map<String, Object> legacy = decide("prod", "GET", "/api/v1/runs/1", "X-AOS-Key: " + LEGACY);
    assertDecision(legacy, 200, "AUTHENTICATED", null);
    assertThat(((Map<?, ?>) legacy.get("principal")).get("keyId")).isEqualTo("aos-api-key");
    assertThat(dir.resolve("keys.jsonl.usage"))
        .as("a decision asked for is not a use of the key")
        .doesNotExist();
  }

  @Test
  void row14InsufficientScope() throws Exception {
    assertDecision(
        decide("prod", "POST", "/api/v1/runs", "X-AOS-Key: " + reader),
        403,
        "INSUFFICIENT_SCOPE",
        null);
    assertDecision(
        decide("prod", "POST", "/api/v1/runs", "X-AOS-Key: " + runner), 200, "AUTHENTICATED", null);
  }

  @Test
  void row15TenantMismatch() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + reader, "X-AOS-Tenant: globex"),
        403,
        "TENANT_MISMATCH",
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + reader, "X-AOS-Tenant: acme"),
        200,
        "AUTHENTICATED",
        null);
    assertDecision(
        decide(
            "prod",
            "GET",
            "/api/v1/runs",
            "X-AOS-Key: " + reader,
            "X-Org: globex",
            "--tenant-header=X-Org"),
        403,
        "TENANT_MISMATCH",
        null);
  }

  @Test
  void row13RevokedExpiredAndOtherMode() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + revoked), 401, "REVOKED_KEY", null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + expired), 401, "EXPIRED_KEY", null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + testKey),
        401,
        "KEY_MODE_MISMATCH",
        null);
    assertDecision(
        decide("test", "GET", "/api/v1/runs", "X-AOS-Key: " + reader),
        401,
        "KEY_MODE_MISMATCH",
        null);
    assertDecision(
        decide("test", "GET", "/api/v1/runs", "X-AOS-Key: " + testKey), 200, "AUTHENTICATED", null);
  }

  static List<Arguments> hostile() {
    String v = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    char last = v.charAt(v.length() - 1);
    return List.of(
        Arguments.of(
            "wrong checksum",
            v.substring(0, v.length() - 1) + (last == 'a' ? 'b' : 'a'),
            "BAD_CHECKSUM"),
        Arguments.of("truncated", v.substring(0, v.length() - 3), "MALFORMED"),
        Arguments.of("overlong (1 MB)", v + "x".repeat(1 << 20), "MALFORMED"),
        Arguments.of("non-ASCII", v.substring(0, 50) + "\u00fc" + v.substring(51), "MALFORMED"),
        Arguments.of("comma-separated", v + "," + v, "MALFORMED"),
        Arguments.of("inner whitespace", v.substring(0, 50) + " " + v.substring(50), "MALFORMED"),
        Arguments.of("unknown id", v, "UNKNOWN_ID"));
  }

  @ParameterizedTest(name = "row 12: {0}")
  @MethodSource("hostile")
  void row12HostileKeys(String name, String value, String detail) throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + value), 401, "INVALID_KEY", detail);
  }

  @Test
  void row12RightIdWrongSecretAndWrongKinds() throws Exception {
    int secretStart = reader.lastIndexOf('_') - 43;
    String body = reader.substring(0, secretStart) + "Z".repeat(43);
    String forged = body + "_" + checksum(body);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + forged),
        401,
        "INVALID_KEY",
        "HASH_MISMATCH");
    assertDecision(
        decide("local", "GET", "/api/v1/runs", "X-AOS-Key: " + localSandbox),
        401,
        "INVALID_KEY",
        "WRONG_KIND");
    assertDecision(
        decide(
            "local",
            "GET",
            "/api/v1/accounts/me",
            "X-AOS-Customer-Key: " + localMachine,
            "--sandbox"),
        401,
        "INVALID_KEY",
        "WRONG_KIND");
  }

  @Test
  void rows5To9CarriersAndSandbox() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/runs?api_key=" + reader), 400, "CREDENTIAL_IN_QUERY", null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs?api_key=" + reader, "X-AOS-Key: " + reader),
        400,
        "CREDENTIAL_IN_QUERY",
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + reader, "X-AOS-Key: " + reader),
        400,
        "AMBIGUOUS_CREDENTIALS",
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + reader, "X-AOS-Key: " + runner),
        400,
        "AMBIGUOUS_CREDENTIALS",
        null);
    assertDecision(decide("prod", "GET", "/api/v1/runs"), 401, "MISSING_CREDENTIAL", null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "Authorization: Bearer " + reader),
        401,
        "CROSS_PLANE_CREDENTIAL",
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer " + reader),
        401,
        "CROSS_PLANE_CREDENTIAL",
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Key: " + reader),
        401,
        "CROSS_PLANE_CREDENTIAL",
        null);
    assertDecision(
        decide("local", "GET", "/api/v1/runs", "X-AOS-Customer-Key: " + localSandbox, "--sandbox"),
        401,
        "CROSS_PLANE_CREDENTIAL",
        null);

    Map<String, Object> prod =
        decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + localSandbox);
    assertDecision(prod, 401, "SANDBOX_FORBIDDEN", null);
    assertThat(prod.get("violation")).isEqualTo(true);
    assertDecision(
        decide("test", "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + testSandbox),
        401,
        "SANDBOX_FORBIDDEN",
        null);
    Map<String, Object> test =
        decide(
            "test",
            "GET",
            "/api/v1/accounts/me",
            "X-AOS-Customer-Key: " + testSandbox,
            "--sandbox");
    assertDecision(test, 200, "AUTHENTICATED", null);
    Map<?, ?> principal = (Map<?, ?>) test.get("principal");
    assertThat(principal.get("type")).isEqualTo("sandbox");
    assertThat(principal.get("sandbox")).isEqualTo(true);
    assertThat(principal.get("keyId")).isEqualTo(ApiKey.parse(testSandbox).id());
    assertDecision(
        decide(
            "local",
            "GET",
            "/api/v1/accounts/me",
            "X-AOS-Customer-Key: " + localSandbox,
            "--sandbox"),
        200,
        "AUTHENTICATED",
        null);
    assertDecision(
        decide(
            "local",
            "GET",
            "/api/v1/accounts/me",
            "X-AOS-Customer-Key: " + testSandbox,
            "--sandbox"),
        401,
        "KEY_MODE_MISMATCH",
        null);
  }

  @Test
  void aMissingOrInvalidKeyFileIsAUsageError() throws Exception {
    CliRun missing =
        CliRun.run(
            "decide",
            "--policy",
            policy.toString(),
            "--keys",
            dir.resolve("none.jsonl").toString(),
            "--mode",
            "prod",
            "--method",
            "GET",
            "--target",
            "/api/v1/runs",
            "--json");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(JSONObjectUtils.parse(missing.out())).containsEntry("error", "usage");
    Path broken = dir.resolve("broken.jsonl");
    Files.writeString(broken, "# ok\n{\"id\":1}\n");
    CliRun invalid =
        CliRun.run(
            "decide",
            "--policy",
            policy.toString(),
            "--keys",
            broken.toString(),
            "--mode",
            "prod",
            "--method",
            "GET",
            "--target",
            "/api/v1/runs");
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.err()).contains(broken + ":2");
  }

  /** CRC32 of the body in base62, left-padded to 6: the format of the design, computed here. */
  static String checksum(String body) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long value = crc.getValue();
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char[] out = new char[6];
    for (int i = 5; i >= 0; i--) {
      out[i] = alphabet.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(out);
  }
}

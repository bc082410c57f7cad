package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rows 1-10 of the decision table through {@code planeguard decide}. */
class DecideCommandTest {

  static final String MACHINE_KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
  static final String SANDBOX_KEY = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL).value();
  static final String JWT_SHAPED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

  @TempDir static Path dir;
  static Path policy;

  @BeforeAll
  static void writePolicy() throws Exception {
    policy = dir.resolve("planeguard.policy");
    Files.writeString(
        policy,
        """
        human      /api/v1/accounts/**
        machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
        machine    /api/v1/runs/**         methods=GET,HEAD
        machine    /api/v1/telemetry/**
        public     /healthz
        debug      /__debug/**             plane=human
        """);
  }

  static Map<String, Object> decide(String mode, String method, String target, String... headers)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "decide",
                "--policy",
                policy.toString(),
                "--mode",
                mode,
                "--method",
                method,
                "--target",
                target));
    for (String h : headers) {
      args.add("--header");
      args.add(h);
    }
    CliRun r = CliRun.run(Map.of("AOS_MODE", "local"), args.toArray(String[]::new));
    assertThat(r.exit()).as("decide exits 0 for a decision; stderr: %s", r.err()).isZero();
    return JSONObjectUtils.parse(r.out());
  }

  static void assertDecision(Map<String, Object> d, int status, String reason) {
    assertThat(((Number) d.get("status")).intValue()).as("status of %s", d).isEqualTo(status);
    assertThat(d.get("reason")).as("reason of %s", d).isEqualTo(reason);
  }

  @ParameterizedTest(name = "row 1: {0} {1} -> {2}")
  @CsvSource({
    "GET,   /api/v1/%2e%2e/admin,          ENCODED_DOT",
    "GET,   /health/..;/api/v1/runs,       SEMICOLON",
    "GET,   //api/v1/runs,                 EMPTY_SEGMENT",
    "GET,   /api/v1/runs%0d,               CONTROL_CHARACTER",
    "GET,   /api/v1/%252e%252e,            ENCODED_PERCENT",
    "GET,   /api/v1/runs/x%2fy,            ENCODED_SLASH",
    "GET,   http://evil/api/v1/runs,       NOT_ORIGIN_FORM",
    "TRACE, /healthz,                      DISALLOWED_METHOD",
    "get,   /healthz,                      DISALLOWED_METHOD",
  })
  void row1(String method, String target, String detail) throws Exception {
    Map<String, Object> d = decide("prod", method, target, "X-AOS-Key: " + MACHINE_KEY);
    assertDecision(d, 400, "MALFORMED_REQUEST");
    assertThat(d.get("detail")).isEqualTo(detail);
    assertThat(d.get("plane")).isNull();
  }

  @Test
  void row2() throws Exception {
    Map<String, Object> d = decide("prod", "GET", "/admin/users");
    assertDecision(d, 404, "UNMAPPED_ROUTE");
    assertThat(d.get("rule")).isNull();
  }

  @Test
  void row3() throws Exception {
    assertDecision(decide("prod", "GET", "/__debug/openapi_inspect"), 404, "DEBUG_DISABLED");
    assertDecision(decide("preprod", "GET", "/__debug/openapi_inspect"), 401, "MISSING_CREDENTIAL");
  }

  @Test
  void row4() throws Exception {
    Map<String, Object> d =
        decide("prod", "GET", "/healthz", "X-AOS-Key: x", "Authorization: Bearer y");
    assertDecision(d, 200, "PUBLIC");
    assertThat(d.get("principal")).isNull();
  }

  @Test
  void row5() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/runs?api_key=" + MACHINE_KEY, "X-AOS-Key: " + MACHINE_KEY),
        400,
        "CREDENTIAL_IN_QUERY");
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me?access_token=x"), 400, "CREDENTIAL_IN_QUERY");
  }

  @Test
  void row6() throws Exception {
    Map<String, Object> both =
        decide(
            "prod",
            "GET",
            "/api/v1/runs",
            "X-AOS-Key: " + MACHINE_KEY,
            "Authorization: Bearer " + JWT_SHAPED);
    assertDecision(both, 400, "AMBIGUOUS_CREDENTIALS");
    assertThat(both.get("violation")).isEqualTo(true);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "X-AOS-Key: " + MACHINE_KEY, "X-AOS-Key: other"),
        400,
        "AMBIGUOUS_CREDENTIALS");
  }

  @Test
  void row7() throws Exception {
    Map<String, Object> d =
        decide("prod", "GET", "/api/v1/accounts/me", "X_AOS_Key: " + MACHINE_KEY);
    assertDecision(d, 401, "MISSING_CREDENTIAL");
    assertThat(d.get("plane")).isEqualTo("human");
  }

  @Test
  void row8() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Key: " + MACHINE_KEY),
        401,
        "CROSS_PLANE_CREDENTIAL");
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer " + MACHINE_KEY),
        401,
        "CROSS_PLANE_CREDENTIAL");
    assertDecision(
        decide("prod", "POST", "/api/v1/telemetry/events", "Authorization: Bearer " + JWT_SHAPED),
        401,
        "CROSS_PLANE_CREDENTIAL");
    Map<String, Object> d =
        decide("local", "GET", "/api/v1/runs", "X-AOS-Customer-Key: " + SANDBOX_KEY);
    assertDecision(d, 401, "CROSS_PLANE_CREDENTIAL");
    assertThat(d.get("violation")).isEqualTo(true);
  }

  @Test
  void row9() throws Exception {
    Map<String, Object> prod =
        decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + SANDBOX_KEY);
    assertDecision(prod, 401, "SANDBOX_FORBIDDEN");
    assertThat(prod.get("violation")).isEqualTo(true);
    Map<String, Object> test =
        decide("test", "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + SANDBOX_KEY);
    assertDecision(test, 401, "SANDBOX_FORBIDDEN");
    assertThat(test.get("violation")).isEqualTo(false);
  }

  @Test
  void row10() throws Exception {
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Basic dXNlcjpwYXNz"),
        401,
        "UNSUPPORTED_SCHEME");
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer\tabc"),
        401,
        "UNSUPPORTED_SCHEME");
  }

  @Test
  void aPlaneWithoutVerifierAnswersUnavailableNeverAllow() throws Exception {
    Map<String, Object> d =
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer " + JWT_SHAPED);
    assertDecision(d, 503, "VERIFIER_UNAVAILABLE");
    assertThat(d.get("detail")).isEqualTo("NOT_CONFIGURED");
    assertThat(((Number) d.get("retryAfter")).intValue()).isEqualTo(5);
  }

  @Test
  void decideIsHermeticAndPrintsNoCredential() throws Exception {
    // The process environment says prod; --mode says local; --mode wins.
    CliRun r =
        CliRun.run(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"),
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "local",
            "--method",
            "GET",
            "--target",
            "/__debug/x",
            "--header",
            "X-AOS-Key: " + MACHINE_KEY);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("CROSS_PLANE_CREDENTIAL").doesNotContain(MACHINE_KEY);
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    assertThat(
            CliRun.run("decide", "--policy", policy.toString(), "--mode", "prod", "--method", "GET")
                .exit())
        .isEqualTo(2);
    assertThat(
            CliRun.run(
                    "decide",
                    "--policy",
                    policy.toString(),
                    "--mode",
                    "staging",
                    "--method",
                    "GET",
                    "--target",
                    "/")
                .exit())
        .isEqualTo(2);
    assertThat(
            CliRun.run(
                    "decide",
                    "--policy",
                    policy.toString(),
                    "--mode",
                    "prod",
                    "--method",
                    "GET",
                    "--target",
                    "/",
                    "--sandbox")
                .exit())
        .as("sandbox in prod")
        .isEqualTo(2);
    assertThat(
            CliRun.run(
                    "decide",
                    "--policy",
                    policy.toString(),
                    "--mode",
                    "prod",
                    "--method",
                    "GET",
                    "--target",
                    "/",
                    "--header",
                    "no colon")
                .exit())
        .isEqualTo(2);
    assertThat(
            CliRun.run(
                    "decide",
                    "--policy",
                    dir.resolve("missing").toString(),
                    "--mode",
                    "prod",
                    "--method",
                    "GET",
                    "--target",
                    "/")
                .exit())
        .isEqualTo(2);
    CliRun json = CliRun.run("decide", "--bogus", "--json");
    assertThat(json.exit()).isEqualTo(2);
    assertThat(JSONObjectUtils.parse(json.out())).containsEntry("error", "usage");
  }
}

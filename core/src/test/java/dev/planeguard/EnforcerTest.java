package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyVerifier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decision table, rows that need no working verifier: 1-10, the verifier-failure rows' mapping
 * (11-13 rejections, 16) and the fail-closed paths. Verifiers here never accept anything: an
 * allowed decision needs a real credential and is tested with the real verifiers.
 */
public class EnforcerTest {

  public static final Policy POLICY = Policy.parse(PolicyTest.EXAMPLE, "example.policy");
  static final String MACHINE_KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
  static final String SANDBOX_KEY = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL).value();
  static final String JWT_SHAPED =
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLW5vdC12ZXJpZmllZA";

  final List<AuditEvent> audit = new ArrayList<>();
  final AtomicLong ticks = new AtomicLong();

  /** Verifiers that must not be reached: rows 1-10 decide without them. */
  public static final TokenVerifier UNREACHABLE_TOKENS =
      token -> {
        throw new AssertionError("the token verifier must not be reached");
      };

  public static final KeyVerifier UNREACHABLE_KEYS =
      (key, kind, mode) -> {
        throw new AssertionError("the key verifier must not be reached");
      };

  Enforcer enforcer(String mode) {
    return enforcer(mode, UNREACHABLE_TOKENS, UNREACHABLE_KEYS, null);
  }

  Enforcer enforcer(String mode, TokenVerifier tokens, KeyVerifier keys, KeyVerifier sandbox) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    if (sandbox != null && mode.equals("test")) {
      env.put("CUSTOMER_SANDBOX_ENABLED", "true");
    }
    Enforcer.Builder b =
        Enforcer.builder()
            .contract(Contract.parse(env))
            .policy(POLICY)
            .tokenVerifier(tokens)
            .machineKeyVerifier(keys)
            .auditSink(audit::add)
            .clock(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC))
            .ticker(() -> ticks.addAndGet(1_000));
    if (sandbox != null) {
      b.sandboxKeyVerifier(sandbox);
    }
    return b.build();
  }

  public static InboundRequest request(String method, String target, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      map.computeIfAbsent(h.substring(0, colon), k -> new ArrayList<>())
          .add(h.substring(colon + 1).strip());
    }
    return InboundRequest.of(method, target, map);
  }

  Decision decide(String mode, String method, String target, String... headers) {
    return enforcer(mode).decide(request(method, target, headers));
  }

  // Row 1
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "GET,     /api/v1/%2e%2e/admin,            ENCODED_DOT",
    "GET,     /health/..;/api/v1/runs/1,       SEMICOLON",
    "GET,     //api/v1/accounts/me,            EMPTY_SEGMENT",
    "GET,     /api/v1/accounts/me%0a,          CONTROL_CHARACTER",
    "GET,     /api/v1/accounts/%252e,          ENCODED_PERCENT",
    "TRACE,   /api/v1/accounts/me,             DISALLOWED_METHOD",
    "get,     /healthz,                        DISALLOWED_METHOD",
    "GET,     /healthz?x=%0g,                  BAD_ENCODING",
    "GET,     /healthz#x,                      FRAGMENT",
  })
  void row1MalformedRequestsAreRefusedBeforeMatching(String method, String target, Detail detail) {
    Decision d = decide("prod", method, target, "X-AOS-Key: " + MACHINE_KEY);
    assertDecision(d, 400, Reason.MALFORMED_REQUEST, detail);
    assertThat(d.rule()).isNull();
    assertThat(d.plane()).isNull();
  }

  @Test
  void row1TheContainerPathMustAgreeWithTheRawPathDecodedOnce() {
    InboundRequest agreeing = new ContainerRequest("/api/v1/%61ccounts/me", "/api/v1/accounts/me");
    InboundRequest disagreeing = new ContainerRequest("/api/v1/accounts/me", "/healthz");
    Enforcer e = enforcer("prod");
    assertThat(e.decide(agreeing).reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertDecision(e.decide(disagreeing), 400, Reason.MALFORMED_REQUEST, Detail.PATH_MISMATCH);
  }

  // Row 2
  @Test
  void row2UnmappedRoutesAre404() {
    assertDecision(decide("prod", "GET", "/admin"), 404, Reason.UNMAPPED_ROUTE, null);
    assertDecision(decide("prod", "GET", "/API/v1/accounts/me"), 404, Reason.UNMAPPED_ROUTE, null);
    assertDecision(
        decide("prod", "DELETE", "/api/v1/runs/1", "X-AOS-Key: " + MACHINE_KEY),
        404,
        Reason.UNMAPPED_ROUTE,
        null);
    assertDecision(decide("prod", "POST", "/healthz/x"), 404, Reason.UNMAPPED_ROUTE, null);
  }

  // Row 3
  @Test
  void row3DebugRoutesDoNotExistInProd() {
    assertDecision(
        decide("prod", "GET", "/__debug/openapi_inspect"), 404, Reason.DEBUG_DISABLED, null);
    // preprod keeps debug routes, behind the plane's credential
    assertDecision(
        decide("preprod", "GET", "/__debug/openapi_inspect"), 401, Reason.MISSING_CREDENTIAL, null);
    assertDecision(
        decide("preprod", "GET", "/__debug/openapi_inspect", "X-AOS-Key: " + MACHINE_KEY),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
  }

  // Row 4
  @Test
  void row4PublicRoutesDoNotExamineCredentials() {
    Decision d =
        decide(
            "prod",
            "GET",
            "/healthz?api_key=x",
            "Authorization: Basic a",
            "Authorization: Bearer b",
            "X-AOS-Key: c");
    assertThat(d.allowed()).isTrue();
    assertDecision(d, 200, Reason.PUBLIC, null);
    assertThat(d.principal()).isNull();
    assertThat(decide("prod", "GET", "/healthz/").reason()).isEqualTo(Reason.PUBLIC);
  }

  // Row 5
  @ParameterizedTest
  @CsvSource({
    "/api/v1/runs?api_key=x",
    "/api/v1/runs?access_token=x",
    "/api/v1/runs?a=1&X-AOS-Key=x",
    "/api/v1/runs?x_aos_customer_key=x",
    "/api/v1/accounts/me?id_token=x",
    "/api/v1/accounts/me?ApiKey",
  })
  void row5CredentialsInTheQueryAreRefused(String target) {
    assertDecision(
        decide("prod", "GET", target, "X-AOS-Key: " + MACHINE_KEY),
        400,
        Reason.CREDENTIAL_IN_QUERY,
        null);
  }

  // Row 6
  @Test
  void row6TwoCarriersOrARepeatedCarrierAreAmbiguous() {
    Decision both =
        decide(
            "prod",
            "GET",
            "/api/v1/runs",
            "Authorization: Bearer " + JWT_SHAPED,
            "X-AOS-Key: " + MACHINE_KEY);
    assertDecision(both, 400, Reason.AMBIGUOUS_CREDENTIALS, null);
    assertThat(both.violation()).isTrue();
    assertDecision(
        decide(
            "prod",
            "GET",
            "/api/v1/runs",
            "X-AOS-Key: " + MACHINE_KEY,
            "X-AOS-Key: " + MACHINE_KEY),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertDecision(
        decide(
            "prod",
            "GET",
            "/api/v1/accounts/me",
            "Authorization: Bearer a.b.c",
            "authorization: Bearer a.b.c"),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertDecision(
        decide(
            "local",
            "GET",
            "/api/v1/accounts/me",
            "Authorization: Bearer a.b.c",
            "X-AOS-Customer-Key: " + SANDBOX_KEY),
        400,
        Reason.AMBIGUOUS_CREDENTIALS,
        null);
    assertThat(audit.get(audit.size() - 1).carriers())
        .containsExactly("Authorization", "X-AOS-Customer-Key");
  }

  // Row 7
  @Test
  void row7NoCredentialIs401() {
    Decision d =
        decide(
            "prod",
            "GET",
            "/api/v1/accounts/me",
            "X_AOS_Key: " + MACHINE_KEY,
            "Proxy-Authorization: Bearer x");
    assertDecision(d, 401, Reason.MISSING_CREDENTIAL, null);
    assertThat(d.plane()).isEqualTo(Plane.HUMAN);
    assertThat(d.violation()).isFalse();
  }

  // Row 8
  @Test
  void row8CredentialsOfAnotherPlaneAreRefused() {
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Key: " + MACHINE_KEY),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer " + MACHINE_KEY),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: bearer " + MACHINE_KEY),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "Authorization: Bearer " + JWT_SHAPED),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        decide("prod", "GET", "/api/v1/runs", "Authorization: Basic dXNlcjpwYXNz"),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    assertDecision(
        decide("local", "GET", "/api/v1/runs", "X-AOS-Customer-Key: " + SANDBOX_KEY),
        401,
        Reason.CROSS_PLANE_CREDENTIAL,
        null);
    // The header decides the plane: a JWT in the machine header is still a machine credential.
    assertThat(decide("prod", "GET", "/api/v1/accounts/me", "X-AOS-Key: " + JWT_SHAPED).reason())
        .isEqualTo(Reason.CROSS_PLANE_CREDENTIAL);
    assertThat(audit).allSatisfy(e -> assertThat(e.violation()).isTrue());
  }

  // Row 9
  @Test
  void row9SandboxKeysOnlyWhereTheModeAllowsThem() {
    for (String mode : List.of("test", "preprod", "prod")) {
      Decision d = decide(mode, "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + SANDBOX_KEY);
      assertDecision(d, 401, Reason.SANDBOX_FORBIDDEN, null);
      assertThat(d.violation()).as(mode).isEqualTo(!mode.equals("test"));
    }
    // local allows sandbox keys, but without a sandbox verifier there is nothing to accept them
    assertThat(
            decide("local", "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key: " + SANDBOX_KEY)
                .reason())
        .isEqualTo(Reason.SANDBOX_FORBIDDEN);
  }

  // Row 10
  @ParameterizedTest
  @CsvSource({
    "Basic dXNlcjpwYXNz",
    "Digest username=x",
    "ApiKey abc",
    "Bearer\tabc.def.ghi",
    "Bearerabc.def.ghi",
    "Token abc",
  })
  void row10OtherSchemesAreUnsupported(String authorization) {
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: " + authorization),
        401,
        Reason.UNSUPPORTED_SCHEME,
        null);
  }

  @Test
  void row11ABearerWithoutTokenIsMalformedWithoutReachingTheVerifier() {
    assertDecision(
        decide("prod", "GET", "/api/v1/accounts/me", "Authorization: Bearer"),
        401,
        Reason.INVALID_TOKEN,
        Detail.MALFORMED);
  }

  @Test
  void rows11To13AndRow16TakeTheVerifiersRefusal() {
    Enforcer e =
        enforcer(
            "prod",
            token -> new Verification.Rejected(Reason.INVALID_TOKEN, Detail.EXPIRED),
            (key, kind, mode) -> {
              assertThat(kind).isEqualTo(ApiKey.Kind.MACHINE);
              assertThat(mode).isEqualTo(Mode.PROD);
              return key.equals(MACHINE_KEY)
                  ? new Verification.Rejected(Reason.REVOKED_KEY, Detail.UNKNOWN_ID)
                  : new Verification.Unavailable(Detail.KEY_STORE_UNAVAILABLE);
            },
            null);
    assertDecision(
        e.decide(request("GET", "/api/v1/accounts/me", "Authorization: Bearer " + JWT_SHAPED)),
        401,
        Reason.INVALID_TOKEN,
        Detail.EXPIRED);
    assertDecision(
        e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + MACHINE_KEY)),
        401,
        Reason.REVOKED_KEY,
        Detail.UNKNOWN_ID);
    Decision unavailable = e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: other"));
    assertDecision(unavailable, 503, Reason.VERIFIER_UNAVAILABLE, Detail.KEY_STORE_UNAVAILABLE);
    assertThat(unavailable.retryAfterSeconds()).isEqualTo(5);
  }

  @Test
  void anExceptionInsideADecisionIsADenyNeverAnAllow() {
    Enforcer e =
        enforcer(
            "prod",
            token -> {
              throw new IllegalStateException("boom " + token);
            },
            (key, kind, mode) -> {
              throw new NullPointerException();
            },
            null);
    Decision human =
        e.decide(request("GET", "/api/v1/accounts/me", "Authorization: Bearer " + JWT_SHAPED));
    assertDecision(human, 503, Reason.VERIFIER_UNAVAILABLE, Detail.INTERNAL_ERROR);
    assertThat(human.allowed()).isFalse();
    assertThat(human.principal()).isNull();
    assertDecision(
        e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + MACHINE_KEY)),
        503,
        Reason.VERIFIER_UNAVAILABLE,
        Detail.INTERNAL_ERROR);
    assertThat(audit).hasSize(2);
  }

  @Test
  void aPrincipalOfTheWrongPlaneIsADeny() {
    Enforcer e =
        enforcer(
            "prod",
            token -> new Verification.Verified(new MachinePrincipal("k", null, java.util.Set.of())),
            (key, kind, mode) ->
                new Verification.Verified(
                    new HumanPrincipal(
                        "s", "https://issuer", null, null, java.util.Set.of(), Map.of())),
            null);
    assertDecision(
        e.decide(request("GET", "/api/v1/accounts/me", "Authorization: Bearer " + JWT_SHAPED)),
        503,
        Reason.VERIFIER_UNAVAILABLE,
        Detail.INTERNAL_ERROR);
    assertDecision(
        e.decide(request("GET", "/api/v1/runs", "X-AOS-Key: " + MACHINE_KEY)),
        503,
        Reason.VERIFIER_UNAVAILABLE,
        Detail.INTERNAL_ERROR);
  }

  @Test
  void aVerifierMayNotInventAReason() {
    assertThatThrownBy(() -> new Verification.Rejected(Reason.AUTHENTICATED, Detail.MALFORMED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Verification.Rejected(Reason.PUBLIC, Detail.MALFORMED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyDecisionProducesOneAuditEventWithoutCredentials() {
    decide(
        "prod", "GET", "/api/v1/accounts/me?api_key=" + MACHINE_KEY, "X-AOS-Key: " + MACHINE_KEY);
    decide(
        "prod",
        "GET",
        "/api/v1/runs/" + MACHINE_KEY + "/x" + JWT_SHAPED,
        "Authorization: Bearer " + JWT_SHAPED);
    decide("prod", "GET", "/healthz");
    assertThat(audit).hasSize(3);
    AuditEvent first = audit.get(0);
    assertThat(first.reason()).isEqualTo(Reason.CREDENTIAL_IN_QUERY);
    assertThat(first.path()).isEqualTo("/api/v1/accounts/me");
    assertThat(first.route()).isEqualTo("/api/v1/accounts/**");
    assertThat(first.plane()).isEqualTo(Plane.HUMAN);
    assertThat(first.mode()).isEqualTo(Mode.PROD);
    assertThat(first.time()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    assertThat(first.durationNanos()).isEqualTo(1_000);
    AuditEvent second = audit.get(1);
    assertThat(second.reason()).isEqualTo(Reason.CROSS_PLANE_CREDENTIAL);
    assertThat(second.path()).isEqualTo("/api/v1/runs/<key>/x<jwt>");
    assertThat(second.carriers()).containsExactly("Authorization");
    assertThat(second.violation()).isTrue();
    assertThat(audit.get(2).allowed()).isTrue();
    for (AuditEvent e : audit) {
      assertThat(e.toString()).doesNotContain(MACHINE_KEY).doesNotContain(JWT_SHAPED);
      assertThat(dev.planeguard.internal.Slf4jAuditSink.format(e))
          .doesNotContain(MACHINE_KEY)
          .doesNotContain(JWT_SHAPED);
    }
  }

  @Test
  void attackerControlledValuesAreEscapedAndCappedInAudit() {
    InboundRequest hostile =
        request("GET", "/" + "a".repeat(300) + "%22%5C", "X-Request-Id: r\"1\n" + "z".repeat(200));
    enforcer("prod").decide(new ContainerRequest(hostile.path(), null, "id\"\n" + "z".repeat(200)));
    AuditEvent e = audit.get(0);
    assertThat(e.path()).hasSizeLessThan(280).endsWith(")");
    assertThat(e.requestId()).doesNotContain("\n").hasSizeLessThan(90);
    String line = dev.planeguard.internal.Slf4jAuditSink.format(e);
    assertThat(line).doesNotContain("\n");
  }

  @Test
  void aThrowingAuditSinkDoesNotChangeTheDecision() {
    Enforcer e =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(POLICY)
            .tokenVerifier(UNREACHABLE_TOKENS)
            .machineKeyVerifier(UNREACHABLE_KEYS)
            .auditSink(
                event -> {
                  throw new IllegalStateException("disk full");
                })
            .build();
    assertThat(e.decide(request("GET", "/healthz")).reason()).isEqualTo(Reason.PUBLIC);
    assertThat(e.decide(request("GET", "/nope")).reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
  }

  @Test
  void theBuilderListsEveryConfigurationProblem() {
    assertThatThrownBy(
            () ->
                Enforcer.builder()
                    .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
                    .policy(POLICY)
                    .sandboxKeyVerifier(UNREACHABLE_KEYS)
                    .machineKeyHeader("Authorization")
                    .sandboxKeyHeader("bad header")
                    .build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            ex ->
                assertThat(ex.problems())
                    .extracting(Problem::subject)
                    .containsExactly(
                        "human plane",
                        "machine plane",
                        "sandbox keys",
                        "sandbox key header",
                        "Authorization"));
  }

  @Test
  void sandboxVerifiersAreRefusedWhereTheContractForbidsSandbox() {
    Enforcer.Builder testWithoutSandbox =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon")))
            .policy(POLICY)
            .tokenVerifier(UNREACHABLE_TOKENS)
            .machineKeyVerifier(UNREACHABLE_KEYS)
            .sandboxKeyVerifier(UNREACHABLE_KEYS);
    assertThatThrownBy(testWithoutSandbox::build)
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            ex ->
                assertThat(ex.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.fix()).contains("CUSTOMER_SANDBOX_ENABLED=true")));
    Enforcer testWithSandbox =
        enforcer("test", UNREACHABLE_TOKENS, UNREACHABLE_KEYS, UNREACHABLE_KEYS);
    assertThat(testWithSandbox.contract().sandboxAllowed()).isTrue();
  }

  public static void assertDecision(Decision d, int status, Reason reason, Detail detail) {
    assertThat(d.reason()).as("reason of %s", d).isEqualTo(reason);
    assertThat(d.status()).as("status of %s", d).isEqualTo(status);
    assertThat(d.detail()).as("detail of %s", d).isEqualTo(detail);
    if (!reason.allows()) {
      assertThat(d.allowed()).isFalse();
      assertThat(d.principal()).isNull();
    }
  }

  /** A request as a servlet container would present it, with its own decoded path. */
  record ContainerRequest(String path, String containerPath, String requestId)
      implements InboundRequest {
    ContainerRequest(String path, String containerPath) {
      this(path, containerPath, null);
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String query() {
      return null;
    }

    @Override
    public List<String> headers(String name) {
      return List.of();
    }
  }
}

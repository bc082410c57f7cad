package dev.planeguard.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Admission;
import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.RateLimit;
import dev.planeguard.Reason;
import dev.planeguard.RouteCoverage;
import dev.planeguard.contract.RawHttp;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.test.PathConfusionKit;
import dev.planeguard.test.TestIssuer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Jakarta REST adapter on a real runtime over raw sockets: one server per test class with the
 * resources of {@link TestResources} and {@link PlaneGuardFeature}; each call reports the resource
 * methods that ran and the audit events it caused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JaxrsSuite {

  static final String POLICY =
      """
      human      /api/v1/accounts/**
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      public     /healthz
      human      /app/docs/**            methods=GET
      """;

  static final String REALM = "planeguard-test";
  static final String ISSUER = "https://login.planeguard.test";

  static final KeyStore.Writable KEYS = KeyStore.inMemory();
  static final ApiKey RUNNER = key(Set.of("runs:write"));
  static final ApiKey READER = key(Set.of());

  /** A key of its own rate limit: three requests a minute. */
  static final ApiKey LIMITED = limitedKey();

  static ApiKey limitedKey() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KEYS.add(
        KeyRecord.of(key, "acme", Set.of(), null)
            .withLimits(new KeyLimits(RateLimit.parse("3/1m"), null, null)));
    return key;
  }

  static ApiKey key(Set<String> scopes) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KEYS.add(KeyRecord.of(key, "acme", scopes, null));
    return key;
  }

  /** A running runtime. */
  interface Server extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  /** Starts the runtime under test with these resource classes and the feature. */
  abstract Server start(Set<Class<?>> classes, PlaneGuardFeature feature) throws Exception;

  /** The runtime's name, for messages. */
  abstract String runtime();

  final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
  TestIssuer issuer;
  JwtVerifier tokens;
  Enforcer enforcer;
  RouteCoverage coverage;
  ResourceModel resources;
  Server server;
  RawHttp http;

  @BeforeAll
  void startServer() throws Exception {
    issuer = TestIssuer.builder().issuerId(ISSUER).start();
    Path jwks = Files.createTempDirectory("planeguard-jwks").resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
    tokens =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(ISSUER)
                    .jwksFile(jwks)
                    .audiences(TestIssuer.DEFAULT_AUDIENCE)
                    .tenantClaim("org_id")
                    .build())
            .mode(Mode.PROD)
            .build();
    resources = ResourceModel.of("", TestResources.classes());
    Policy policy = RouteCoverage.policy(Policy.parse(POLICY, "test.policy"), resources.handlers());
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(policy)
            .tokenVerifier(tokens)
            .machineKeyVerifier(KeyVerifier.of(KEYS))
            .auditSink(audit::add)
            // A clock that does not move: the rate limit's window never refills during the test.
            .admission(
                Admission.builder()
                    .clock(Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC))
                    .build())
            .build();
    // Not PlaneGuard.cover: the numbered documents are deliberately reachable under another rule.
    coverage = RouteCoverage.of(enforcer.policy(), resources.handlers());
    PlaneGuardFeature feature =
        PlaneGuardFeature.builder(enforcer, coverage, resources)
            .realm(REALM)
            .requestIdHeader("X-Request-Id")
            .build();
    server = start(TestResources.classes(), feature);
    http = new RawHttp(server.port());
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
    if (tokens != null) {
      tokens.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  String token(String... scopes) {
    return issuer.token().subject("user-1").claim("org_id", "acme").scope(scopes).sign();
  }

  /** What one call did. */
  record Call(RawHttp.Response response, List<TestResources.Hit> hits, List<AuditEvent> audit) {
    int status() {
      return response.status();
    }

    String body() {
      return response.body();
    }

    List<String> ran() {
      return hits.stream().map(TestResources.Hit::resource).toList();
    }

    Reason reason() {
      assertThat(audit).as("audit events").hasSize(1);
      return audit.get(0).reason();
    }
  }

  Call call(String method, String target, String... headers) {
    return observe(() -> http.request(method, target, headers));
  }

  Call get(String target, String... headers) {
    return call("GET", target, headers);
  }

  private Call observe(Supplier<RawHttp.Response> send) {
    int hits = TestResources.HITS.size();
    int events = audit.size();
    RawHttp.Response response = send.get();
    // The audit event of an allow is recorded by the response filter, before the client has the
    // answer; a refusal's at once.
    List<TestResources.Hit> newHits;
    synchronized (TestResources.HITS) {
      newHits = List.copyOf(TestResources.HITS.subList(hits, TestResources.HITS.size()));
    }
    List<AuditEvent> newAudit;
    synchronized (audit) {
      newAudit = List.copyOf(audit.subList(events, audit.size()));
    }
    return new Call(response, newHits, newAudit);
  }

  /** The problem body the servlet filter writes, spelled out independently of the code. */
  static String problem(int status, String reason, String plane) {
    String title =
        switch (status) {
          case 400 -> "Bad Request";
          case 401 -> "Unauthorized";
          case 403 -> "Forbidden";
          case 404 -> "Not Found";
          default -> throw new IllegalArgumentException();
        };
    return "{\"type\":\"about:blank\",\"title\":\""
        + title
        + "\",\"status\":"
        + status
        + (reason == null ? "" : ",\"reason\":\"" + reason + "\"")
        + (plane == null ? "" : ",\"plane\":\"" + plane + "\"")
        + "}";
  }

  static final String PLAIN_404 = problem(404, null, null);

  /** A refusal exactly as the servlet filter writes it; no resource method ran. */
  static void assertRefused(Call call, int status, String body, String challenge) {
    RawHttp.Response r = call.response();
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.header("WWW-Authenticate")).isEqualTo(challenge);
    assertThat(r.header("Retry-After")).isNull();
    assertThat(call.hits()).as("resource methods that ran").isEmpty();
  }

  static final String BEARER = "Bearer realm=\"" + REALM + "\"";
  static final String API_KEY = "ApiKey realm=\"" + REALM + "\", header=\"X-AOS-Key\"";

  @Test
  void aPublicRouteAnswersWithoutCredential() {
    Call c = get("/healthz");
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.body()).isEqualTo("health");
    assertThat(c.ran()).containsExactly("health");
    assertThat(c.hits().get(0).user()).isEqualTo("null");
    assertThat(c.reason()).isEqualTo(Reason.PUBLIC);
    assertThat(c.audit().get(0).responseStatus()).isEqualTo(200);
  }

  @Test
  void aHumanRouteWithoutCredentialIsRefusedWithTheServletFiltersBytes() {
    Call c = get("/api/v1/accounts/me");
    assertRefused(c, 401, problem(401, "MISSING_CREDENTIAL", "human"), BEARER);
    assertThat(c.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
  }

  @Test
  void anApplicationResponseFilterCannotRewriteARefusal() {
    Call c = get("/api/v1/accounts/me");
    assertRefused(c, 401, problem(401, "MISSING_CREDENTIAL", "human"), BEARER);
    // The application's filter ran (it may add headers), but the refusal is the engine's.
    assertThat(c.response().header("X-App")).isEqualTo("seen");
  }

  @Test
  void aTokenReachesTheResourceWithItsPrincipalInTheSecurityContext() {
    Call c = get("/api/v1/accounts/me", "Authorization: Bearer " + token("runs:write"));
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.hits())
        .containsExactly(
            new TestResources.Hit(
                "accounts", "user-1", "Bearer", false, List.of("runs:write"), "user-1"));
    assertThat(c.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(c.audit().get(0).responseStatus()).isEqualTo(200);
  }

  @Test
  void aMachineKeyOnAHumanRouteIsCrossPlane() {
    Call c = get("/api/v1/accounts/me", "X-AOS-Key: " + RUNNER.value());
    assertRefused(c, 401, problem(401, "CROSS_PLANE_CREDENTIAL", "human"), BEARER);
  }

  @Test
  void aTokenOnAMachineRouteIsCrossPlane() {
    Call c = get("/api/v1/runs", "Authorization: Bearer " + token());
    assertRefused(c, 401, problem(401, "CROSS_PLANE_CREDENTIAL", "machine"), API_KEY);
  }

  @Test
  void aMachineKeyReachesAMachineRoute() {
    Call c = get("/api/v1/runs/42", "X-AOS-Key: " + RUNNER.value());
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.hits())
        .containsExactly(
            new TestResources.Hit(
                "run", RUNNER.id(), "ApiKey", false, List.of("runs:write"), RUNNER.id()));
  }

  @Test
  void aMissingScopeIsForbidden() {
    Call c = call("POST", "/api/v1/runs", "X-AOS-Key: " + READER.value(), "Content-Length: 0");
    assertRefused(c, 403, problem(403, "INSUFFICIENT_SCOPE", "machine"), null);
    Call ok = call("POST", "/api/v1/runs", "X-AOS-Key: " + RUNNER.value(), "Content-Length: 0");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.ran()).containsExactly("create");
  }

  @Test
  void aKeyOverItsRateLimitGets429AndAllowedAnswersCarryTheRateLimitFields() {
    for (int i = 0; i < 3; i++) {
      Call ok = get("/api/v1/runs", "X-AOS-Key: " + LIMITED.value());
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.ran()).containsExactly("runs");
      assertThat(ok.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
      assertThat(ok.response().header("RateLimit"))
          .isEqualTo("\"key\";r=" + (2 - i) + ";t=" + 20 * (i + 1));
    }
    Call limited = get("/api/v1/runs", "X-AOS-Key: " + LIMITED.value());
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"reason\":\"RATE_LIMITED\",\"plane\":\"machine\"}");
    assertThat(limited.response().header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(limited.response().header("Retry-After")).isEqualTo("20");
    assertThat(limited.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
    assertThat(limited.response().header("RateLimit")).isEqualTo("\"key\";r=0;t=20");
    assertThat(limited.hits()).isEmpty();
    Call other = get("/api/v1/runs", "X-AOS-Key: " + RUNNER.value());
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.response().header("RateLimit")).isNull();
  }

  @Test
  void twoCredentialsAreAmbiguous() {
    Call c = get("/api/v1/runs", "X-AOS-Key: " + RUNNER.value(), "X-AOS-Key: " + READER.value());
    assertRefused(c, 400, problem(400, "AMBIGUOUS_CREDENTIALS", "machine"), null);
  }

  @Test
  void anUnmappedRouteIsAPlain404() {
    Call c = get("/nothing/here", "X-AOS-Key: " + RUNNER.value());
    assertRefused(c, 404, PLAIN_404, null);
    assertThat(c.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
  }

  @Test
  void headIsServedByTheGetResourceAndDecidedAsHead() {
    Call ok = call("HEAD", "/api/v1/runs/7", "X-AOS-Key: " + RUNNER.value());
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.response().bodyBytes()).isEmpty();
    assertThat(ok.ran()).containsExactly("run");
    assertThat(ok.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(ok.audit().get(0).method()).isEqualTo("HEAD");
    Call refused = call("HEAD", "/api/v1/runs/7");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.response().header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(refused.response().header("Cache-Control")).isEqualTo("no-store");
    assertThat(refused.response().header("WWW-Authenticate")).isEqualTo(API_KEY);
    assertThat(refused.response().bodyBytes()).isEmpty();
    assertThat(refused.hits()).isEmpty();
  }

  @Test
  void aResourceTheAppliedRuleDoesNotCoverDoesNotRun() {
    // GET /app/docs/123 is decided by the public page's rule (its regex reads as /app/docs/*), but
    // the runtime dispatches it to the numbered documents, which the human file rule covers.
    Call c = get("/app/docs/123");
    assertRefused(c, 404, PLAIN_404, null);
    assertThat(c.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(c.audit().get(0).violation()).isTrue();
    Call page = get("/app/docs/intro");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.ran()).containsExactly("page");
  }

  @Test
  void aMethodOverrideAfterTheEdgeIsDecidedAgainOnTheMethodServed() {
    // The edge allows POST (runs:write); the application's own pre-matching filter turns it into
    // DELETE, which a @DenyAll method serves: decided again, it is refused and does not run.
    Call c =
        call(
            "POST",
            "/api/v1/runs/purge?_method=DELETE",
            "X-AOS-Key: " + RUNNER.value(),
            "Content-Length: 0");
    assertRefused(c, 404, PLAIN_404, null);
    assertThat(c.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(c.audit().get(0).method()).isEqualTo("DELETE");
  }

  @Test
  void aSubResourceLocatorsMethodsAreCoveredUnderItsPath() {
    Call ok = get("/api/v1/runs/7/steps", "X-AOS-Key: " + RUNNER.value());
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.ran()).containsExactly("steps");
    Call refused = get("/api/v1/runs/7/steps", "Authorization: Bearer " + token());
    assertRefused(refused, 401, problem(401, "CROSS_PLANE_CREDENTIAL", "machine"), API_KEY);
  }

  @Test
  void rolesAllowedAreRequiredScopes() {
    Call without = get("/api/v1/admin/1", "Authorization: Bearer " + token("runs:write"));
    assertRefused(
        without,
        403,
        problem(403, "INSUFFICIENT_SCOPE", "human"),
        BEARER + ", error=\"insufficient_scope\"");
    Call with = get("/api/v1/admin/1", "Authorization: Bearer " + token("admin"));
    assertThat(with.status()).isEqualTo(200);
    assertThat(with.hits().get(0).roles()).containsExactly("admin");
  }

  @Test
  void denyAllIsNeverAnswered() {
    Call c = call("DELETE", "/api/v1/runs/purge", "X-AOS-Key: " + RUNNER.value());
    assertRefused(c, 404, PLAIN_404, null);
  }

  @Test
  void permitAllIsPublic() {
    Call c = get("/open");
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.ran()).containsExactly("open");
    assertThat(c.reason()).isEqualTo(Reason.PUBLIC);
  }

  @Test
  void aMappedExceptionIsAuditedWithItsStatus() {
    Call c = get("/api/v1/runs/failing", "X-AOS-Key: " + RUNNER.value());
    assertThat(c.status()).isEqualTo(500);
    assertThat(c.ran()).containsExactly("failing");
    assertThat(c.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(c.audit().get(0).responseStatus()).isEqualTo(500);
  }

  @Test
  void theRuntimesOwnOptionsAnswerIsAFrameworkAnswer() {
    Call c = call("OPTIONS", "/healthz");
    assertThat(c.status()).isIn(200, 204);
    assertThat(c.hits()).isEmpty();
    assertThat(c.reason()).isEqualTo(Reason.PUBLIC);
  }

  /**
   * The status the runtime itself answers for a target {@code java.net.URI} cannot parse (a raw
   * backslash, {@code %u0037}); such a request never reaches Jakarta REST, so neither planeguard
   * nor any resource sees it.
   */
  abstract int unparsableTargetStatus();

  @Test
  void pathTricksAreRefusedBeforeMatching() {
    String key = "X-AOS-Key: " + RUNNER.value();
    Map<String, String> tricks =
        Map.ofEntries(
            Map.entry("/healthz/%2e%2e/api/v1/runs", "ENCODED_DOT"),
            Map.entry("/api/v1/runs/%2e", "ENCODED_DOT"),
            Map.entry("/api/v1/runs;x=1", "SEMICOLON"),
            Map.entry("/api/v1/runs/7;x=1", "SEMICOLON"),
            Map.entry("/api/v1//runs", "EMPTY_SEGMENT"),
            Map.entry("//api/v1/runs", "EMPTY_SEGMENT"),
            Map.entry("/api/v1/runs%2F7", "ENCODED_SLASH"),
            Map.entry("/api/v1/runs%2f7", "ENCODED_SLASH"),
            Map.entry("/api/v1/./runs", "DOT_SEGMENT"),
            Map.entry("/api/v1/x/../runs", "DOT_SEGMENT"));
    tricks.forEach(
        (target, detail) -> {
          Call c = get(target, key);
          assertRefused(c, 400, problem(400, "MALFORMED_REQUEST", null), null);
          assertThat(c.audit()).hasSize(1);
          assertThat(c.audit().get(0).detail()).hasToString(detail);
        });
    for (String target : List.of("/api/v1/runs\\7", "/api/v1/runs/%u0037")) {
      Call c = get(target, key);
      assertThat(c.status()).as(target).isEqualTo(unparsableTargetStatus());
      assertThat(c.hits()).isEmpty();
      assertThat(c.audit()).as("never reached planeguard").isEmpty();
    }
    // Decoded, %37 is 7 and planeguard allows it; both runtimes match a regular expression against
    // the still-encoded path, so {id: [0-9]+} does not match and no resource runs (the
    // application's response filter turns the 404 into its own answer, which is what is audited).
    Call encodedDigit = get("/api/v1/runs/%37", key);
    assertThat(encodedDigit.hits()).isEmpty();
    assertThat(encodedDigit.body()).isEqualTo("rewritten");
    assertThat(encodedDigit.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(encodedDigit.audit().get(0).responseStatus()).isEqualTo(200);
  }

  @Test
  void noPathTrickChangesADecision() {
    PathConfusionKit.Report report =
        PathConfusionKit.against(URI.create("http://127.0.0.1:" + server.port()))
            .humanRoute("GET", "/api/v1/accounts/me")
            .machineRoute("GET", "/api/v1/runs/42")
            .machineRoute("GET", "/api/v1/runs/42/steps")
            .publicRoute("GET", "/healthz")
            .publicRoute("GET", "/open")
            .unmappedRoute("GET", "/admin")
            .bearerToken(token())
            .machineKey(RUNNER.value())
            .build()
            .run();
    // Only the runtime's own answer to targets it cannot parse may differ (see above).
    String runtimeAnswer = "answered " + unparsableTargetStatus() + ",";
    assertThat(report.mismatches())
        .allSatisfy(
            m -> {
              assertThat(m).contains(runtimeAnswer);
              assertThat(m).containsAnyOf("%u", "\\");
            });
    assertThat(report.probes()).isGreaterThan(1000);
  }
}

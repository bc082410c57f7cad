package dev.planeguard.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditEvent;
import dev.planeguard.Detail;
import dev.planeguard.Reason;
import dev.planeguard.test.PathConfusionKit;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every planeguard adapter owes its users, whatever the framework: the same decisions, the
 * same refusal bytes, no handler run without an allowed decision for a rule that covers it. A
 * subclass starts one real server of its adapter ({@link #start}); requests are raw bytes on a
 * socket, so nothing is normalised on the way.
 *
 * <p>Every call checks the plane invariant: each handler that ran did so after an allowed decision
 * for the rule that covers its route (the suite's own table, not the adapter's coverage).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AdapterContract {

  static final String ACCOUNTS = "/api/v1/accounts/me";
  static final String RUNS = "/api/v1/runs";
  static final String SUMMARIES = "/api/v1/summaries/s-1";

  /** Shaped like a JWT, from no configured issuer: INVALID_TOKEN (WRONG_ISSUER). */
  static final String JWT =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEiLCJpc3MiOiJodHRwczovL2lzc3VlciJ9"
          + ".c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtdmVyaWZ5";

  private @Nullable ContractApp app;
  private @Nullable ContractServer server;
  private @Nullable RawHttp http;

  /**
   * Starts a real server on {@code 127.0.0.1} (an ephemeral port, no context path) serving every
   * route of {@code app} through the adapter under test, built on {@link ContractApp#enforcer()}
   * with {@link ContractApp#realm()} and {@link ContractApp#requestIdHeader()}. Each handler
   * answers {@code 200 text/plain} with the body {@link ContractApp#handle} returns. The adapter
   * confirms the handler the framework chose (decision row 18) with the route coverage it computes
   * from the framework's own handlers, as an application using it would.
   */
  protected abstract ContractServer start(ContractApp app) throws Exception;

  /**
   * A way a server differs from the others before the adapter sees a request, which the contract
   * accepts because the adapter still decides what the application serves. A runner declares those
   * of its server in {@link #deviations()}; the tests they concern then check the alternative.
   */
  protected enum Deviation {
    /**
     * The server rewrites what it parsed before the application sees it (Undertow reads {@code get}
     * as {@code GET} and a tab in a header value as a space; Grizzly drops {@code ;jsessionid=}):
     * the adapter decides the rewritten request, the one the application serves.
     */
    REWRITES_REQUESTS,
    /**
     * Handlers are matched against the still-encoded path (Jakarta REST): a percent-encoded letter
     * is decided on the decoded path but reaches another handler or none, which is refused at
     * dispatch or not found. The parity kit's probes are then checked for handlers only.
     */
    MATCHES_ENCODED_PATH,
    /**
     * The server answers 500 to a target it cannot parse (Grizzly: a raw backslash, {@code %u}
     * escapes, a lone {@code %}), before the application or the adapter sees it.
     */
    FAILS_UNPARSEABLE_TARGETS
  }

  /** The deviations of the server under test; none by default. */
  protected Set<Deviation> deviations() {
    return Set.of();
  }

  @BeforeAll
  final void startServer() throws Exception {
    ContractApp created = new ContractApp();
    app = created;
    ContractServer started = start(created);
    server = started;
    http = new RawHttp(started.port());
  }

  @AfterAll
  final void stopServer() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (app != null) {
        app.close();
      }
    }
  }

  private ContractApp app() {
    if (app == null) {
      throw new IllegalStateException("the server did not start");
    }
    return app;
  }

  private RawHttp http() {
    if (http == null) {
      throw new IllegalStateException("the server did not start");
    }
    return http;
  }

  // ---------------------------------------------------------------- calls

  /** What one call did: the response, the handlers that ran and the decisions taken. */
  record Call(RawHttp.Response response, List<ContractApp.Hit> hits, List<AuditEvent> audit) {

    int status() {
      return response.status();
    }

    String body() {
      return response.body();
    }

    /** The one decision of the call. */
    AuditEvent decision() {
      assertThat(audit).as("decisions of the call").hasSize(1);
      return audit.get(0);
    }
  }

  Call call(String method, String target, String... headers) {
    return observe(() -> http().request(method, target, headers));
  }

  Call get(String target, String... headers) {
    return call("GET", target, headers);
  }

  Call raw(byte[] request) {
    return observe(() -> http().send(request));
  }

  /**
   * Sends, then waits until the application's record has settled: the allow of a request is
   * recorded when its response is complete, which the client may see a moment earlier. Then checks
   * the plane invariant for every handler that ran.
   */
  private Call observe(Supplier<RawHttp.Response> send) {
    ContractApp a = app();
    int hitsBefore = a.hits.size();
    int auditBefore = a.audit.size();
    RawHttp.Response response = send.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int unchanged = 0;
    int size = -1;
    List<ContractApp.Hit> hits;
    List<AuditEvent> audit;
    while (true) {
      synchronized (a.hits) {
        hits = List.copyOf(a.hits.subList(hitsBefore, a.hits.size()));
      }
      synchronized (a.audit) {
        audit = List.copyOf(a.audit.subList(auditBefore, a.audit.size()));
      }
      unchanged = audit.size() == size ? unchanged + 1 : 0;
      size = audit.size();
      if (unchanged >= 3 && everyHitAllowed(hits, audit)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        for (ContractApp.Hit hit : hits) {
          String rule = ContractApp.RULE_OF_ROUTE.get(hit.route());
          assertThat(audit)
              .as(
                  "%s ran without an allowed decision for %s, the rule that covers it; decisions:"
                      + " %s",
                  hit.route(), rule, audit)
              .anyMatch(e -> e.allowed() && java.util.Objects.equals(rule, e.route()));
        }
        break;
      }
      sleep();
    }
    return new Call(response, hits, audit);
  }

  private static boolean everyHitAllowed(List<ContractApp.Hit> hits, List<AuditEvent> audit) {
    for (ContractApp.Hit hit : hits) {
      String rule = ContractApp.RULE_OF_ROUTE.get(hit.route());
      if (audit.stream()
          .noneMatch(e -> e.allowed() && e.route() != null && e.route().equals(rule))) {
        return false;
      }
    }
    return true;
  }

  private static void sleep() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  // ---------------------------------------------------------------- expected bytes

  static String problem(int status, @Nullable String reason, @Nullable String plane) {
    return Expected.problem(status, reason, plane);
  }

  static final String PLAIN_404 = Expected.PLAIN_404;

  /** A refusal of this reason on this plane: body, headers, challenge; no handler ran. */
  static void assertRefused(Call call, int status, String reason, @Nullable String plane) {
    assertRefusedWith(call, status, problem(status, reason, plane));
    assertChallenge(call, status, reason, plane);
  }

  /** A response the adapter wrote with exactly this body; no handler ran. */
  static void assertRefusedWith(Call call, int status, String body) {
    RawHttp.Response r = call.response();
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.header("Content-Type")).as("%s", r).isEqualTo("application/problem+json");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
    assertNoHandlerRan(call);
  }

  static void assertChallenge(Call call, int status, String reason, @Nullable String plane) {
    assertThat(call.response().header("WWW-Authenticate"))
        .isEqualTo(Expected.challenge(status, reason, plane, ContractApp.REALM));
  }

  static void assertNoHandlerRan(Call call) {
    assertThat(call.hits()).as("handlers that ran").isEmpty();
  }

  /** A call the handler of {@code route} answered, once, for this caller. */
  static void assertServed(Call call, String route, String method, @Nullable String principal) {
    assertThat(call.status()).as("%s", call.response()).isEqualTo(200);
    if (!method.equals("HEAD")) {
      assertThat(call.body())
          .isEqualTo("handler=" + route + " principal=" + (principal == null ? "-" : principal));
    }
    assertThat(call.hits())
        .extracting(ContractApp.Hit::route, ContractApp.Hit::principal)
        .containsExactly(Tuple.tuple(route, principal));
  }

  String bearer(String... scopes) {
    return "Authorization: Bearer " + app().token(scopes);
  }

  String key(dev.planeguard.keys.ApiKey key) {
    return "X-AOS-Key: " + key.value();
  }

  // ---------------------------------------------------------------- the planes

  @Test
  void aMissingCredentialIsChallengedOnEachPlane() {
    Call human = get(ACCOUNTS);
    assertRefused(human, 401, "MISSING_CREDENTIAL", "human");
    assertThat(human.decision().reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertRefused(get(RUNS), 401, "MISSING_CREDENTIAL", "machine");
  }

  @Test
  void aValidTokenReachesItsHandlerWithItsPrincipal() {
    Call call = get(ACCOUNTS, bearer());
    assertServed(call, "accounts", "GET", "user-1");
    AuditEvent event = call.decision();
    assertThat(event.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(event.principalId()).isEqualTo("user-1");
    assertThat(event.tenant()).isEqualTo("acme");
    assertThat(event.route()).isEqualTo("/api/v1/accounts/**");
  }

  @Test
  void aValidMachineKeyReachesItsHandlerWithItsPrincipal() {
    ContractApp a = app();
    assertServed(get(RUNS, key(a.runner)), "runs", "GET", a.runner.id());
    Call run = get(RUNS + "/r-1", key(a.reader));
    assertServed(run, "run", "GET", a.reader.id());
    assertThat(run.decision().route()).isEqualTo("/api/v1/runs/**");
  }

  @Test
  void invalidCredentialsAreChallengedWithTheirScheme() {
    Call token = get(ACCOUNTS, "Authorization: Bearer " + JWT);
    assertRefused(token, 401, "INVALID_TOKEN", "human");
    assertThat(token.decision().detail()).isEqualTo(Detail.WRONG_ISSUER);
    String good = app().token();
    String forged = good.substring(0, good.lastIndexOf('.') + 1) + "c2lnbmF0dXJl" + "A".repeat(330);
    Call badSignature = get(ACCOUNTS, "Authorization: Bearer " + forged);
    assertRefused(badSignature, 401, "INVALID_TOKEN", "human");
    assertThat(badSignature.decision().detail()).isEqualTo(Detail.BAD_SIGNATURE);
    assertRefused(get(RUNS, key(app().unknown)), 401, "INVALID_KEY", "machine");
  }

  @Test
  void credentialsOfTheOtherPlaneAreCrossPlane() {
    ContractApp a = app();
    Call keyOnHuman = get(ACCOUNTS, key(a.runner));
    assertRefused(keyOnHuman, 401, "CROSS_PLANE_CREDENTIAL", "human");
    assertThat(keyOnHuman.decision().violation()).isTrue();
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer " + a.runner.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "human");
    assertRefused(get(RUNS, bearer("runs:write")), 401, "CROSS_PLANE_CREDENTIAL", "machine");
    assertRefused(
        get(RUNS, "X-AOS-Customer-Key: " + a.sandbox.value()),
        401,
        "CROSS_PLANE_CREDENTIAL",
        "machine");
    assertRefused(
        get(ACCOUNTS, "X-AOS-Customer-Key: " + a.sandbox.value()),
        401,
        "SANDBOX_FORBIDDEN",
        "human");
  }

  @Test
  void twoCredentialsAreAmbiguousInEitherOrderAndAnySpelling() {
    ContractApp a = app();
    String token = a.token();
    for (String target : List.of(ACCOUNTS, RUNS)) {
      String plane = target.equals(RUNS) ? "machine" : "human";
      assertRefused(
          get(target, "Authorization: Bearer " + token, key(a.runner)),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
      assertRefused(
          get(target, key(a.runner), "Authorization: Bearer " + token),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
      assertRefused(
          get(target, "x-aos-key: " + a.runner.value(), "X-AOS-KEY: " + a.runner.value()),
          400,
          "AMBIGUOUS_CREDENTIALS",
          plane);
    }
    assertRefused(
        get(ACCOUNTS, "authorization: Bearer " + token, "AUTHORIZATION: Bearer " + token),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "human");
    assertRefused(
        get(ACCOUNTS, "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer " + token),
        400,
        "AMBIGUOUS_CREDENTIALS",
        "human");
  }

  @Test
  void schemesAreReadExactly() {
    for (String scheme : List.of("bearer", "BEARER", "bEaReR")) {
      assertServed(
          get(ACCOUNTS, "Authorization: " + scheme + " " + app().token()),
          "accounts",
          "GET",
          "user-1");
    }
    assertRefused(
        get(ACCOUNTS, "Authorization: Basic dXNlcjpwYXNz"), 401, "UNSUPPORTED_SCHEME", "human");
    Call tab = get(ACCOUNTS, "Authorization: Bearer\t" + app().token());
    if (deviations().contains(Deviation.REWRITES_REQUESTS) && tab.status() == 200) {
      assertServed(tab, "accounts", "GET", "user-1"); // the server made the tab a space
    } else {
      assertRefused(tab, 401, "UNSUPPORTED_SCHEME", "human");
    }
    assertRefused(get(ACCOUNTS, "Authorization: Bearer"), 401, "INVALID_TOKEN", "human");
    // One header line is one value: the comma is part of it.
    assertRefused(
        get(ACCOUNTS, "Authorization: Bearer a, Bearer b"), 401, "INVALID_TOKEN", "human");
  }

  @Test
  void lookAlikeHeadersAreNotCarriers() {
    ContractApp a = app();
    assertRefused(
        get(RUNS, "X_AOS_Key: " + a.runner.value()), 401, "MISSING_CREDENTIAL", "machine");
    assertRefused(
        get(RUNS, "X-AOS-Keys: " + a.runner.value()), 401, "MISSING_CREDENTIAL", "machine");
    assertRefused(
        get(ACCOUNTS, "Proxy-Authorization: Bearer " + a.token()),
        401,
        "MISSING_CREDENTIAL",
        "human");
  }

  @Test
  void credentialsInTheQueryAreRefused() {
    assertRefused(
        get(RUNS + "?api_key=" + app().runner.value()), 400, "CREDENTIAL_IN_QUERY", "machine");
    assertRefused(get(ACCOUNTS + "?access%5Ftoken=" + JWT), 400, "CREDENTIAL_IN_QUERY", "human");
  }

  @Test
  void scopesAndTenantsAreEnforced() {
    ContractApp a = app();
    assertRefused(
        get("/api/v1/admin/users", bearer("runs:write")), 403, "INSUFFICIENT_SCOPE", "human");
    assertServed(get("/api/v1/admin/users", bearer("admin")), "admin", "GET", "user-1");
    assertRefused(
        call("POST", RUNS, key(a.reader), "Content-Length: 0"),
        403,
        "INSUFFICIENT_SCOPE",
        "machine");
    assertServed(
        call("POST", RUNS, key(a.runner), "Content-Length: 0"), "runs", "POST", a.runner.id());
    assertRefused(
        get(RUNS, key(a.runner), "X-AOS-Tenant: globex"), 403, "TENANT_MISMATCH", "machine");
    assertRefused(get(ACCOUNTS, bearer(), "X-AOS-Tenant: globex"), 403, "TENANT_MISMATCH", "human");
  }

  @Test
  void revokedExpiredAndTamperedKeysAreRefused() {
    ContractApp a = app();
    assertRefused(get(RUNS, key(a.revoked)), 401, "REVOKED_KEY", "machine");
    assertRefused(get(RUNS, key(a.expired)), 401, "EXPIRED_KEY", "machine");
    String value = a.runner.value();
    String tampered =
        value.substring(0, 30) + (value.charAt(30) == 'A' ? 'B' : 'A') + value.substring(31);
    Call call = get(RUNS, "X-AOS-Key: " + tampered);
    assertRefused(call, 401, "INVALID_KEY", "machine");
    assertThat(call.decision().detail()).isEqualTo(Detail.BAD_CHECKSUM);
  }

  @Test
  void anExpiredTokenIsInvalid() {
    Call expired =
        get(
            ACCOUNTS,
            "Authorization: Bearer "
                + app()
                    .issuer
                    .token()
                    .issuedAt(Instant.now().minusSeconds(3600))
                    .expiresAt(Instant.now().minusSeconds(600))
                    .sign());
    assertRefused(expired, 401, "INVALID_TOKEN", "human");
    assertThat(expired.decision().detail()).isEqualTo(Detail.EXPIRED);
  }

  @Test
  void unavailableVerifiersAnswer503WithRetryAfter() {
    Call machine = get(RUNS, key(app().inDownStore));
    assertRefusedWith(machine, 503, problem(503, "VERIFIER_UNAVAILABLE", "machine"));
    assertThat(machine.response().header("Retry-After")).isEqualTo("5");
    assertThat(machine.decision().detail()).isEqualTo(Detail.KEY_STORE_UNAVAILABLE);
    Call human =
        get(
            ACCOUNTS,
            "Authorization: Bearer " + app().unreachable.token().subject("user-2").sign());
    assertRefusedWith(human, 503, problem(503, "VERIFIER_UNAVAILABLE", "human"));
    assertThat(human.response().header("Retry-After")).isEqualTo("5");
    assertThat(human.decision().detail()).isEqualTo(Detail.JWKS_UNAVAILABLE);
  }

  // ---------------------------------------------------------------- routes

  @Test
  void aPublicRouteRunsItsHandlerWithoutLookingAtCredentials() {
    assertServed(get("/healthz"), "health", "GET", null);
    Call withCredentials =
        get(
            "/healthz",
            "Authorization: Basic dXNlcjpwYXNz",
            "Authorization: Bearer " + JWT,
            key(app().unknown));
    assertServed(withCredentials, "health", "GET", null);
    assertThat(withCredentials.decision().reason()).isEqualTo(Reason.PUBLIC);
  }

  @Test
  void unmappedAndDebugRoutesAnswerTheSamePlain404() {
    Call unmapped = get("/no/such/route");
    Call debug = get("/__debug/openapi_inspect", bearer());
    Call method = call("DELETE", RUNS, key(app().runner));
    for (Call call : List.of(unmapped, debug, method)) {
      assertRefusedWith(call, 404, PLAIN_404);
      assertThat(call.response().header("WWW-Authenticate")).isNull();
    }
    assertThat(unmapped.decision().reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(debug.decision().reason()).isEqualTo(Reason.DEBUG_DISABLED);
  }

  @Test
  void caseChangesAreOtherRoutes() {
    assertRefusedWith(get("/API/v1/runs"), 404, PLAIN_404);
    assertRefusedWith(get("/HEALTHZ"), 404, PLAIN_404);
  }

  @Test
  void aTrailingSlashIsTheSameRule() {
    assertRefused(get(RUNS + "/"), 401, "MISSING_CREDENTIAL", "machine");
    assertRefused(get(ACCOUNTS + "/"), 401, "MISSING_CREDENTIAL", "human");
  }

  @Test
  void encodedCharactersThatAreNotDelimitersAreDecodedOnce() {
    Call call = get("/app/docs/%61bc");
    assertThat(call.decision().route()).isEqualTo("/app/docs/*");
    if (deviations().contains(Deviation.MATCHES_ENCODED_PATH)) {
      // "%61bc" is not [a-z]+ to the router: "docs" is chosen, which the public rule does not cover
      assertRefusedWith(call, 404, PLAIN_404);
      assertThat(call.decision().reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    } else {
      assertServed(call, "page", "GET", null);
    }
  }

  @Test
  void headIsDecidedAndServedLikeGet() {
    Call refused = call("HEAD", RUNS);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.response().bodyBytes()).isEmpty();
    assertThat(refused.response().header("Content-Length"))
        .isEqualTo(Integer.toString(problem(401, "MISSING_CREDENTIAL", "machine").length()));
    assertChallenge(refused, 401, "MISSING_CREDENTIAL", "machine");
    assertNoHandlerRan(refused);
    Call allowed = call("HEAD", ACCOUNTS, bearer());
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.response().bodyBytes()).isEmpty();
    assertThat(allowed.hits()).extracting(ContractApp.Hit::route).containsExactly("accounts");
    assertThat(allowed.decision().method()).isEqualTo("HEAD");
  }

  @Test
  void nothingFromTheRequestIsEchoed() {
    String marker = "zqxMARKERzqx";
    Call call =
        get(
            "/api/v1/accounts/" + marker + "?q=" + marker,
            "Authorization: Bearer " + marker + "." + marker + "." + marker,
            "X-Request-Id: " + marker,
            "X-AOS-Tenant: " + marker);
    assertRefused(call, 401, "INVALID_TOKEN", "human");
    assertThat(call.response().toString()).doesNotContain(marker);
  }

  @Test
  void credentialsNeverAppearInResponsesOrDecisions() {
    ContractApp a = app();
    String token = a.token();
    for (String target : List.of(ACCOUNTS, RUNS, "/nope", RUNS + "?api_key=" + a.runner.value())) {
      for (String credential : List.of("Authorization: Bearer " + token, key(a.runner))) {
        Call call = get(target, credential, "X-AOS-Tenant: globex");
        assertThat(call.response().toString())
            .doesNotContain(token.substring(0, 40))
            .doesNotContain(a.runner.value());
        assertThat(call.audit().toString()).doesNotContain(token).doesNotContain(a.runner.value());
      }
    }
  }

  @Test
  void theDecisionCarriesTheRequestIdAndTheDecidedPath() {
    AuditEvent event = get(RUNS + "/r-1", "X-Request-Id: req-42").decision();
    assertThat(event.requestId()).isEqualTo("req-42");
    assertThat(event.path()).isEqualTo("/api/v1/runs/r-1");
    assertThat(event.route()).isEqualTo("/api/v1/runs/**");
    assertThat(event.method()).isEqualTo("GET");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Prefix", "X-Forwarded-Uri"})
  void rewriteHeadersNeverInfluenceTheDecision(String header) {
    Call health = get("/healthz", header + ": /api/v1/runs");
    assertServed(health, "health", "GET", null);
    assertThat(health.decision().route()).isEqualTo("/healthz");
    assertRefused(get(RUNS, header + ": /healthz"), 401, "MISSING_CREDENTIAL", "machine");
  }

  // ---------------------------------------------------------------- hostile targets

  /** Targets that must be refused, by the adapter or by the server, on any plane. */
  static Stream<String> malformedTargets() {
    return Stream.of(
        "/healthz/..;/api/v1/runs/x",
        "/app/docs/%2e%2e/api/v1/runs",
        "/app/docs/%2E%2E/api/v1/runs",
        "/app/docs/.%2e/api/v1/runs",
        "/app/docs/../../api/v1/runs",
        "/app/docs/./x",
        "/healthz%0a",
        "/healthz%00",
        "/healthz%7f",
        "//api/v1/runs",
        "/api//v1/runs",
        "//healthz",
        "/api/v1/runs;jsessionid=0123456789ABCDEF",
        "/healthz;x=1",
        "/app;x=1/docs/abc",
        "/app/docs%3b/abc",
        "/app/docs/%252e%252e/api/v1/runs",
        "/app/docs/%25/x",
        "/app/docs/x%E2%80%8B",
        "/app/docs/%2f..%2fapi/v1/runs",
        "/app/docs%2F..%2F..%2Fapi/v1/runs",
        "/app/docs%5C..%5C..%5Capi/v1/runs",
        "/app/docs\\..\\..\\api\\v1\\runs",
        "/app/docs/x%zz",
        "/app/docs/x%",
        "/app/docs/x%C0%AE");
  }

  @ParameterizedTest
  @MethodSource("malformedTargets")
  void malformedTargetsAreRefused(String target) {
    Call call = get(target, key(app().runner));
    if (call.audit().isEmpty()) {
      // The server refused it before any adapter or handler could see it.
      assertNoHandlerRan(call);
      assertThat(call.status()).as("%s -> %s", target, call.response()).isGreaterThanOrEqualTo(400);
    } else if (!call.hits().isEmpty()) {
      // Only a server that rewrote the target: the adapter decided the path the handler serves.
      assertThat(deviations())
          .as("%s -> %s", target, call.response())
          .contains(Deviation.REWRITES_REQUESTS);
      assertThat(call.decision().path()).isNotEqualTo(target);
    } else {
      assertRefused(call, 400, "MALFORMED_REQUEST", null);
    }
  }

  @Test
  void rawNonAsciiBytesAreRefused() {
    Call call =
        raw(
            "GET /app/docs/caf\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(call.status()).isEqualTo(400);
    assertNoHandlerRan(call);
  }

  @Test
  void absoluteFormTargetsAreDecidedOnTheirPath() {
    String origin = "http://127.0.0.1:" + serverPort();
    assertRefused(get(origin + RUNS), 401, "MISSING_CREDENTIAL", "machine");
    assertServed(get(origin + "/healthz"), "health", "GET", null);
    Call dots = get(origin + "/healthz/..;/api/v1/runs", key(app().runner));
    assertThat(dots.status()).isBetween(400, 499);
    assertNoHandlerRan(dots);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "get", "PROPFIND", "FOO"})
  void methodsOutsideTheSevenAreRefused(String method) {
    Call call = call(method, "/healthz");
    if (!call.hits().isEmpty()) {
      // Only a server that read the method as another one: the adapter decided that one.
      assertThat(deviations()).contains(Deviation.REWRITES_REQUESTS);
      assertThat(call.decision().method()).isEqualTo(method.toUpperCase(java.util.Locale.ROOT));
      return;
    }
    assertThat(call.status()).as("%s -> %s", method, call.response()).isIn(400, 405, 501);
    if (!call.audit().isEmpty()) {
      assertRefused(call, 400, "MALFORMED_REQUEST", null);
      assertThat(call.decision().detail()).isEqualTo(Detail.DISALLOWED_METHOD);
    }
  }

  @Test
  void theParityKitFindsNoMismatch() {
    ContractApp a = app();
    int hitsBefore = a.hits.size();
    PathConfusionKit.against(URI.create("http://127.0.0.1:" + serverPort()))
        .humanRoute("GET", ACCOUNTS)
        .machineRoute("GET", RUNS)
        .publicRoute("GET", "/healthz")
        .unmappedRoute("GET", "/no/such/route")
        .bearerToken(a.token())
        .machineKey(a.runner.value())
        .build()
        .run()
        .mismatches()
        .stream()
        // A router that matches the encoded path finds no handler for an encoded letter: the
        // request is not served, which the hit check below still covers.
        .filter(
            m ->
                !((deviations().contains(Deviation.MATCHES_ENCODED_PATH)
                        && m.contains(": answered 404, expected"))
                    || (deviations().contains(Deviation.FAILS_UNPARSEABLE_TARGETS)
                        && m.contains(": answered 500, expected"))))
        .forEach(m -> org.assertj.core.api.Assertions.fail("parity mismatch: " + m));
    List<ContractApp.Hit> hits;
    synchronized (a.hits) {
      hits = List.copyOf(a.hits.subList(hitsBefore, a.hits.size()));
    }
    assertThat(hits)
        .as("handlers that ran for the kit's tricks")
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.route()).isIn("health", "accounts", "runs"));
  }

  private int serverPort() {
    if (server == null) {
      throw new IllegalStateException("the server did not start");
    }
    return server.port();
  }

  // ---------------------------------------------------------------- admission

  @Test
  void aKeyOverItsRateLimitGets429UntilTheWindowRefills() {
    ContractApp a = app();
    for (int i = 0; i < 3; i++) {
      Call ok = get(RUNS, key(a.limited));
      assertServed(ok, "runs", "GET", a.limited.id());
      assertThat(ok.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
      assertThat(ok.response().header("RateLimit")).startsWith("\"key\";r=" + (2 - i) + ";t=");
    }
    Call refused = get(RUNS, key(a.limited));
    assertRefused(refused, 429, "RATE_LIMITED", "machine");
    assertThat(refused.response().header("Retry-After")).isNotNull();
    assertThat(refused.response().header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
    assertThat(refused.response().header("RateLimit")).startsWith("\"key\";r=0;t=");
    assertThat(refused.decision().detail()).isEqualTo(Detail.KEY_LIMIT);
    assertServed(get(RUNS, key(a.runner)), "runs", "GET", a.runner.id());
    a.clock.advance(Duration.ofMinutes(1));
    assertServed(get(RUNS, key(a.limited)), "runs", "GET", a.limited.id());
  }

  @Test
  void aKeyWithNoUsesLeftIsRefusedBeforeItsHandlerRuns() {
    ContractApp a = app();
    assertServed(get(RUNS, key(a.twice)), "runs", "GET", a.twice.id());
    assertServed(get(RUNS, key(a.twice)), "runs", "GET", a.twice.id());
    Call spent = get(RUNS, key(a.twice));
    assertRefused(spent, 429, "BUDGET_EXHAUSTED", "machine");
    assertThat(spent.decision().detail()).isEqualTo(Detail.USES_SPENT);
  }

  @Test
  void aRuleWithPurposesNeedsExactlyOneOfThem() {
    ContractApp a = app();
    String post = "Content-Length: 0";
    assertRefused(
        call("POST", SUMMARIES, key(a.reader), post), 403, "PURPOSE_NOT_ALLOWED", "machine");
    assertRefused(
        call("POST", SUMMARIES, key(a.reader), "X-AOS-Purpose: Summarize", post),
        403,
        "PURPOSE_NOT_ALLOWED",
        "machine");
    Call allowed = call("POST", SUMMARIES, key(a.reader), "X-AOS-Purpose: summarize", post);
    assertServed(allowed, "summaries", "POST", a.reader.id());
    assertThat(allowed.decision().attributes()).containsEntry("purpose", "summarize");
  }

  // ---------------------------------------------------------------- dispatch parity

  @Test
  void theFrameworkRunsEachHandlerUnderARuleThatCoversIt() {
    Call page = get("/app/docs/intro");
    assertServed(page, "page", "GET", null);
    assertThat(page.decision().reason()).isEqualTo(Reason.PUBLIC);
    assertServed(get("/app/docs/123/index", bearer()), "docs", "GET", "user-1");
    assertRefused(get("/app/docs/123/index"), 401, "MISSING_CREDENTIAL", "human");
    assertServed(call("POST", "/app/feedback", "Content-Length: 0"), "feedback", "POST", null);
    assertServed(call("DELETE", "/app/feedback", bearer()), "withdraw", "DELETE", "user-1");
    assertRefused(call("DELETE", "/app/feedback"), 401, "MISSING_CREDENTIAL", "human");
  }

  @Test
  void aHandlerTheAdmittingRuleDoesNotCoverAnswersAPlain404() {
    // "public /app/docs/*" decides GET /app/docs/123; the framework's "page" takes letters only
    // and hands the request to "docs", which the human rule covers.
    for (String credential : List.of("X-Unrelated: 1", bearer())) {
      Call call = get("/app/docs/123", credential);
      assertRefusedWith(call, 404, PLAIN_404);
      assertThat(call.response().header("WWW-Authenticate")).isNull();
      List<Tuple> decisions = new ArrayList<>();
      for (AuditEvent e : call.audit()) {
        decisions.add(Tuple.tuple(e.reason(), e.allowed(), e.route()));
      }
      // The record is the refusal: the public allow it was admitted with ran no handler.
      assertThat(decisions)
          .containsExactly(Tuple.tuple(Reason.DISPATCH_MISMATCH, false, "/app/docs/*"));
      assertThat(call.decision().violation()).isTrue();
    }
  }
}

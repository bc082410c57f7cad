package dev.planeguard.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Reason;
import dev.planeguard.Refusal;
import dev.planeguard.contract.RawHttp;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.servlet.PlaneGuardFilter;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.Await;
import dev.planeguard.webflux.internal.TestServers;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WebFlux adapter on a real Reactor Netty server, over raw sockets: the decision rows it can
 * reach, refusals byte for byte as the servlet filter writes them (run on Tomcat beside it), HEAD,
 * the confirmation at dispatch (a regular expression in a path variable, a method override,
 * functional routes), and what Reactor Netty and WebFlux do with path tricks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlaneGuardWebFilterTest {

  static final String ISSUER = "https://login.planeguard.test";
  static final KeyStore.Writable KEYS = KeyStore.inMemory();
  static final ApiKey RUNNER = register(Set.of("runs:write"));
  static final ApiKey READER = register(Set.of());

  static ApiKey register(Set<String> scopes) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KEYS.add(KeyRecord.of(key, "acme", scopes, null));
    return key;
  }

  TestIssuer issuer;
  JwtVerifier tokens;
  TestWebApp app;
  RawHttp http;
  Tomcat tomcat;
  RawHttp servlet;

  @BeforeAll
  void start() throws Exception {
    issuer = TestIssuer.builder().issuerId(ISSUER).start();
    Path dir = Files.createTempDirectory("planeguard-jwks");
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
    tokens =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(ISSUER)
                    .jwksFile(jwks)
                    .audiences(TestIssuer.DEFAULT_AUDIENCE)
                    .build())
            .mode(Mode.PROD)
            .build();
    app = new TestWebApp(tokens, KeyVerifier.of(KEYS));
    http = new RawHttp(app.port());
    tomcat = servletTwin(dir);
    servlet = new RawHttp(tomcat.getConnector().getLocalPort());
  }

  /** The servlet filter with the same policy, verifiers and filter settings, on Tomcat. */
  Tomcat servletTwin(Path dir) throws Exception {
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(Policy.parse(TestWebApp.POLICY, "test.policy"))
            .tokenVerifier(tokens)
            .machineKeyVerifier(KeyVerifier.of(KEYS))
            .auditSink(e -> {})
            .build();
    return TestServers.tomcat(
        dir,
        (classes, ctx) -> {
          PlaneGuardFilter.builder(enforcer)
              .realm("planeguard-test")
              .requestIdHeader("X-Request-Id")
              .build()
              .registerOn(ctx);
          ctx.addServlet(
                  "any",
                  new HttpServlet() {
                    @Override
                    protected void service(HttpServletRequest req, HttpServletResponse resp) {
                      resp.setStatus(200);
                    }
                  })
              .addMapping("/");
        });
  }

  @AfterAll
  void stop() throws Exception {
    app.close();
    tomcat.stop();
    tomcat.destroy();
    tokens.close();
    issuer.close();
  }

  @BeforeEach
  void clear() throws InterruptedException {
    audit(0); // the allows of the previous test, recorded as their exchanges ended
    app.hits.clear();
    app.audit.clear();
  }

  /**
   * The audit trail once it holds at least {@code expected} events and has stopped growing: an
   * allow is recorded when its exchange ends, which the client may see a moment later than the
   * response.
   */
  List<AuditEvent> audit(int expected) throws InterruptedException {
    int[] last = {-1};
    int[] unchanged = {0};
    Await.until(
        () -> {
          int now = app.audit.size();
          unchanged[0] = now == last[0] ? unchanged[0] + 1 : 0;
          last[0] = now;
          return now >= expected && unchanged[0] >= 3;
        });
    synchronized (app.audit) {
      return List.copyOf(app.audit);
    }
  }

  String token(String... scopes) {
    return issuer.token().subject("user-1").scope(scopes).sign();
  }

  String bearer() {
    return "Authorization: Bearer " + token();
  }

  static String key(ApiKey key) {
    return "X-AOS-Key: " + key.value();
  }

  // ---------------------------------------------------------------- allows

  @Test
  void aHumanWithATokenReachesTheHandlerWhichSeesThePrincipal() {
    RawHttp.Response r = http.get("/api/v1/accounts/me", bearer());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("accounts");
    assertThat(app.hits).containsExactly(new TestWebApp.Hit("accounts", "GET", "user-1"));
  }

  @Test
  void theHandlerSeesTheReactorContextWrittenAheadOfPlaneguard() {
    RawHttp.Response r = http.get("/api/v1/accounts/me/context", bearer());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("written upstream");
  }

  @Test
  void aMachineKeyWithTheScopeCreatesARun() {
    RawHttp.Response r = http.request("POST", "/api/v1/runs", key(RUNNER), "Content-Length: 0");
    assertThat(r.status()).isEqualTo(200);
    assertThat(app.hits).containsExactly(new TestWebApp.Hit("runs", "POST", RUNNER.id()));
  }

  @Test
  void aPublicRouteNeedsNothing() {
    assertThat(http.get("/healthz").status()).isEqualTo(200);
    assertThat(app.hits).containsExactly(new TestWebApp.Hit("health", "GET", "null"));
  }

  @Test
  void headIsServedByTheGetHandlerAndDecidedAsHead() {
    RawHttp.Response r = http.request("HEAD", "/api/v1/runs/7", key(READER));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyBytes()).isEmpty();
    assertThat(app.hits).containsExactly(new TestWebApp.Hit("runs", "HEAD", READER.id()));

    RawHttp.Response refused = http.request("HEAD", "/api/v1/runs/7");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.bodyBytes()).isEmpty();
    assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(app.hits).hasSize(1);
  }

  @Test
  void theAllowIsAuditedWithTheResponseStatusAndTheHandlersAttributes()
      throws InterruptedException {
    RawHttp.Response r =
        http.request(
            "POST",
            "/api/v1/summaries/s-1",
            key(READER),
            "X-AOS-Purpose: summarize",
            "Content-Length: 0");
    assertThat(r.status()).isEqualTo(200);
    List<AuditEvent> audit = audit(1);
    assertThat(audit).hasSize(1);
    AuditEvent e = audit.get(0);
    assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(e.responseStatus()).isEqualTo(200);
    assertThat(e.attributes()).containsEntry("model", "m-1");
    assertThat(e.attributes()).containsEntry("purpose", "summarize");
  }

  @Test
  void aHandlerThatFailsIsAuditedOnceWithTheStatusWebFluxAnswered() throws InterruptedException {
    RawHttp.Response conflict = http.get("/api/v1/runs/conflict/fail", key(READER));
    assertThat(conflict.status()).isEqualTo(409);
    RawHttp.Response failed = http.get("/api/v1/runs/other/fail", key(READER));
    assertThat(failed.status()).isEqualTo(500);
    assertThat(app.hits).extracting(TestWebApp.Hit::handler).containsExactly("fail", "fail");
    assertThat(audit(2))
        .extracting(AuditEvent::reason, AuditEvent::responseStatus)
        .containsExactly(tuple(Reason.AUTHENTICATED, 409), tuple(Reason.AUTHENTICATED, 500));
  }

  @Test
  void anExchangeTheClientAbandonsIsAuditedOnceWithoutAStatus() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/runs/r-1/hang HTTP/1.1\r\nHost: localhost\r\n"
                      + key(READER)
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      Await.until(() -> !app.hits.isEmpty());
      assertThat(app.audit).isEmpty(); // the exchange has not ended
    }

    assertThat(audit(1))
        .extracting(AuditEvent::reason, AuditEvent::responseStatus)
        .containsExactly(tuple(Reason.AUTHENTICATED, 0));
    assertThat(app.hits).extracting(TestWebApp.Hit::handler).containsExactly("hang");
  }

  // ---------------------------------------------------------------- refusals

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("missing credential", "GET", "/api/v1/accounts/me", List.of()),
        Arguments.of("unmapped", "GET", "/nothing/here", List.of()),
        Arguments.of("debug in prod", "GET", "/__debug/1", List.of()),
        Arguments.of("malformed", "GET", "/api/v1/accounts/%2e%2e/admin/1", List.of()),
        Arguments.of("credential in query", "GET", "/api/v1/accounts/me?access_token=x", List.of()),
        Arguments.of(
            "unsupported scheme",
            "GET",
            "/api/v1/accounts/me",
            List.of("Authorization: Basic dTpw")),
        Arguments.of(
            "invalid token", "GET", "/api/v1/accounts/me", List.of("Authorization: Bearer a.b.c")),
        Arguments.of(
            "machine key on human route", "GET", "/api/v1/accounts/me", List.of("KEY:RUNNER")),
        Arguments.of("token on machine route", "GET", "/api/v1/runs", List.of("BEARER")),
        Arguments.of("two credentials", "GET", "/api/v1/runs", List.of("KEY:RUNNER", "KEY:READER")),
        Arguments.of("insufficient scope", "POST", "/api/v1/runs", List.of("KEY:READER")),
        Arguments.of("purpose missing", "POST", "/api/v1/summaries/s-1", List.of("KEY:READER")),
        Arguments.of("human scope missing", "GET", "/api/v1/admin/1", List.of("BEARER")));
  }

  /**
   * Every refusal: what the servlet filter writes, byte for byte — status, body and every header
   * planeguard sets — and no handler runs.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusalsAreTheServletFiltersBytes(
      String name, String method, String target, List<String> lines) {
    String token = token();
    List<String> headers = new ArrayList<>();
    for (String l : lines) {
      headers.add(
          switch (l) {
            case "BEARER" -> "Authorization: Bearer " + token;
            case "KEY:RUNNER" -> key(RUNNER);
            case "KEY:READER" -> key(READER);
            default -> l;
          });
    }
    if (!method.equals("GET")) {
      headers.add("Content-Length: 0");
    }
    String[] h = headers.toArray(String[]::new);
    RawHttp.Response flux = http.request(method, target, h);
    RawHttp.Response tomcat = servlet.request(method, target, h);
    assertThat(flux.status()).as(name).isBetween(400, 599).isEqualTo(tomcat.status());
    assertThat(flux.body()).isEqualTo(tomcat.body());
    // Every header a refusal can carry (RefusalTest pins the list).
    for (String header : Refusal.headerNames()) {
      assertThat(flux.headers(header)).as(name + ": " + header).isEqualTo(tomcat.headers(header));
    }
    assertThat(flux.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(app.hits).as("no handler ran").isEmpty();
  }

  // ---------------------------------------------------------------- dispatch confirmation

  @Test
  void aRegexVariableTheEdgeCannotSeeIsConfirmedAtDispatch() throws InterruptedException {
    // "public /app/docs/*" decides /app/docs/123, but WebFlux routes it to the human docs handler.
    RawHttp.Response r = http.get("/app/docs/123");
    assertThat(r.status()).isEqualTo(404);
    assertThat(app.hits).isEmpty();
    assertThat(audit(1)).extracting(AuditEvent::reason).containsExactly(Reason.DISPATCH_MISMATCH);
    assertThat(r.body()).isEqualTo(servlet.get("/nothing/here").body());

    assertThat(http.get("/app/docs/abc").status()).isEqualTo(200);
    assertThat(http.get("/app/docs/a/b", bearer()).status()).isEqualTo(200);
    assertThat(app.hits)
        .containsExactly(
            new TestWebApp.Hit("page", "GET", "null"), new TestWebApp.Hit("docs", "GET", "user-1"));
  }

  @Test
  void functionalRoutesAreConfirmedToo() {
    assertThat(http.get("/fn/docs/123").status()).isEqualTo(404);
    assertThat(app.hits).isEmpty();
    assertThat(http.get("/fn/docs/abc").status()).isEqualTo(200);
    // A functional route cannot declare a plane, and the public and human rules share its paths:
    // no rule covers it (a startup problem in preprod and prod), so it never runs.
    assertThat(http.get("/fn/docs/a/b", bearer()).status()).isEqualTo(404);
    assertThat(app.coverage().uncovered())
        .contains("GET /fn/docs/{*rest} (RouterFunction (GET && /fn/docs/{*rest}))");
    assertThat(http.get("/fn/api/items/1", key(READER)).status()).isEqualTo(200);
    assertThat(http.get("/fn/api/items/1", bearer()).status()).isEqualTo(401);
    assertThat(app.hits).extracting(TestWebApp.Hit::handler).containsExactly("fnPage", "fnItem");
  }

  @Test
  void aMethodOverrideIsDecidedAgainOnTheMethodWebFluxServes() {
    // Public as POST; HiddenHttpMethodFilter (after planeguard) makes it a DELETE, which is human.
    String body = "_method=DELETE";
    RawHttp.Response r =
        http.request(
            "POST",
            "/app/feedback",
            "Content-Type: application/x-www-form-urlencoded",
            "Content-Length: " + body.length() + "\r\n\r\n" + body);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer realm=\"planeguard-test\"");
    assertThat(app.hits).isEmpty();
  }

  @Test
  void theHandlersAreDescribedFromWebFluxsOwnModel() {
    assertThat(app.handlers().handlers())
        .extracting(h -> h.describe())
        .contains(
            "GET /app/docs/{page:[a-z]+} (dev.planeguard.webflux.TestWebApp$Controller#page)",
            "GET /app/docs/{*rest} (dev.planeguard.webflux.TestWebApp$Controller#docs)",
            "GET,POST,PUT /api/v1/runs /api/v1/runs/{id}"
                + " (dev.planeguard.webflux.TestWebApp$Controller#runs)",
            "GET /fn/api/items/{id} (RouterFunction (GET && /items/{id}))");
    assertThat(app.handlers().unmirrored()).isEmpty();
  }

  // ---------------------------------------------------------------- path tricks

  /**
   * What Reactor Netty and WebFlux do with path tricks (docs/webflux.md lists the answers): each is
   * refused, by planeguard (400 problem+json, the servlet filter's bytes) or by the server (400
   * without a body), and no handler runs.
   */
  @ParameterizedTest
  @MethodSource("pathTricks")
  void pathTricksAreRefused(String target, String refusedBy) {
    RawHttp.Response r = http.get(target, bearer());
    assertThat(r.status()).as(target + ": " + r).isEqualTo(400);
    if (refusedBy.equals("planeguard")) {
      assertThat(r.body()).isEqualTo(servlet.get("/a/%2e%2e/b").body());
      assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    } else {
      assertThat(r.header("Content-Type")).isNull();
      assertThat(r.bodyBytes()).isEmpty();
    }
    assertThat(app.hits).isEmpty();
  }

  static Stream<Arguments> pathTricks() {
    return Stream.of(
        Arguments.of("/app/docs/%2e%2e/feedback", "planeguard"),
        Arguments.of("/app/docs/%2E%2E/x", "planeguard"),
        Arguments.of("/app/%2e/docs/abc", "planeguard"),
        Arguments.of("/app/docs/abc;x=1", "planeguard"),
        Arguments.of("/healthz;jsessionid=1", "planeguard"),
        Arguments.of("/app;a=b/docs/abc", "planeguard"),
        Arguments.of("//healthz", "planeguard"),
        Arguments.of("/app//docs/abc", "planeguard"),
        Arguments.of("/app/docs/a%2Fb", "planeguard"),
        Arguments.of("/app/docs/a%2fb", "planeguard"),
        Arguments.of("/app/docs/a%5Cb", "planeguard"),
        Arguments.of("/app/docs/a%00b", "planeguard"),
        Arguments.of("/healthz#frag", "planeguard"),
        Arguments.of("/app/docs/./abc", "planeguard"),
        Arguments.of("/app/docs/../docs/abc", "planeguard"),
        Arguments.of("/app/docs/%252e%252e", "planeguard"),
        Arguments.of("/app/docs/a\\b", "server"),
        Arguments.of("/app/docs/ab%c", "server"),
        Arguments.of("/app/docs/a b", "server"));
  }

  @Test
  void anAbsoluteFormTargetIsDecidedAndDispatchedOnItsPath() {
    // The Host in the target is not the service's; both planeguard and WebFlux read the path.
    assertThat(http.get("http://evil.example/api/v1/accounts/me").status()).isEqualTo(401);
    assertThat(http.get("http://evil.example/healthz").status()).isEqualTo(200);
    assertThat(app.hits).containsExactly(new TestWebApp.Hit("health", "GET", "null"));
  }

  @Test
  void aTrailingSlashIsDecidedByTheSameRuleAndNotServedByWebFlux() {
    RawHttp.Response r = http.get("/api/v1/accounts/me/");
    assertThat(r.status()).isEqualTo(401);
    RawHttp.Response allowed = http.get("/healthz/");
    assertThat(allowed.status()).isEqualTo(404);
    assertThat(app.hits).isEmpty();
  }
}

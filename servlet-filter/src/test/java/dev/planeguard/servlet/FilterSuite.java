package dev.planeguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Access;
import dev.planeguard.AuditEvent;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Reason;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.Rule;
import dev.planeguard.contract.Expected;
import dev.planeguard.contract.RawHttp;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.test.TestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The fixture of the container suites: one real server per test class with three applications, and
 * a call helper that checks, for every request, that a handler only ever ran where the engine
 * allowed it: the policy rule of the path the handler served is the rule of an allowed decision
 * taken during that request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FilterSuite {

  /** The example policy of docs/examples, plus routes the dispatch tests need. */
  static final String MAIN_POLICY =
      """
      # access   pattern                 options
      human      /api/v1/accounts/**
      human      /api/v1/admin/**        scopes=admin
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/telemetry/**
      machine    /api/v1/summaries/**    purposes=summarize,translate
      public     /healthz
      debug      /__debug/**             plane=human

      # test routes
      public     /public/**
      public     /error-pages/public

      # HEAD is decided as GET: a HEAD of a report needs the token its GET needs
      public     /site/**                methods=GET,HEAD
      human      /site/reports/**        methods=GET

      # served by the router of TestApp, which confirms the handler it chooses; the public page is
      # an intended hole in the protected docs
      public     /app/docs/*             methods=GET carve-out=yes
      human      /app/docs/**            methods=GET
      public     /app/feedback           methods=POST
      human      /app/feedback           methods=DELETE
      """;

  /** Routes for the specification's example URIs: /foo and /bar are on different planes. */
  static final String SPEC_POLICY =
      """
      public     /
      public     /*
      public     /foo/**
      machine    /bar/**
      human      /good/**
      """;

  static final String DOWN_POLICY =
      """
      human      /h/**
      machine    /m/**
      """;

  static final String REALM = "planeguard-test";

  /**
   * The machine keys the applications know: real keys, stored hashed, checked by the real verifier.
   */
  static final KeyStore.Writable KEYS = KeyStore.inMemory();

  /** Tenant acme, scope runs:write. */
  static final ApiKey RUNNER = register(Mode.PROD, "acme", Set.of("runs:write"), null);

  /** Tenant acme, no scope. */
  static final ApiKey READER = register(Mode.PROD, "acme", Set.of(), null);

  static final ApiKey REVOKED = register(Mode.PROD, "acme", Set.of("runs:write"), null);

  static final ApiKey EXPIRED =
      register(Mode.PROD, "acme", Set.of("runs:write"), Instant.parse("2020-01-01T00:00:00Z"));

  /** Issued for mode test; this process runs in prod. */
  static final ApiKey TEST_MODE_KEY = register(Mode.TEST, "acme", Set.of("runs:write"), null);

  static {
    KEYS.revoke(REVOKED.id());
  }

  /** The tenant with a budget of {@link #BUDGET_CENTS} a day. */
  static final String SPENDING_TENANT = "spender";

  static final long BUDGET_CENTS = 100;

  /** A key of its own rate limit: three requests a minute. */
  static final ApiKey LIMITED =
      registerWithLimits("acme", new KeyLimits(dev.planeguard.RateLimit.parse("3/1m"), null, null));

  /** A key that may be used twice. */
  static final ApiKey TWICE = registerWithLimits("acme", new KeyLimits(null, 2L, null));

  /** A key of the tenant with a budget. */
  static final ApiKey SPENDER = registerWithLimits(SPENDING_TENANT, KeyLimits.NONE);

  static ApiKey registerWithLimits(String tenant, KeyLimits limits) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KEYS.add(KeyRecord.of(key, tenant, Set.of(), null).withLimits(limits));
    return key;
  }

  /** A well-formed machine key no store knows. */
  static final String MACHINE_KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();

  static final String SANDBOX_KEY = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.PROD).value();

  static final KeyVerifier KEY_VERIFIER = KeyVerifier.of(KEYS);

  /** A key store that is down: every lookup fails, as a database would. */
  static final KeyStore DOWN_STORE =
      new KeyStore() {
        @Override
        public KeyRecord findById(String id) {
          throw new IllegalStateException("key store unreachable");
        }

        @Override
        public KeyRecord findByHash(String hash) {
          throw new IllegalStateException("key store unreachable");
        }
      };

  static ApiKey register(Mode mode, String tenant, Set<String> scopes, Instant notAfter) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, mode);
    KEYS.add(KeyRecord.of(key, tenant, scopes, notAfter));
    return key;
  }

  /** Shaped like a JWT, from no configured issuer: INVALID_TOKEN (WRONG_ISSUER). */
  static final String JWT =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEiLCJpc3MiOiJodHRwczovL2lzc3VlciJ9"
          + ".c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtdmVyaWZ5";

  /** The {@code iss} of the test issuer's tokens; https, as prod requires. */
  static final String ISSUER = "https://login.planeguard.test";

  TestIssuer issuer;
  JwtVerifier tokens;
  JwtVerifier unreachableTokens;
  Path jwksDirectory;
  TestApp main;
  TestApp spec;
  TestApp down;
  TestServer server;
  RawHttp http;

  /** Starts the container under test. */
  abstract TestServer start(List<TestApp> apps) throws Exception;

  @BeforeAll
  void startServer() throws Exception {
    // The human plane: a real issuer's public keys in a JWKS file (prod refuses http: JWKS).
    issuer = TestIssuer.builder().issuerId(ISSUER).start();
    jwksDirectory = Files.createTempDirectory("planeguard-jwks");
    Path jwks = jwksDirectory.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
    tokens = humanVerifier(jwks);
    unreachableTokens = humanVerifier(jwksDirectory.resolve("missing.json"));
    main =
        new TestApp(
                "/ctx",
                MAIN_POLICY,
                tokens,
                KEY_VERIFIER,
                b -> b.realm(REALM).requestIdHeader("X-Request-Id"))
            .handler("accounts", "/api/v1/accounts/*")
            .handler("admin", "/api/v1/admin/*")
            .handler("runs", "/api/v1/runs", "/api/v1/runs/*")
            .handler("telemetry", "/api/v1/telemetry/*")
            .handler("summaries", "/api/v1/summaries/*")
            .handler("health", "/healthz")
            .handler("debug", "/__debug/*")
            .handler("public", "/public/*")
            .handler("errorpage", "/error-pages/*")
            .handler("default", "/")
            .getHandler("site", "/site/*")
            .getHandler("reports", "/site/reports/*")
            .router(
                "/app/*",
                // GET /app/docs/123 is decided by "public /app/docs/*" but routed to "docs"
                TestApp.Route.of(
                    "page",
                    "GET",
                    "/app/docs/[a-z]+",
                    "/app/docs/{page:[a-z]+}",
                    "/app/docs/*",
                    null),
                TestApp.Route.of(
                    "docs",
                    "GET",
                    "/app/docs/.+",
                    "/app/docs/**",
                    "/app/docs/**",
                    new RouteDeclarations.Declared(Access.HUMAN, Plane.HUMAN, Set.of())),
                TestApp.Route.of(
                    "feedback", "POST", "/app/feedback", "/app/feedback", "/app/feedback", null),
                TestApp.Route.of(
                    "withdraw", "DELETE", "/app/feedback", "/app/feedback", "/app/feedback", null))
            .forwarder("/public/forward/accounts", "/api/v1/accounts/me")
            .forwarder("/public/forward/runs", "/api/v1/runs")
            .forwarder("/public/forward/health", "/healthz")
            .includer("/public/include/runs", "/api/v1/runs")
            .asyncDispatcher("/public/async/runs", "/api/v1/runs")
            .failer("/public/fail/503", 503)
            .errorPage(503, "/api/v1/telemetry/error")
            .includer("/public/include/accounts", "/api/v1/accounts/me")
            .includer("/public/include/health", "/healthz")
            .asyncDispatcher("/public/async/accounts", "/api/v1/accounts/me")
            .asyncDispatcher("/public/async/health", "/healthz")
            .failer("/public/fail/500", 500)
            .failer("/public/fail/409", 409)
            .failer("/public/fail/418", 418)
            .errorPage(500, "/api/v1/accounts/error")
            .errorPage(409, "/error-pages/public")
            .errorPage(418, "/error-pages/unmapped")
            .errorPage(401, "/error-pages/public")
            .errorPage(404, "/error-pages/public")
            .errorPage(400, "/error-pages/public");
    spec =
        new TestApp("", SPEC_POLICY, tokens, KEY_VERIFIER, b -> {})
            .handler("foo", "/foo/*")
            .handler("bar", "/bar/*")
            .handler("good", "/good/*")
            .handler("root", "/");
    down =
        new TestApp("/down", DOWN_POLICY, unreachableTokens, KeyVerifier.of(DOWN_STORE), b -> {})
            .handler("down", "/");
    server = start(List.of(main, spec, down));
    http = new RawHttp(server.port());
  }

  static JwtVerifier humanVerifier(Path jwks) {
    return JwtVerifier.builder()
        .issuer(
            HumanIssuer.builder(ISSUER)
                .jwksFile(jwks)
                .audiences(TestIssuer.DEFAULT_AUDIENCE)
                .tenantClaim("org_id")
                .build())
        .mode(Mode.PROD)
        .build();
  }

  /** A token the human verifier accepts: subject user-1, tenant acme, these scopes. */
  String token(String... scopes) {
    return issuer.token().subject("user-1").claim("org_id", "acme").scope(scopes).sign();
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {tokens, unreachableTokens, issuer}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * What one call did: the response, and the hits, audit events and decision attributes seen that
   * it caused in every app.
   */
  record Call(
      RawHttp.Response response,
      List<TestApp.Hit> hits,
      List<AuditEvent> audit,
      int laterFilterRuns,
      List<TestApp.Seen> seen) {

    int status() {
      return response.status();
    }

    String body() {
      return response.body();
    }
  }

  Call call(String method, String target, String... headers) {
    return observe(method, () -> http.request(method, target, headers));
  }

  Call get(String target, String... headers) {
    return call("GET", target, headers);
  }

  Call raw(String method, byte[] request) {
    return observe(method, () -> http.send(request));
  }

  /**
   * Waits until the container is done with every request it started and each app's audit trail has
   * settled (unchanged over three polls): the audit event of an allow is recorded when its response
   * is complete, which a client may see a moment earlier, and some containers end a request before
   * its asynchronous listeners have run. The apps are polled together, so a call waits for one
   * settling, not one per app.
   */
  private static void awaitRequestsDone(TestApp... apps) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    int[] size = new int[apps.length];
    java.util.Arrays.fill(size, -1);
    int[] unchanged = new int[apps.length];
    while (true) {
      boolean settled = true;
      for (int i = 0; i < apps.length; i++) {
        TestApp app = apps[i];
        boolean busy = app.requestsDone.get() < app.requestsStarted.get();
        int now = app.audit.size();
        unchanged[i] = now == size[i] ? unchanged[i] + 1 : 0;
        size[i] = now;
        settled &= !busy && unchanged[i] >= 3;
      }
      if (settled) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the container did not finish its requests");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private Call observe(String method, java.util.function.Supplier<RawHttp.Response> send) {
    TestApp[] apps = {main, spec, down};
    int[] hits = new int[3];
    int[] audit = new int[3];
    int[] seen = new int[3];
    int later = 0;
    for (int i = 0; i < 3; i++) {
      hits[i] = apps[i].hits.size();
      audit[i] = apps[i].audit.size();
      seen[i] = apps[i].seen.size();
      later += apps[i].laterFilterRuns.get();
    }
    RawHttp.Response response = send.get();
    awaitRequestsDone(apps);
    List<TestApp.Hit> newHits = new ArrayList<>();
    List<AuditEvent> newAudit = new ArrayList<>();
    List<TestApp.Seen> newSeen = new ArrayList<>();
    int laterAfter = 0;
    for (int i = 0; i < 3; i++) {
      TestApp app = apps[i];
      List<TestApp.Hit> appHits;
      List<AuditEvent> appAudit;
      synchronized (app.hits) {
        appHits = List.copyOf(app.hits.subList(hits[i], app.hits.size()));
      }
      synchronized (app.audit) {
        appAudit = List.copyOf(app.audit.subList(audit[i], app.audit.size()));
      }
      for (TestApp.Hit hit : appHits) {
        // The plane invariant: the handler served a path whose rule was allowed in this request.
        Rule rule = app.policy.match(method.toUpperCase(Locale.ROOT), hit.containerPath());
        assertThat(rule)
            .as(
                "%s served %s, which no rule of the policy covers",
                hit.handler(), hit.containerPath())
            .isNotNull();
        assertThat(appAudit)
            .as(
                "%s ran on %s (rule %s) without an allowed decision for that rule; decisions: %s",
                hit.handler(), hit.containerPath(), rule.pattern(), appAudit)
            .anyMatch(e -> e.allowed() && rule.pattern().equals(e.route()));
      }
      newHits.addAll(appHits);
      newAudit.addAll(appAudit);
      synchronized (app.seen) {
        newSeen.addAll(app.seen.subList(seen[i], app.seen.size()));
      }
      laterAfter += app.laterFilterRuns.get();
    }
    return new Call(response, newHits, newAudit, laterAfter - later, List.copyOf(newSeen));
  }

  /**
   * Asserts a refusal written by the filter: status, body, headers; no handler, no later filter.
   */
  static void assertRefused(Call call, int status, String reason, String plane) {
    assertRefusedWith(call, status, problem(status, reason, plane));
    assertChallenge(call, status, reason, plane);
  }

  /**
   * Asserts the refusal of a {@code HEAD}: as {@link #assertRefused}, with the headers of the body
   * the filter wrote ({@code Content-Length} included) and no body on the wire.
   */
  static void assertRefusedHead(Call call, int status, String reason, String plane) {
    RawHttp.Response r = call.response();
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(r.header("Content-Length"))
        .isEqualTo(Integer.toString(problem(status, reason, plane).length()));
    assertThat(r.bodyBytes()).isEmpty();
    assertThat(r.header("X-Handler")).isNull();
    assertNoHandlerRan(call);
    assertChallenge(call, status, reason, plane);
  }

  /** Asserts the {@code WWW-Authenticate} header of a refusal, or its absence. */
  static void assertChallenge(Call call, int status, String reason, String plane) {
    assertThat(call.response().header("WWW-Authenticate"))
        .isEqualTo(Expected.challenge(status, reason, plane, REALM));
  }

  /** Asserts a response written by the filter with exactly this body. */
  static void assertRefusedWith(Call call, int status, String body) {
    assertRefusedWith(call, status, body, false);
  }

  /**
   * As above; {@code writerInUse} accepts a charset parameter, which a container adds when the
   * filter has to write through a writer the application already took.
   */
  static void assertRefusedWith(Call call, int status, String body, boolean writerInUse) {
    RawHttp.Response r = call.response();
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    if (writerInUse) {
      assertThat(r.header("Content-Type"))
          .matches("application/problem\\+json(;charset=[A-Za-z0-9-]+)?");
    } else {
      assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    }
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
    assertThat(r.header("X-Handler")).isNull();
    assertNoHandlerRan(call);
  }

  static void assertNoHandlerRan(Call call) {
    assertThat(call.hits()).as("handlers that ran").isEmpty();
  }

  /** The problem body the filter writes, spelled out independently of the code under test. */
  static String problem(int status, String reason, String plane) {
    return Expected.problem(status, reason, plane);
  }

  static final String PLAIN_404 = Expected.PLAIN_404;

  /** The one audit event of the main app during the call. */
  static AuditEvent onlyDecision(Call call) {
    assertThat(call.audit()).hasSize(1);
    return call.audit().get(0);
  }

  static String reasons(Call call) {
    return call.audit().stream()
        .map(e -> e.reason() + "/" + e.detail())
        .collect(Collectors.joining(","));
  }

  static Reason reason(Call call) {
    return onlyDecision(call).reason();
  }
}

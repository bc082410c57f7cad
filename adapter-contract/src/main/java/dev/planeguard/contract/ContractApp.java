package dev.planeguard.contract;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Admission;
import dev.planeguard.AuditEvent;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Policy;
import dev.planeguard.Principal;
import dev.planeguard.RateLimit;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The application every adapter serves for {@link AdapterContract}: a policy, real verifiers (a
 * test issuer's really signed tokens, machine keys stored hashed), rate limits and budgets on a
 * clock that moves only when a test says so, the routes its handlers are mapped to, and a record of
 * every decision and every handler that ran.
 */
public final class ContractApp implements AutoCloseable {

  /** The {@code realm} the adapter is configured with. */
  public static final String REALM = "planeguard-test";

  /** The header the adapter takes audit request ids from. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  static final String POLICY =
      """
      # access   pattern                 options
      human      /api/v1/accounts/**
      human      /api/v1/admin/**        scopes=admin
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/summaries/**    purposes=summarize,translate
      public     /healthz
      debug      /__debug/**             plane=human

      # the framework's router picks "page" for letters only and "docs" for the rest: the
      # public pages are an intended hole in the protected docs
      public     /app/docs/*             methods=GET carve-out=yes
      human      /app/docs/**            methods=GET
      public     /app/feedback           methods=POST
      human      /app/feedback           methods=DELETE
      """;

  /**
   * One handler of the application.
   *
   * @param name what the handler passes to {@link #handle}
   * @param methods upper case, never empty; a {@code GET} handler also serves {@code HEAD}, as the
   *     framework does
   * @param path the mapping: {@code /a/{id}} (one segment), {@code /a/{page:[a-z]+}} (one segment
   *     with a regular expression), {@code /a/{*rest}} (the rest of the path, one or more
   *     segments); translate it to the framework's syntax
   * @param declared the plane the handler declares, as {@code @HumanPlane} or {@code @MachinePlane}
   *     on the handler would, or {@code null}: declare it the way the adapter's users do. Only
   *     {@code docs} declares one: the policy's public hole and its human rule both decide paths
   *     its pattern matches, so the file alone cannot say which it expects
   */
  public record Route(String name, Set<String> methods, String path, @Nullable Plane declared) {

    /** Copies the methods. */
    public Route {
      requireNonNull(name, "name");
      requireNonNull(path, "path");
      methods = Set.copyOf(methods);
    }

    Route(String name, Set<String> methods, String path) {
      this(name, methods, path, null);
    }
  }

  /** A handler that ran: its route, the method it served and its caller's id, if any. */
  public record Hit(String route, String method, @Nullable String principal) {}

  static final List<Route> ROUTES =
      List.of(
          new Route("health", Set.of("GET"), "/healthz"),
          new Route("accounts", Set.of("GET"), "/api/v1/accounts/{id}"),
          new Route("admin", Set.of("GET"), "/api/v1/admin/{id}"),
          new Route("runs", Set.of("GET", "POST", "PUT"), "/api/v1/runs"),
          new Route("run", Set.of("GET", "POST", "PUT"), "/api/v1/runs/{id}"),
          new Route("summaries", Set.of("POST"), "/api/v1/summaries/{id}"),
          new Route("debug", Set.of("GET"), "/__debug/{id}"),
          new Route("page", Set.of("GET"), "/app/docs/{page:[a-z]+}"),
          new Route("docs", Set.of("GET"), "/app/docs/{*rest}", Plane.HUMAN),
          new Route("feedback", Set.of("POST"), "/app/feedback"),
          new Route("withdraw", Set.of("DELETE"), "/app/feedback"));

  /**
   * The rule each route's handler must run under, by route name: the suite's own model of route
   * coverage, independent of the code under test.
   */
  static final Map<String, String> RULE_OF_ROUTE =
      Map.ofEntries(
          Map.entry("health", "/healthz"),
          Map.entry("accounts", "/api/v1/accounts/**"),
          Map.entry("admin", "/api/v1/admin/**"),
          Map.entry("runs", "/api/v1/runs/**"),
          Map.entry("run", "/api/v1/runs/**"),
          Map.entry("summaries", "/api/v1/summaries/**"),
          Map.entry("debug", "/__debug/**"),
          Map.entry("page", "/app/docs/*"),
          Map.entry("docs", "/app/docs/**"),
          Map.entry("feedback", "/app/feedback"),
          Map.entry("withdraw", "/app/feedback"));

  /** The {@code iss} of the tokens the application accepts; https, as prod requires. */
  static final String ISSUER = "https://login.planeguard.test";

  /** An issuer the application trusts whose keys cannot be fetched: its tokens answer 503. */
  static final String UNREACHABLE_ISSUER = "https://down.planeguard.test";

  final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
  final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
  final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  final Policy policy = Policy.parse(POLICY, "contract.policy");
  final TestIssuer issuer;
  final TestIssuer unreachable;
  final Path jwksDirectory;
  final JwtVerifier tokens;
  final KeyStore.Writable keys = KeyStore.inMemory();

  /** Tenant acme, scope runs:write. */
  final ApiKey runner = register("acme", Set.of("runs:write"), null, KeyLimits.NONE);

  /** Tenant acme, no scope. */
  final ApiKey reader = register("acme", Set.of(), null, KeyLimits.NONE);

  final ApiKey revoked = register("acme", Set.of("runs:write"), null, KeyLimits.NONE);
  final ApiKey expired =
      register("acme", Set.of(), Instant.parse("2020-01-01T00:00:00Z"), KeyLimits.NONE);

  /** Three requests a minute. */
  final ApiKey limited =
      register("acme", Set.of(), null, new KeyLimits(RateLimit.parse("3/1m"), null, null));

  /** Two uses, never refilled. */
  final ApiKey twice = register("acme", Set.of(), null, new KeyLimits(null, 2L, null));

  /** A key whose store lookup fails, as a database that is down would. */
  final ApiKey inDownStore = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);

  /** Well-formed, unknown to the store. */
  final ApiKey unknown = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);

  final ApiKey sandbox = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.PROD);

  private final Enforcer enforcer;

  ContractApp() {
    try {
      keys.revoke(revoked.id());
      issuer = TestIssuer.builder().issuerId(ISSUER).start();
      unreachable = TestIssuer.builder().issuerId(UNREACHABLE_ISSUER).start();
      jwksDirectory = Files.createTempDirectory("planeguard-contract-jwks");
      Path jwks = jwksDirectory.resolve("jwks.json");
      Files.writeString(jwks, issuer.publicJwks().toString());
      tokens =
          JwtVerifier.builder()
              .issuer(humanIssuer(ISSUER, jwks))
              .issuer(humanIssuer(UNREACHABLE_ISSUER, jwksDirectory.resolve("missing.json")))
              .mode(Mode.PROD)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KeyStore store =
        new KeyStore() {
          @Override
          public @Nullable KeyRecord findById(String id) {
            if (id.equals(inDownStore.id())) {
              throw new IllegalStateException("key store unreachable");
            }
            return keys.findById(id);
          }

          @Override
          public @Nullable KeyRecord findByHash(String hash) {
            return keys.findByHash(hash);
          }
        };
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(policy)
            .tokenVerifier(tokens)
            .machineKeyVerifier(KeyVerifier.of(store))
            .auditSink(audit::add)
            .admission(Admission.builder().clock(clock).build())
            .build();
  }

  private static HumanIssuer humanIssuer(String id, Path jwks) {
    return HumanIssuer.builder(id)
        .jwksFile(jwks)
        .audiences(TestIssuer.DEFAULT_AUDIENCE)
        .tenantClaim("org_id")
        .build();
  }

  private ApiKey register(
      String tenant, Set<String> scopes, @Nullable Instant notAfter, KeyLimits limits) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    keys.add(KeyRecord.of(key, tenant, scopes, notAfter).withLimits(limits));
    return key;
  }

  /** A token the application accepts: subject user-1, tenant acme, these scopes. */
  String token(String... scopes) {
    return issuer.token().subject("user-1").claim("org_id", "acme").scope(scopes).sign();
  }

  /** The engine the adapter under test applies. */
  public Enforcer enforcer() {
    return enforcer;
  }

  /** The {@code realm} of {@code WWW-Authenticate}: {@value #REALM}. */
  public String realm() {
    return REALM;
  }

  /** The header the adapter takes audit request ids from: {@value #REQUEST_ID_HEADER}. */
  public String requestIdHeader() {
    return REQUEST_ID_HEADER;
  }

  /** The handlers to map, in this order. */
  public List<Route> routes() {
    return ROUTES;
  }

  /**
   * Called by the handler of {@code route} when it runs: records the hit and returns the body to
   * answer with ({@code 200 text/plain}).
   *
   * @param method the method the handler serves the request as
   * @param principal the caller the adapter handed the handler, {@code null} if none
   */
  public String handle(String route, String method, @Nullable Principal principal) {
    if (!RULE_OF_ROUTE.containsKey(route)) {
      throw new IllegalArgumentException("no route named " + route);
    }
    String id = principal == null ? null : principal.id();
    hits.add(new Hit(route, method, id));
    return "handler=" + route + " principal=" + (id == null ? "-" : id);
  }

  @Override
  public void close() {
    tokens.close();
    issuer.close();
    unreachable.close();
  }
}

package dev.planeguard.test;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Plane;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.test.internal.PathCorpus;
import dev.planeguard.test.internal.RawHttpClient;
import dev.planeguard.test.internal.RawHttpClient.Header;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Path-confusion parity kit: fires a corpus of path and header tricks at a running service over raw
 * sockets and checks that every answer is either {@code 400} or exactly the answer to the canonical
 * request with the same credentials. A difference means two components of the service (a proxy, the
 * container, the framework's router, an auth filter) read the same request as two different things
 * — the root of most authentication bypasses.
 * <!-- example: PathConfusionKit.assertParity -->
 *
 * <pre>{@code
 * @Test
 * void noPathTrickChangesAnAuthDecision(TestIssuer issuer, TestKeys keys) {
 *   PathConfusionKit.against(URI.create("http://127.0.0.1:" + port))
 *       .humanRoute("GET", "/api/v1/accounts/me")
 *       .machineRoute("GET", "/api/v1/runs/42")
 *       .machineRoute("POST", "/api/v1/telemetry/events")
 *       .publicRoute("GET", "/healthz")
 *       .unmappedRoute("GET", "/admin")
 *       .bearerToken(issuer.token().sign())
 *       .machineKey(keys.machineKey().mint().value())
 *       .build()
 *       .assertParity();   // one AssertionError listing every mismatch
 * }
 * }</pre>
 *
 * <h2>What it sends</h2>
 *
 * <p>For every route it first sends the canonical request with no credential and with each
 * credential given, and checks this baseline: a human or machine route answers 401 without a
 * credential or with another plane's credential and accepts its own plane's credential (anything
 * but 400, 401 and 404; a 403 for a missing scope is fine); a public route never answers 401 or
 * 403; an unmapped route answers 404 whatever is sent. Then, with each of the same credential sets,
 * it sends the route's path written in other ways:
 *
 * <ul>
 *   <li>dot segments: {@code /./}, {@code /x/../}, {@code %2e}, {@code %2e%2e}, {@code .%2e},
 *       {@code ..;}, {@code .;}, double-encoded {@code %252e}, {@code %u002e}, overlong UTF-8
 *       {@code %c0%ae}, {@code ..%2f}, {@code ..%5c}, {@code ..\};
 *   <li>slashes: {@code //}, a trailing slash, encoded {@code %2f} {@code %2F} {@code %252f},
 *       backslash raw and encoded;
 *   <li>path parameters and semicolons: {@code ;jsessionid=}, a bare {@code ;}, a parameter on the
 *       first segment, {@code %3b};
 *   <li>control and invisible characters: {@code %0a}, {@code %0d}, {@code %09}, {@code %00},
 *       {@code %7f}, U+2028, U+200B, an encoded CRLF header injection; a fragment;
 *   <li>case changes, a percent-encoded letter, the absolute form {@code http://host/path};
 *   <li>decoys: every other route's path followed by enough {@code ..} (in each spelling above) to
 *       climb back to the route — list your public routes so they serve as decoys.
 * </ul>
 *
 * <p>and these header variants: the credential header twice, a valid and an invalid value in both
 * orders, the credential plus another carrier's credential, the header name in lower and upper
 * case, {@code bearer} in lower case, whitespace around the value, the credential moved to the
 * query string ({@code access_token}, {@code api_key}, the header name), and {@code
 * X-Original-URL}, {@code X-Rewrite-URL} and {@code X-Forwarded-Prefix} naming another route.
 *
 * <h2>What counts as a mismatch</h2>
 *
 * <p>Each answer must be 400 or the canonical request's status. For the variants that name another
 * resource under RFC 3986 — a changed case (paths are case-sensitive), a trailing slash, an empty
 * segment ({@code //}) — a 404 is accepted as well. Any other status, or no answer at all, is
 * reported. Credential-order variants compare with the valid credential's answer; query-string and
 * rewrite header variants with the answer to no credential.
 *
 * <p>Reports name the route, the variant and the credential by its plane and header, never the
 * credential's value. The kit only sends requests: it needs nothing from planeguard in the service
 * under test, and it does not check {@code AOS_MODE}, so it can also be pointed at a deployed
 * preproduction service.
 */
public final class PathConfusionKit {

  /** The header carrying machine keys by default. */
  public static final String MACHINE_KEY_HEADER = PlaneGuardSettings.MACHINE_KEY_HEADER;

  /** The header carrying sandbox keys by default. */
  public static final String SANDBOX_KEY_HEADER = PlaneGuardSettings.SANDBOX_KEY_HEADER;

  private static final String INVALID = "planeguard-invalid-credential";
  private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}");

  /** The origin of the absolute-form target {@link #pathVariants} gives. */
  private static final String VARIANT_ORIGIN = "http://127.0.0.1";

  private enum Expect {
    HUMAN,
    MACHINE,
    PUBLIC,
    NOT_FOUND;

    @Nullable Plane plane() {
      return this == HUMAN ? Plane.HUMAN : this == MACHINE ? Plane.MACHINE : null;
    }

    String describe() {
      return switch (this) {
        case HUMAN -> "human route";
        case MACHINE -> "machine route";
        case PUBLIC -> "public route";
        case NOT_FOUND -> "unmapped route";
      };
    }
  }

  private record Route(String method, String path, Expect expect) {}

  private record Credential(Plane plane, String header, String value) {
    String label() {
      return plane.id() + " credential in " + header;
    }

    @Override
    public String toString() {
      return label();
    }
  }

  /** A credential set: what is sent, and how reports name it. */
  private record Scenario(String label, List<Header> headers, @Nullable Credential credential) {}

  private final URI base;
  private final String origin;
  private final String context;
  private final List<Route> routes;
  private final List<Credential> credentials;
  private final List<Header> extraHeaders;
  private final RawHttpClient client;

  private PathConfusionKit(Builder b) {
    this.base = b.base;
    this.routes = List.copyOf(b.routes);
    this.credentials = List.copyOf(b.credentials);
    this.extraHeaders = List.copyOf(b.extraHeaders);
    String scheme = requireNonNull(base.getScheme()).toLowerCase(Locale.ROOT);
    String host = requireNonNull(base.getHost());
    int port = base.getPort() >= 0 ? base.getPort() : scheme.equals("https") ? 443 : 80;
    String authority = requireNonNull(base.getRawAuthority());
    this.origin = scheme + "://" + authority;
    String rawPath = base.getRawPath() == null ? "" : base.getRawPath();
    this.context = rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    SocketFactory sockets =
        scheme.equals("https")
            ? (b.sslSockets != null ? b.sslSockets : SSLSocketFactory.getDefault())
            : SocketFactory.getDefault();
    String connectHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    this.client = new RawHttpClient(connectHost, port, authority, b.timeout, sockets);
  }

  /**
   * Starts describing a run against the service at {@code baseUri} ({@code http://} or {@code
   * https://}, optionally with a context path such as {@code http://127.0.0.1:8080/app}).
   */
  public static Builder against(URI baseUri) {
    return new Builder(baseUri);
  }

  /**
   * The raw request targets the kit sends for {@code path} in place of the canonical one, for tests
   * that send requests of their own (a differential or fuzz test with its own oracle): every path
   * trick listed under "What it sends", each target written exactly as it goes on the wire, in a
   * stable order, without duplicates and without {@code path} itself.
   * <!-- example: PathConfusionKit.pathVariants -->
   *
   * <pre>{@code
   * List<String> targets = PathConfusionKit.pathVariants("/api/v1/runs/42", List.of("/healthz"));
   * // "/api/v1/runs/planeguard-probe/..;/42", "/healthz/..;/api/v1/runs/42",
   * // "/api/v1/runs%2f42", "http://127.0.0.1/api/v1/runs/42", ...
   * }</pre>
   *
   * <p>The absolute-form target names the origin {@code http://127.0.0.1}; servers read its path
   * and ignore or check its authority. Send the targets over a raw socket (an HTTP client library
   * normalises or refuses many of them).
   *
   * @param path the canonical path as sent on the wire (percent-encoded ASCII, starting with {@code
   *     /}, no query or fragment), including any context or servlet path prefix
   * @param decoys other paths of the service, typically its public routes, to prefix with enough
   *     {@code ..} segments to climb back to {@code path}; may be empty
   * @return the targets, an unmodifiable list
   * @throws IllegalArgumentException if {@code path} or a decoy is not such a path
   */
  public static List<String> pathVariants(String path, List<String> decoys) {
    checkPath(path);
    requireNonNull(decoys, "decoys");
    for (String decoy : decoys) {
      checkPath(decoy);
    }
    List<String> targets = new ArrayList<>();
    List<String> others = List.copyOf(decoys);
    for (PathCorpus.Variant v : PathCorpus.variants(VARIANT_ORIGIN, "", path, others)) {
      if (!targets.contains(v.target())) {
        targets.add(v.target());
      }
    }
    return List.copyOf(targets);
  }

  /** Refuses what is not a path as sent on the wire: starts with /, no query, fragment or space. */
  private static void checkPath(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "a route path starts with / and has no query or fragment: " + path);
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "write the route path as sent on the wire (percent-encoded ASCII)");
      }
    }
  }

  /**
   * Sends the whole corpus and fails the test if any answer breaks parity.
   *
   * @throws AssertionError listing every mismatch, one a line
   */
  public void assertParity() {
    run().assertNoMismatches();
  }

  /** Sends the whole corpus, one request at a time, and reports every mismatch. */
  public Report run() {
    List<String> mismatches = new ArrayList<>();
    int probes = 0;
    for (Route route : routes) {
      List<String> decoys = new ArrayList<>();
      for (Route other : routes) {
        if (!other.path().equals(route.path())) {
          decoys.add(other.path());
        }
      }
      List<Scenario> scenarios = new ArrayList<>();
      scenarios.add(new Scenario("no credential", List.of(), null));
      for (Credential c : credentials) {
        scenarios.add(new Scenario(c.label(), List.of(header(c)), c));
      }

      String canonical = context + route.path();
      Map<Scenario, Integer> baseline = new LinkedHashMap<>();
      for (Scenario s : scenarios) {
        Answer a = send(route.method(), canonical, s.headers());
        probes++;
        String problem = baselineProblem(route, s, a);
        if (problem != null) {
          mismatches.add(
              "baseline "
                  + route.method()
                  + " "
                  + canonical
                  + " ["
                  + s.label()
                  + "]: "
                  + a.describe()
                  + "; "
                  + problem);
        }
        if (a.status() > 0) {
          baseline.put(s, a.status());
        }
      }

      // Path variants, with each credential set.
      List<PathCorpus.Variant> variants =
          PathCorpus.variants(origin, context, route.path(), decoys);
      for (Scenario s : scenarios) {
        Integer expected = baseline.get(s);
        if (expected == null) {
          continue;
        }
        for (PathCorpus.Variant v : variants) {
          Answer a = send(route.method(), v.target(), s.headers());
          probes++;
          check(
              mismatches,
              route,
              v.target(),
              s.label(),
              v.technique(),
              a,
              expected,
              v.otherResource());
        }
      }

      // Header variants.
      if (route.expect() == Expect.PUBLIC) {
        continue;
      }
      Integer none = baseline.get(scenarios.get(0));
      for (Scenario s : scenarios) {
        Credential c = s.credential();
        Integer expected = baseline.get(s);
        if (c == null || expected == null) {
          continue;
        }
        List<HeaderVariant> hv = new ArrayList<>();
        hv.add(new HeaderVariant(c.label() + ", twice", List.of(header(c), header(c))));
        hv.add(
            new HeaderVariant(
                c.label() + ", then an invalid one",
                List.of(header(c), new Header(c.header(), INVALID))));
        hv.add(
            new HeaderVariant(
                "an invalid " + c.plane().id() + " credential, then " + c.label(),
                List.of(new Header(c.header(), INVALID), header(c))));
        for (Credential o : credentials) {
          if (!o.header().equalsIgnoreCase(c.header())) {
            hv.add(
                new HeaderVariant(c.label() + " and " + o.label(), List.of(header(c), header(o))));
          }
        }
        String lower = c.header().toLowerCase(Locale.ROOT);
        String upper = c.header().toUpperCase(Locale.ROOT);
        if (!lower.equals(c.header())) {
          hv.add(
              new HeaderVariant(
                  c.label() + ", header name in lower case",
                  List.of(new Header(lower, c.value()))));
        }
        if (!upper.equals(c.header())) {
          hv.add(
              new HeaderVariant(
                  c.label() + ", header name in upper case",
                  List.of(new Header(upper, c.value()))));
        }
        if (c.value().regionMatches(true, 0, "Bearer ", 0, 7)) {
          hv.add(
              new HeaderVariant(
                  c.label() + ", scheme \"bearer\"",
                  List.of(new Header(c.header(), "bearer " + c.value().substring(7)))));
          hv.add(
              new HeaderVariant(
                  c.label() + ", scheme \"BEARER\"",
                  List.of(new Header(c.header(), "BEARER " + c.value().substring(7)))));
        }
        hv.add(
            new HeaderVariant(
                c.label() + ", whitespace around the value",
                List.of(new Header(c.header(), "  " + c.value() + "  "))));
        for (HeaderVariant v : hv) {
          Answer a = send(route.method(), canonical, v.headers());
          probes++;
          check(mismatches, route, canonical, v.label(), "header variant", a, expected, false);
        }

        // The credential moved to the query string: refused, or treated as no credential.
        if (none != null) {
          String secret =
              c.value().regionMatches(true, 0, "Bearer ", 0, 7)
                  ? c.value().substring(7)
                  : c.value();
          List<String> parameters = new ArrayList<>();
          if (c.header().equalsIgnoreCase("Authorization")) {
            parameters.add("access_token");
          } else {
            parameters.add("api_key");
            parameters.add(c.header());
          }
          for (String p : parameters) {
            String target =
                canonical + "?" + p + "=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
            String shown = canonical + "?" + p + "=<" + c.plane().id() + " credential>";
            Answer a = send(route.method(), target, List.of());
            probes++;
            check(
                mismatches,
                route,
                shown,
                "credential in the query",
                "query credential",
                a,
                none,
                false);
          }
        }
      }

      // Rewrite headers naming another route, without a credential.
      if (none != null) {
        for (String decoy : decoys) {
          for (String h : List.of("X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Prefix")) {
            Answer a = send(route.method(), canonical, List.of(new Header(h, context + decoy)));
            probes++;
            check(
                mismatches,
                route,
                canonical,
                "no credential, " + h + ": " + context + decoy,
                "rewrite header",
                a,
                none,
                false);
          }
        }
      }
    }
    return new Report(probes, mismatches);
  }

  private record HeaderVariant(String label, List<Header> headers) {}

  /** A status, or why there was none. */
  private record Answer(int status, @Nullable String error) {
    String describe() {
      return status > 0 ? "answered " + status : "no answer (" + error + ")";
    }
  }

  private Answer send(String method, String target, List<Header> headers) {
    List<Header> all = new ArrayList<>(extraHeaders.size() + headers.size());
    all.addAll(extraHeaders);
    all.addAll(headers);
    try {
      return new Answer(client.send(method, target, all), null);
    } catch (IOException e) {
      String message = e.getMessage();
      return new Answer(
          -1, e.getClass().getSimpleName() + (message == null ? "" : ": " + oneLine(message)));
    }
  }

  private static @Nullable String baselineProblem(Route route, Scenario s, Answer a) {
    int status = a.status();
    if (status <= 0) {
      return "the canonical request must be answered";
    }
    Credential c = s.credential();
    Plane plane = route.expect().plane();
    return switch (route.expect()) {
      case NOT_FOUND -> status == 404 ? null : "an unmapped route must answer 404 whatever is sent";
      case PUBLIC ->
          status == 401 || status == 403
              ? "a public route must not ask for a credential; is the route listed with the right plane?"
              : null;
      case HUMAN, MACHINE -> {
        if (c == null) {
          yield status == 401
              ? null
              : "a "
                  + route.expect().describe()
                  + " must answer 401 without a credential;"
                  + " is the route protected, and listed with the right plane?";
        }
        if (c.plane() != plane) {
          yield status == 401
              ? null
              : "a "
                  + route.expect().describe()
                  + " must answer 401 to a credential of another plane";
        }
        yield status == 400 || status == 401 || status == 404
            ? "a valid credential of the route's plane must be accepted; check the credential and"
                + " route given to the kit"
            : null;
      }
    };
  }

  private void check(
      List<String> mismatches,
      Route route,
      String shownTarget,
      String scenario,
      String technique,
      Answer a,
      int expected,
      boolean otherResource) {
    int status = a.status();
    if (status == 400 || status == expected || (otherResource && status == 404)) {
      return;
    }
    String allowed =
        otherResource && expected != 404
            ? "400, 404 or " + expected
            : expected == 400 ? "400" : "400 or " + expected;
    mismatches.add(
        route.method()
            + " "
            + printable(shownTarget)
            + " ["
            + scenario
            + "]: "
            + a.describe()
            + ", expected "
            + allowed
            + " like "
            + route.method()
            + " "
            + context
            + route.path()
            + " ("
            + technique
            + ")");
  }

  private static Header header(Credential c) {
    return new Header(c.header(), c.value());
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String oneLine(String s) {
    String p = printable(s);
    return p.length() > 200 ? p.substring(0, 200) + "…" : p;
  }

  /** The target, the routes and which planes have credentials; never a credential. */
  @Override
  public String toString() {
    List<String> planes = new ArrayList<>();
    for (Credential c : credentials) {
      planes.add(c.label());
    }
    return "PathConfusionKit{"
        + base
        + ", routes="
        + routes.size()
        + ", credentials="
        + planes
        + "}";
  }

  /**
   * The outcome of {@link #run()}.
   *
   * @param probes how many requests were sent
   * @param mismatches one line per answer that broke parity (or baseline expectation); empty if all
   *     held. Lines name the method, target, credential set and technique, never a credential
   *     value.
   */
  public record Report(int probes, List<String> mismatches) {

    /** Copies the list. */
    public Report {
      mismatches = List.copyOf(mismatches);
    }

    /** Whether every answer held parity. */
    public boolean passed() {
      return mismatches.isEmpty();
    }

    /**
     * Does nothing if {@link #passed()}.
     *
     * @throws AssertionError listing every mismatch, one a line
     */
    public void assertNoMismatches() {
      if (passed()) {
        return;
      }
      StringBuilder sb =
          new StringBuilder()
              .append(mismatches.size())
              .append(" of ")
              .append(probes)
              .append(" requests broke path-confusion parity (each answer must be 400 or the")
              .append(" canonical request's answer):");
      for (String m : mismatches) {
        sb.append(System.lineSeparator()).append("  - ").append(m);
      }
      throw new AssertionError(sb.toString());
    }
  }

  /**
   * Describes a run: the service, its routes and valid credentials. At least one route is required;
   * give a valid credential for every plane your routes use, or the kit can only test
   * unauthenticated requests.
   */
  public static final class Builder {
    private final URI base;
    private final List<Route> routes = new ArrayList<>();
    private final List<Credential> credentials = new ArrayList<>();
    private final List<Header> extraHeaders = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(10);
    private @Nullable SSLSocketFactory sslSockets;

    private Builder(URI base) {
      requireNonNull(base, "baseUri");
      String scheme = base.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || base.getHost() == null) {
        throw new IllegalArgumentException(
            "the base URI must be http://host[:port][/context]"
                + " or https://host[:port][/context]");
      }
      if (base.getRawQuery() != null || base.getRawFragment() != null) {
        throw new IllegalArgumentException("the base URI must not have a query or fragment");
      }
      this.base = base;
    }

    /** A route whose plane is human: {@code Authorization: Bearer} (or a sandbox key). */
    public Builder humanRoute(String method, String path) {
      return add(method, path, Expect.HUMAN);
    }

    /** A route whose plane is machine: a key in {@code X-AOS-Key}. */
    public Builder machineRoute(String method, String path) {
      return add(method, path, Expect.MACHINE);
    }

    /** A route of {@code plane} (human or machine). */
    public Builder route(String method, String path, Plane plane) {
      requireNonNull(plane, "plane");
      if (plane == Plane.DATABASE) {
        throw new IllegalArgumentException("no HTTP route belongs to the database plane");
      }
      return add(method, path, plane == Plane.HUMAN ? Expect.HUMAN : Expect.MACHINE);
    }

    /** A public route: answers without a credential. Public routes also serve as decoys. */
    public Builder publicRoute(String method, String path) {
      return add(method, path, Expect.PUBLIC);
    }

    /**
     * A path that must answer 404 whatever is sent (an unmapped path, or a debug route in prod):
     * its variants must answer 400 or 404 too.
     */
    public Builder unmappedRoute(String method, String path) {
      return add(method, path, Expect.NOT_FOUND);
    }

    /** A valid human credential: {@code Authorization: Bearer <token>}. */
    public Builder bearerToken(String token) {
      return credential(Plane.HUMAN, "Authorization", "Bearer " + requireNonNull(token, "token"));
    }

    /** A valid machine key, sent in {@code X-AOS-Key}. */
    public Builder machineKey(String key) {
      return credential(Plane.MACHINE, MACHINE_KEY_HEADER, key);
    }

    /** A valid sandbox key (human plane), sent in {@code X-AOS-Customer-Key}. */
    public Builder sandboxKey(String key) {
      return credential(Plane.HUMAN, SANDBOX_KEY_HEADER, key);
    }

    /**
     * A valid credential of {@code plane}, sent as {@code header: value} (for renamed key headers).
     * Each credential is one credential set of the run.
     */
    public Builder credential(Plane plane, String header, String value) {
      requireNonNull(plane, "plane");
      if (plane == Plane.DATABASE) {
        throw new IllegalArgumentException("the database plane has no HTTP credential");
      }
      new Header(header, value); // validates
      credentials.add(new Credential(plane, header, value));
      return this;
    }

    /** A header sent with every request (a tenant header, a user agent). */
    public Builder header(String name, String value) {
      extraHeaders.add(new Header(name, value));
      return this;
    }

    /** Connect and read timeout per request. Default 10 seconds. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("the timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** TLS sockets for an {@code https} base URI (for a test certificate). Default the JDK's. */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSockets = requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Checks the description.
     *
     * @throws IllegalStateException if no route was given
     */
    public PathConfusionKit build() {
      if (routes.isEmpty()) {
        throw new IllegalStateException("give at least one route");
      }
      return new PathConfusionKit(this);
    }

    private Builder add(String method, String path, Expect expect) {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      if (!METHOD.matcher(method).matches()) {
        throw new IllegalArgumentException("not an HTTP method token");
      }
      checkPath(path);
      routes.add(new Route(method, path, expect));
      return this;
    }

    @Override
    public String toString() {
      return "PathConfusionKit.Builder{" + base + ", routes=" + routes.size() + "}";
    }
  }
}

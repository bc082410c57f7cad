package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.JwksFetcher;
import dev.planeguard.internal.Jws;
import dev.planeguard.internal.Signatures;
import dev.planeguard.internal.Text;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One trusted issuer of human-plane JWTs and how its tokens are checked. Immutable; build one per
 * issuer and give them to {@link JwtVerifier.Builder#issuer}.
 * <!-- example: HumanIssuer.builders -->
 *
 * <pre>{@code
 * HumanIssuer okta = HumanIssuer.oidc("https://example.okta.com/oauth2/default")
 *     .audiences("api://orders")
 *     .build();
 * HumanIssuer clerk = HumanIssuer.clerk("https://clerk.example.com")
 *     .authorizedParties("https://app.example.com")
 *     .build();
 * HumanIssuer own = HumanIssuer.builder("https://auth.example.com")
 *     .jwksUri(URI.create("https://auth.example.com/keys"))
 *     .audiences("orders")
 *     .build();
 * }</pre>
 *
 * <h2>Defaults</h2>
 *
 * <table class="striped">
 *   <caption>Issuer settings</caption>
 *   <tr><th>setting</th><th>default</th><th>rule</th></tr>
 *   <tr><td>{@link Builder#audiences audiences}</td><td>none</td><td>{@code aud} must contain one;
 *       audiences or authorized parties (or both) are required; in preprod and prod audiences are
 *       required, except for the Clerk preset</td></tr>
 *   <tr><td>{@link Builder#authorizedParties authorizedParties}</td><td>none</td><td>{@code azp}
 *       must be one; required by the Clerk preset</td></tr>
 *   <tr><td>{@link Builder#algorithms algorithms}</td><td>RS256, ES256 (HS256 with an HMAC
 *       secret)</td><td>RS*, PS*, ES256/384/512; HS* only with {@link Builder#hmacSecret}; never
 *       {@code none}</td></tr>
 *   <tr><td>{@link Builder#allowedTypes allowedTypes}</td><td>JWT</td><td>{@code typ} compared
 *       case-insensitively, {@code application/} prefix ignored; an absent {@code typ} is
 *       allowed</td></tr>
 *   <tr><td>{@link Builder#clockSkew clockSkew}</td><td>30 s</td><td>at most 120 s</td></tr>
 *   <tr><td>{@link Builder#maxLifetime maxLifetime}</td><td>24 h</td><td>{@code exp - iat} (or
 *       {@code exp - now} without {@code iat})</td></tr>
 *   <tr><td>{@link Builder#requiredClaims requiredClaims}</td><td>none beyond {@code iss},
 *       {@code sub}, {@code exp}</td><td>which are always required</td></tr>
 *   <tr><td>{@link Builder#tenantClaim tenantClaim}</td><td>none ({@code org_id} for Clerk)</td>
 *       <td>becomes {@link HumanPrincipal#tenant()}</td></tr>
 *   <tr><td>{@link Builder#jwksCacheTtl jwksCacheTtl}</td><td>5 min</td><td>more than the rate
 *       limit</td></tr>
 *   <tr><td>{@link Builder#jwksRefreshAhead jwksRefreshAhead}</td><td>30 s</td><td>refresh in the
 *       background this long before the cache expires</td></tr>
 *   <tr><td>{@link Builder#jwksRateLimit jwksRateLimit}</td><td>30 s</td><td>at most two fetches
 *       per window, however many unknown kids arrive</td></tr>
 *   <tr><td>{@link Builder#jwksOutageTolerance jwksOutageTolerance}</td><td>1 h</td><td>keys of
 *       the last good fetch stay usable this long while the issuer is unreachable</td></tr>
 *   <tr><td>{@link Builder#jwksTimeout jwksTimeout}</td><td>5 s</td><td>whole HTTP exchange,
 *       between 100 ms and 30 s</td></tr>
 * </table>
 *
 * <p>Fixed rules: tokens at most 8 KiB; JWKS documents at most 512 KiB; kids at most {@value
 * #MAX_KID_LENGTH} characters; HTTP redirects never followed.
 */
public final class HumanIssuer {

  /** The largest clock skew a configuration may allow. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(2);

  /** The longest {@code kid} looked up; a longer one is {@code UNKNOWN_KID} without a lookup. */
  public static final int MAX_KID_LENGTH = Jws.MAX_KID_LENGTH;

  /** The smallest HMAC secret accepted, in bytes (HS384 and HS512 need 48 and 64). */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  private final String issuer;
  private final @Nullable URI jwksUri;
  private final boolean discovery;
  private final boolean clerk;
  private final Set<String> audiences;
  private final Set<String> authorizedParties;
  private final Set<String> algorithms;
  private final Set<String> allowedTypes;
  private final Duration clockSkew;
  private final Duration maxLifetime;
  private final Set<String> requiredClaims;
  private final @Nullable String tenantClaim;
  private final Duration jwksCacheTtl;
  private final Duration jwksRefreshAhead;
  private final Duration jwksRateLimit;
  private final Duration jwksOutageTolerance;
  private final Duration jwksTimeout;
  private final byte @Nullable [] hmacSecret;
  private final Set<Mode> modes;

  private HumanIssuer(Builder b, Set<String> algorithms) {
    this.issuer = b.issuer;
    this.jwksUri = b.jwksUri;
    this.discovery = b.discovery;
    this.clerk = b.clerk;
    this.audiences = Set.copyOf(b.audiences);
    this.authorizedParties = Set.copyOf(b.authorizedParties);
    this.algorithms = Set.copyOf(algorithms);
    this.allowedTypes = Set.copyOf(b.allowedTypes);
    this.clockSkew = b.clockSkew;
    this.maxLifetime = b.maxLifetime;
    this.requiredClaims = Set.copyOf(b.requiredClaims);
    this.tenantClaim = b.tenantClaim;
    this.jwksCacheTtl = b.jwksCacheTtl;
    this.jwksRefreshAhead = b.jwksRefreshAhead;
    this.jwksRateLimit = b.jwksRateLimit;
    this.jwksOutageTolerance = b.jwksOutageTolerance;
    this.jwksTimeout = b.jwksTimeout;
    this.hmacSecret = b.hmacSecret == null ? null : b.hmacSecret.clone();
    this.modes = Collections.unmodifiableSet(EnumSet.copyOf(b.modes));
  }

  /**
   * An issuer whose keys are at a location you give with {@link Builder#jwksUri} or {@link
   * Builder#jwksFile} (or, for HMAC only, none: {@link Builder#hmacSecret}).
   *
   * @param issuer the exact {@code iss} of its tokens; compared character for character
   */
  public static Builder builder(String issuer) {
    return new Builder(issuer);
  }

  /**
   * An OpenID Connect issuer: its {@code jwks_uri} is read from {@code
   * <issuer>/.well-known/openid-configuration}, whose {@code issuer} must equal {@code issuer}
   * exactly. Discovery happens on first use, not at startup: while the provider cannot be reached,
   * requests are answered 503 ({@code JWKS_UNAVAILABLE}), and the application starts anyway.
   *
   * @param issuer the exact {@code iss}, an {@code https:} URL
   */
  public static Builder oidc(String issuer) {
    Builder b = new Builder(issuer);
    b.discovery = true;
    return b;
  }

  /**
   * A Clerk instance: the issuer is the Frontend API URL exactly as Clerk writes it into {@code
   * iss}, keys come from {@code <url>/.well-known/jwks.json}, only RS256 is accepted, {@code
   * org_id} is the tenant, and {@link Builder#authorizedParties authorized parties} are required
   * (Clerk session tokens carry no audience; {@code azp} names the origin that asked for them).
   *
   * @param frontendApiUrl for example {@code https://clerk.example.com}
   */
  public static Builder clerk(String frontendApiUrl) {
    Builder b = new Builder(frontendApiUrl);
    String base =
        frontendApiUrl.endsWith("/")
            ? frontendApiUrl.substring(0, frontendApiUrl.length() - 1)
            : frontendApiUrl;
    try {
      b.jwksUri = new URI(base + "/.well-known/jwks.json");
    } catch (URISyntaxException e) {
      b.jwksUri = null;
      b.badLocation = true;
    }
    b.algorithms = new LinkedHashSet<>(List.of("RS256"));
    b.algorithmsSet = true;
    b.tenantClaim = "org_id";
    b.clerk = true;
    return b;
  }

  /** The exact {@code iss}. */
  public String issuer() {
    return issuer;
  }

  /** Where keys are fetched from, or {@code null} when they are discovered or HMAC is used. */
  public @Nullable URI jwksUri() {
    return jwksUri;
  }

  /** Whether keys are found by OpenID discovery. */
  public boolean discovery() {
    return discovery;
  }

  /** Whether this is the {@link #clerk Clerk} preset, whose tokens are bound by {@code azp}. */
  boolean clerk() {
    return clerk;
  }

  /** Where discovery reads from, or {@code null} without discovery. */
  public @Nullable URI discoveryUri() {
    return discovery ? JwksFetcher.discoveryUri(issuer) : null;
  }

  /** Accepted audiences; {@code aud} must contain one, unless this is empty. */
  public Set<String> audiences() {
    return audiences;
  }

  /** Accepted {@code azp} values; checked unless empty. */
  public Set<String> authorizedParties() {
    return authorizedParties;
  }

  /** Accepted {@code alg} values, exactly as written in headers. */
  public Set<String> algorithms() {
    return algorithms;
  }

  /** Accepted {@code typ} values, lower case, without {@code application/}. */
  public Set<String> allowedTypes() {
    return allowedTypes;
  }

  /** Tolerance applied to {@code exp}, {@code nbf} and {@code iat}. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** Longest accepted {@code exp - iat}. */
  public Duration maxLifetime() {
    return maxLifetime;
  }

  /** Claims required in addition to {@code iss}, {@code sub} and {@code exp}. */
  public Set<String> requiredClaims() {
    return requiredClaims;
  }

  /** The claim giving the tenant, or {@code null}. */
  public @Nullable String tenantClaim() {
    return tenantClaim;
  }

  /** How long a fetched key set is used before fetching again. */
  public Duration jwksCacheTtl() {
    return jwksCacheTtl;
  }

  /** How long before the cache expires a background refresh starts. */
  public Duration jwksRefreshAhead() {
    return jwksRefreshAhead;
  }

  /** Length of a rate-limit window (at most two fetches each). */
  public Duration jwksRateLimit() {
    return jwksRateLimit;
  }

  /** How long the last good key set bridges an outage of the issuer. */
  public Duration jwksOutageTolerance() {
    return jwksOutageTolerance;
  }

  /** Time allowed for one HTTP exchange with the issuer, body included. */
  public Duration jwksTimeout() {
    return jwksTimeout;
  }

  /**
   * The modes in which this issuer's tokens are accepted; every mode unless limited with {@link
   * Builder#modes}. A {@link JwtVerifier} of another mode answers them {@code WRONG_ISSUER}.
   */
  public Set<Mode> modes() {
    return modes;
  }

  /** Whether this issuer's tokens are accepted in {@code mode}. */
  public boolean allowedIn(Mode mode) {
    return modes.contains(mode);
  }

  /** Whether an HMAC secret is configured (its value is never exposed). */
  public boolean hasHmacSecret() {
    return hmacSecret != null;
  }

  /** A copy of the HMAC secret, for the verifier only. */
  byte @Nullable [] hmacSecret() {
    return hmacSecret == null ? null : hmacSecret.clone();
  }

  /** Issuer, key location, audiences, parties and algorithms; never the HMAC secret. */
  @Override
  public String toString() {
    return "HumanIssuer{issuer="
        + issuer
        + (discovery ? ", discovery=" + discoveryUri() : "")
        + (jwksUri != null ? ", jwksUri=" + jwksUri : "")
        + (hmacSecret != null ? ", hmacSecret=<set>" : "")
        + ", audiences="
        + audiences
        + ", authorizedParties="
        + authorizedParties
        + ", algorithms="
        + algorithms
        + (modes.size() < Mode.values().length ? ", modes=" + modes : "")
        + "}";
  }

  /** Builds a {@link HumanIssuer}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private final String issuer;
    private @Nullable URI jwksUri;
    private boolean discovery;
    private boolean clerk;
    private boolean badLocation;
    private Set<String> audiences = new LinkedHashSet<>();
    private Set<String> authorizedParties = new LinkedHashSet<>();
    private Set<String> algorithms = new LinkedHashSet<>(List.of("RS256", "ES256"));
    private boolean algorithmsSet;
    private Set<String> allowedTypes = new LinkedHashSet<>(List.of("jwt"));
    private Duration clockSkew = Duration.ofSeconds(30);
    private Duration maxLifetime = Duration.ofHours(24);
    private Set<String> requiredClaims = new LinkedHashSet<>();
    private @Nullable String tenantClaim;
    private Duration jwksCacheTtl = Duration.ofMinutes(5);
    private Duration jwksRefreshAhead = Duration.ofSeconds(30);
    private Duration jwksRateLimit = Duration.ofSeconds(30);
    private Duration jwksOutageTolerance = Duration.ofHours(1);
    private Duration jwksTimeout = Duration.ofSeconds(5);
    private byte @Nullable [] hmacSecret;
    private Set<Mode> modes = EnumSet.allOf(Mode.class);

    private Builder(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
    }

    /**
     * Where the key set is: {@code https:}; {@code file:}; or {@code http:}, which only a loopback
     * host or a non-production {@linkplain JwtVerifier.Builder#mode mode} accepts.
     */
    public Builder jwksUri(URI uri) {
      this.jwksUri = requireNonNull(uri, "uri");
      this.discovery = false;
      return this;
    }

    /** A key set in a local file, re-read whenever the cache expires. */
    public Builder jwksFile(Path file) {
      return jwksUri(file.toAbsolutePath().toUri());
    }

    /**
     * Accepted audiences (replaces any given before). A verifier in preprod or prod requires one,
     * except for the {@link HumanIssuer#clerk Clerk} preset.
     */
    public Builder audiences(String... audiences) {
      this.audiences = new LinkedHashSet<>(Arrays.asList(audiences));
      return this;
    }

    /** Accepted {@code azp} values (replaces any given before). */
    public Builder authorizedParties(String... parties) {
      this.authorizedParties = new LinkedHashSet<>(Arrays.asList(parties));
      return this;
    }

    /**
     * Accepted algorithms (replaces the default RS256, ES256). HS256, HS384 and HS512 also need
     * {@link #hmacSecret}; {@code none} is refused.
     */
    public Builder algorithms(String... algorithms) {
      this.algorithms = new LinkedHashSet<>(Arrays.asList(algorithms));
      this.algorithmsSet = true;
      return this;
    }

    /**
     * Opt-in to HMAC: tokens signed with HS256 (and HS384/HS512 if listed in {@link #algorithms})
     * are verified with this secret and nothing else — never with a key from a JWKS. At least
     * {@value HumanIssuer#MIN_HMAC_SECRET_BYTES} bytes (48 for HS384, 64 for HS512). Unless {@link
     * #algorithms} is called, the algorithms become HS256 only. The array is copied.
     */
    public Builder hmacSecret(byte[] secret) {
      this.hmacSecret = requireNonNull(secret, "secret").clone();
      return this;
    }

    /** Accepted {@code typ} values (default {@code JWT}); add {@code at+jwt} for RFC 9068. */
    public Builder allowedTypes(String... types) {
      Set<String> normalized = new LinkedHashSet<>();
      for (String t : types) {
        normalized.add(normalizeType(requireNonNull(t, "type")));
      }
      this.allowedTypes = normalized;
      return this;
    }

    /** Tolerance for {@code exp}, {@code nbf}, {@code iat}; default 30 s, at most 120 s. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = requireNonNull(skew, "skew");
      return this;
    }

    /** Longest accepted token lifetime; default 24 h. */
    public Builder maxLifetime(Duration lifetime) {
      this.maxLifetime = requireNonNull(lifetime, "lifetime");
      return this;
    }

    /** Claims that must be present, in addition to {@code iss}, {@code sub} and {@code exp}. */
    public Builder requiredClaims(String... claims) {
      this.requiredClaims = new LinkedHashSet<>(Arrays.asList(claims));
      return this;
    }

    /** The string claim naming the caller's tenant. */
    public Builder tenantClaim(String claim) {
      this.tenantClaim = requireNonNull(claim, "claim");
      return this;
    }

    /**
     * Limits the issuer to {@code modes} (replaces any given before; every mode by default): a
     * verifier of another mode answers its tokens {@code WRONG_ISSUER} and never fetches its keys.
     * An issuer limited to local and test is refused in preprod and prod: a test identity project
     * has no place in a production configuration.
     */
    public Builder modes(Mode... modes) {
      this.modes = EnumSet.noneOf(Mode.class);
      this.modes.addAll(Arrays.asList(modes));
      return this;
    }

    /** How long a fetched key set is used before fetching again; default 5 min. */
    public Builder jwksCacheTtl(Duration ttl) {
      this.jwksCacheTtl = requireNonNull(ttl, "ttl");
      return this;
    }

    /** How long before expiry a read starts a background refresh; default 30 s. */
    public Builder jwksRefreshAhead(Duration refreshAhead) {
      this.jwksRefreshAhead = requireNonNull(refreshAhead, "refreshAhead");
      return this;
    }

    /** Length of a rate-limit window, at most two fetches each; default 30 s. */
    public Builder jwksRateLimit(Duration window) {
      this.jwksRateLimit = requireNonNull(window, "window");
      return this;
    }

    /** How long the last good key set bridges an outage; default 1 h. */
    public Builder jwksOutageTolerance(Duration tolerance) {
      this.jwksOutageTolerance = requireNonNull(tolerance, "tolerance");
      return this;
    }

    /** Time allowed for one HTTP exchange; default 5 s, between 100 ms and 30 s. */
    public Builder jwksTimeout(Duration timeout) {
      this.jwksTimeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the issuer.
     *
     * @throws ConfigurationException listing every problem
     */
    public HumanIssuer build() {
      List<Problem> problems = new ArrayList<>();
      String subject = "human issuer " + Text.quote(issuer, 128);
      if (issuer.isBlank()) {
        problems.add(new Problem(subject, "the issuer is empty", "give the exact iss of tokens"));
      }
      if (modes.isEmpty()) {
        problems.add(
            new Problem(
                subject,
                "no mode is given, so no token of this issuer would ever be accepted",
                "name the modes the issuer serves (local, test, preprod, prod), or leave modes"
                    + " unset for all"));
      }
      Set<String> algs = new LinkedHashSet<>(algorithms);
      if (hmacSecret != null && !algorithmsSet) {
        algs = new LinkedHashSet<>(List.of("HS256"));
      }
      checkAlgorithms(algs, subject, problems);
      boolean asymmetric = algs.stream().anyMatch(a -> !Signatures.isHmac(a));
      if (badLocation) {
        problems.add(
            new Problem(
                subject,
                "the Clerk Frontend API URL is not a URL",
                "give the Frontend API URL exactly as Clerk shows it, such as"
                    + " https://clerk.example.com"));
      }
      if (discovery) {
        URI u = parse(issuer);
        String scheme =
            u == null || u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        boolean web = scheme.equals("https") || scheme.equals("http");
        if (u == null || !web || u.getHost() == null) {
          problems.add(
              new Problem(
                  subject,
                  "OpenID discovery needs an https: issuer URL",
                  "use HumanIssuer.builder(...).jwksUri(...) for an issuer that is not a URL"));
        }
      } else if (jwksUri != null) {
        String scheme =
            jwksUri.getScheme() == null ? "" : jwksUri.getScheme().toLowerCase(Locale.ROOT);
        boolean web = scheme.equals("https") || scheme.equals("http");
        if (!(web || scheme.equals("file")) || (web && jwksUri.getHost() == null)) {
          problems.add(
              new Problem(
                  subject,
                  "the JWKS location must be an https:, http: or file: URI",
                  "give jwksUri an https: URL (http: in local and test) or a file: URI"));
        }
      } else if (asymmetric && !badLocation) {
        problems.add(
            new Problem(
                subject,
                "no key location: " + String.join(", ", algs) + " need a JWKS",
                "call jwksUri(...) or jwksFile(...), or use HumanIssuer.oidc(...)"));
      }
      if (audiences.isEmpty() && authorizedParties.isEmpty()) {
        problems.add(
            new Problem(
                subject,
                "neither audiences nor authorized parties are configured, so any token of this"
                    + " issuer would be accepted by this service",
                "call audiences(...) or authorizedParties(...)"));
      }
      if (clerk && authorizedParties.isEmpty()) {
        problems.add(
            new Problem(
                subject,
                "Clerk tokens need authorized parties (azp)",
                "configure the origin of your app, e.g. https://app.example.com"
                    + " (planeguard.human.authorized-parties, or"
                    + " HumanIssuer.Builder.authorizedParties)"));
      }
      for (String a : audiences) {
        if (a == null || a.isBlank()) {
          problems.add(new Problem(subject, "an audience is empty", "remove it"));
        }
      }
      for (String p : authorizedParties) {
        if (p == null || p.isBlank()) {
          problems.add(new Problem(subject, "an authorized party is empty", "remove it"));
        }
      }
      for (String c : requiredClaims) {
        if (c == null || c.isBlank()) {
          problems.add(new Problem(subject, "a required claim name is empty", "remove it"));
        }
      }
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        problems.add(
            new Problem(
                subject,
                "clockSkew " + clockSkew + " is outside 0 to 120 s",
                "fix the clocks instead: set clockSkew to at most 120 s"));
      }
      if (maxLifetime.isNegative() || maxLifetime.isZero()) {
        problems.add(
            new Problem(
                subject,
                "maxLifetime must be positive",
                "set maxLifetime to the longest exp - iat your issuer uses (24 hours by default)"));
      }
      if (jwksTimeout.compareTo(Duration.ofMillis(100)) < 0
          || jwksTimeout.compareTo(Duration.ofSeconds(30)) > 0) {
        problems.add(
            new Problem(
                subject,
                "jwksTimeout must be 100 ms to 30 s",
                "set jwksTimeout between 100 ms and 30 s, or leave the default"));
      }
      if (jwksRateLimit.isNegative() || jwksCacheTtl.compareTo(jwksRateLimit) <= 0) {
        problems.add(
            new Problem(
                subject,
                "jwksCacheTtl must be longer than jwksRateLimit",
                "raise jwksCacheTtl or lower jwksRateLimit"));
      }
      if (jwksRefreshAhead.isNegative()
          || jwksRefreshAhead.plus(jwksTimeout).plusSeconds(1).compareTo(jwksCacheTtl) > 0) {
        problems.add(
            new Problem(
                subject,
                "jwksRefreshAhead plus jwksTimeout plus 1 s must not exceed jwksCacheTtl",
                "lower jwksRefreshAhead or raise jwksCacheTtl"));
      }
      if (jwksOutageTolerance.isNegative()) {
        problems.add(
            new Problem(
                subject,
                "jwksOutageTolerance is negative",
                "set jwksOutageTolerance to zero (no outage tolerated) or more"));
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid human issuer", problems);
      }
      return new HumanIssuer(this, algs);
    }

    private void checkAlgorithms(Set<String> algs, String subject, List<Problem> problems) {
      if (algs.isEmpty()) {
        problems.add(new Problem(subject, "no algorithm is allowed", "list at least one"));
      }
      boolean hmac = false;
      for (String a : algs) {
        if (a == null || Signatures.isNone(a)) {
          problems.add(new Problem(subject, "the algorithm none is never accepted", "remove it"));
          continue;
        }
        if (!Signatures.SUPPORTED.contains(a)) {
          problems.add(
              new Problem(
                  subject,
                  "unsupported algorithm " + Text.quote(a, 32),
                  "use one of " + String.join(", ", Signatures.SUPPORTED)));
          continue;
        }
        if (Signatures.isHmac(a)) {
          hmac = true;
          if (hmacSecret == null) {
            problems.add(
                new Problem(
                    subject,
                    a + " is listed but no HMAC secret is configured",
                    "call hmacSecret(...) or remove " + a));
          } else if (hmacSecret.length < Signatures.hmacMinBytes(a)) {
            problems.add(
                new Problem(
                    subject,
                    "the HMAC secret is "
                        + hmacSecret.length
                        + " bytes; "
                        + a
                        + " needs at least "
                        + Signatures.hmacMinBytes(a),
                    "use a longer random secret"));
          }
        }
      }
      if (hmacSecret != null && !hmac) {
        problems.add(
            new Problem(
                subject,
                "an HMAC secret is configured but no HS algorithm is listed",
                "add HS256 to algorithms(...) or remove the secret"));
      }
    }

    private static @Nullable URI parse(String s) {
      try {
        return new URI(s);
      } catch (URISyntaxException e) {
        return null;
      }
    }
  }

  /** {@code typ} as compared: lower case, without an {@code application/} prefix. */
  static String normalizeType(String typ) {
    String t = typ.toLowerCase(Locale.ROOT);
    return t.startsWith("application/") ? t.substring("application/".length()) : t;
  }
}

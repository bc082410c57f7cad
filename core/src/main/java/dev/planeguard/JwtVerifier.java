package dev.planeguard;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import dev.planeguard.internal.CompactToken;
import dev.planeguard.internal.IssuerKeys;
import dev.planeguard.internal.JwksFetcher;
import dev.planeguard.internal.Jws;
import dev.planeguard.internal.LazyHttpClient;
import dev.planeguard.internal.Signatures;
import dev.planeguard.internal.StrictJson;
import dev.planeguard.internal.Text;
import dev.planeguard.internal.TokenClaims;
import dev.planeguard.internal.TokenKey;
import dev.planeguard.internal.Urls;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.Provider;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies human-plane JWTs for one or more {@link HumanIssuer}s. Thread-safe; build one per
 * application and {@link #close()} it on shutdown.
 * <!-- example: JwtVerifier.builder -->
 *
 * <pre>{@code
 * JwtVerifier verifier = JwtVerifier.builder()
 *     .issuer(HumanIssuer.oidc("https://login.example.com").audiences("orders").build())
 *     .mode(contract.mode())
 *     .build();
 * Enforcer enforcer = Enforcer.builder().contract(contract).policy(policy)
 *     .tokenVerifier(verifier).build();
 * }</pre>
 *
 * <h2>Checks, in order</h2>
 *
 * <ol>
 *   <li>At most 8 KiB ({@code TOO_LARGE}), then — before any parser sees it — exactly three
 *       segments of canonical unpadded base64url, strict UTF-8, and strictly valid JSON objects
 *       with no duplicate member and nesting of at most 16 ({@code MALFORMED}).
 *   <li>Header: {@code alg} {@code none} in any casing ({@code DISALLOWED_ALG}); {@code crit}
 *       present at all ({@code BAD_CRIT}); {@code jwk}, {@code jku}, {@code x5u}, {@code x5c},
 *       {@code enc}, {@code zip} or {@code b64} present ({@code MALFORMED}: embedded or remote keys
 *       are never trusted, never fetched).
 *   <li>Issuer: chosen by the exact {@code iss} of the (not yet verified) payload; an unknown
 *       issuer, or one {@linkplain HumanIssuer.Builder#modes limited} to modes other than the
 *       verifier's {@linkplain Builder#mode mode}, is {@code WRONG_ISSUER} and causes no fetch.
 *       Then the issuer's algorithm list ({@code DISALLOWED_ALG}) and {@code typ} list ({@code
 *       BAD_TYP}).
 *   <li>Key and signature: HS* only with the issuer's configured secret; otherwise the key with the
 *       header's {@code kid} in the issuer's current JWKS (one rate-limited refetch for an unknown
 *       kid; {@code UNKNOWN_KID}); the key must fit the algorithm ({@code BAD_SIGNATURE}), and the
 *       signature must verify ({@code BAD_SIGNATURE}).
 *   <li>Claims: {@code exp} required ({@code MISSING_CLAIM}); {@code EXPIRED}, {@code
 *       NOT_YET_VALID}, {@code IAT_IN_FUTURE} beyond the clock skew; {@code LIFETIME_TOO_LONG};
 *       {@code WRONG_AUDIENCE}; {@code WRONG_AZP}; {@code sub} and the required claims ({@code
 *       MISSING_CLAIM}).
 * </ol>
 *
 * <p>A JWKS that cannot be fetched, with no usable cached key, gives {@link
 * Verification.Unavailable} ({@code JWKS_UNAVAILABLE}, answered 503): never an allow, never a bad
 * token.
 *
 * <h2>Verified-token cache</h2>
 *
 * <p>Accepted tokens are remembered (Caffeine, bounded by the summed token length, see {@link
 * Builder#tokenCacheSize}). A repeated token skips parsing and cryptography, but {@code exp} and
 * {@code nbf} are checked again against the clock, and the key that signed it must still be in the
 * issuer's current JWKS: a retired key invalidates its cached tokens. Rejections are never cached.
 * The cache is kept within its bound by the threads that use it, never by a background thread.
 */
public final class JwtVerifier implements TokenVerifier, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  private final Map<String, IssuerState> issuers;
  private final List<HumanIssuer> configured;
  private final Clock clock;
  private final @Nullable Cache<TokenKey, Cached> cache;
  private final @Nullable ExecutorService ownExecutor;
  private final HumanCrypto crypto;

  private JwtVerifier(Builder b, Predicate<URI> plainHttp, @Nullable Provider provider) {
    this.clock = b.clock;
    this.crypto = provider == null ? HumanCrypto.JDK : HumanCrypto.NATIVE;
    this.configured = List.copyOf(b.issuers);
    Executor executor;
    if (b.executor != null) {
      executor = b.executor;
      this.ownExecutor = null;
    } else {
      this.ownExecutor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "planeguard-jwks-refresh");
                t.setDaemon(true);
                return t;
              });
      executor = ownExecutor;
    }
    Supplier<HttpClient> http = new LazyHttpClient();
    Map<String, IssuerState> map = new HashMap<>();
    for (HumanIssuer issuer : configured) {
      // An issuer limited to other modes is simply not trusted here: its tokens are WRONG_ISSUER,
      // and its keys are never fetched.
      if (b.mode == null || issuer.allowedIn(b.mode)) {
        map.put(issuer.issuer(), new IssuerState(issuer, http, executor, plainHttp, provider));
      }
    }
    this.issuers = Map.copyOf(map);
    if (b.tokenCacheSize > 0) {
      // Maintenance (eviction) runs on the thread that verified the token: it is cheap and
      // amortised, and handing it to another thread cost more than the work itself (a wake-up
      // per new token, measured in benchmarks/) and depended on a shared pool being free.
      Caffeine<Object, Object> builder =
          Caffeine.newBuilder().maximumWeight(b.tokenCacheSize).executor(Runnable::run);
      this.cache = builder.<TokenKey, Cached>weigher((key, entry) -> key.length()).build();
    } else {
      this.cache = null;
    }
  }

  /** A builder; at least one {@link Builder#issuer issuer} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configured issuers. */
  public List<HumanIssuer> issuers() {
    return configured;
  }

  /**
   * The cryptography that verifies signatures: {@link HumanCrypto#NATIVE} when the native provider
   * is in use, {@link HumanCrypto#JDK} otherwise, including after the fallback of local and test.
   */
  public HumanCrypto crypto() {
    return crypto;
  }

  /**
   * The issuers whose keys cannot be obtained right now: neither a fresh or tolerated cached key
   * set nor a fetch (rate-limited like every fetch) yields one. Tokens of these issuers are
   * answered 503 {@code JWKS_UNAVAILABLE}. Meant for health checks; issuers configured with only an
   * HMAC secret are never listed.
   *
   * @return the issuer identifiers, in configuration order; empty when all are available
   */
  public List<String> unavailableIssuers() {
    long now = clock.millis();
    List<String> unavailable = new ArrayList<>();
    for (HumanIssuer issuer : configured) {
      IssuerState state = issuers.get(issuer.issuer());
      IssuerKeys keys = state == null ? null : state.keys;
      if (keys == null) {
        continue;
      }
      try {
        keys.current(now);
      } catch (KeySourceException | RuntimeException e) {
        unavailable.add(issuer.issuer());
      }
    }
    return List.copyOf(unavailable);
  }

  @Override
  public Verification verify(String token) {
    return verify(token, 0);
  }

  /**
   * Verifies the token of an {@code Authorization} value that the {@link Enforcer} has found to use
   * the Bearer scheme: the token is {@code authorization.substring(start)}, not empty. Same answer
   * as {@link #verify(String) verify(token)}; a repeated value is answered from the cache without
   * copying the token out of the header.
   */
  Verification verifyAuthorization(String authorization, int start) {
    return verify(authorization, start);
  }

  /**
   * Verifies {@code text.substring(start)}. The cache key is the whole of {@code text}: a bare
   * token ({@code start == 0}) or a whole header value. The two never collide, because a token has
   * no space and a header value always has one before its token.
   */
  private Verification verify(String text, int start) {
    try {
      if (text.length() - start > CompactToken.MAX_LENGTH) {
        return reject(Detail.TOO_LARGE); // before the cache: no hashing of huge strings
      }
      long now = clock.millis();
      Cache<TokenKey, Cached> c = cache;
      TokenKey key = null;
      if (c != null) {
        key = new TokenKey(text);
        Cached hit = c.getIfPresent(key);
        if (hit != null) {
          Verification again = recheck(hit, now);
          if (again != null) {
            return again;
          }
          c.invalidate(key);
        }
      }
      return verifyNew(start == 0 ? text : text.substring(start), key, now);
    } catch (RuntimeException e) {
      LOG.error("planeguard could not verify a token: {}", Text.describe(e));
      return Verification.unavailable(Detail.INTERNAL_ERROR);
    }
  }

  /**
   * A cache hit: still within {@code exp}/{@code nbf}, and its key still published? Returns the
   * cached answer, an {@code Unavailable} if the keys cannot be read, or {@code null} to verify the
   * token again from scratch.
   */
  @SuppressWarnings("ReferenceEquality") // identity first: a cache hit skips equals() (see below)
  private @Nullable Verification recheck(Cached hit, long now) {
    if (now >= hit.validUntil || now < hit.validFrom) {
      return null;
    }
    if (hit.keyId != null) {
      IssuerKeys keys = requireNonNull(hit.issuer.keys);
      IssuerKeys.Snapshot current;
      try {
        current = keys.current(now);
      } catch (KeySourceException e) {
        return Verification.unavailable(Detail.JWKS_UNAVAILABLE);
      }
      IssuerKeys.Key key = current.get(hit.keyId);
      // The same instance while the key set is unchanged; equal after a refetch that kept it.
      if (key == null || (key.jwk() != hit.jwk && !key.jwk().equals(hit.jwk))) {
        return null;
      }
    }
    return hit.verified;
  }

  private Verification verifyNew(String token, @Nullable TokenKey key, long now) {
    try {
      return verifyNewOrThrow(token, key, now);
    } catch (Jws.Rejected r) {
      return reject(r.detail());
    } catch (KeySourceException e) {
      return Verification.unavailable(Detail.JWKS_UNAVAILABLE);
    }
  }

  private Verification verifyNewOrThrow(String token, @Nullable TokenKey cacheKey, long now)
      throws Jws.Rejected, KeySourceException {
    // Stages 1 and 2: syntax before any parser, then the header rules that hold for every issuer.
    Jws jws = Jws.parse(token);

    // The payload, still unverified: only its iss is used before the signature is checked.
    String payloadJson = jws.payloadJson();
    Map<String, @Nullable Object> claimsMap =
        payloadJson == null ? null : StrictJson.parseObject(payloadJson);
    if (claimsMap == null) {
      return reject(Detail.MALFORMED);
    }
    // The registered claims, with the types RFC 7519 gives them; any other type is MALFORMED.
    // (Read straight from the map: building a JWTClaimsSet costs more than the rest of this stage.)
    Long exp = TokenClaims.seconds(claimsMap, "exp");
    Long nbf = TokenClaims.seconds(claimsMap, "nbf");
    Long iat = TokenClaims.seconds(claimsMap, "iat");
    List<String> audience = TokenClaims.audience(claimsMap);
    Object sub = claimsMap.get("sub");
    if (audience == null
        || TokenClaims.notString(claimsMap.get("iss"))
        || TokenClaims.notString(sub)
        || TokenClaims.notString(claimsMap.get("jti"))) {
      return reject(Detail.MALFORMED);
    }

    // Stage 3: the issuer, by exact iss; an unknown one causes no fetch.
    IssuerState issuer = claimsMap.get("iss") instanceof String iss ? issuers.get(iss) : null;
    if (issuer == null) {
      return reject(Detail.WRONG_ISSUER);
    }
    if (!issuer.config.algorithms().contains(jws.alg())) {
      return reject(Detail.DISALLOWED_ALG);
    }
    String typ = jws.typ();
    if (typ != null && !issuer.config.allowedTypes().contains(HumanIssuer.normalizeType(typ))) {
      return reject(Detail.BAD_TYP);
    }

    // Stage 4: key and signature.
    IssuerKeys.Key key =
        jws.verifySignature(issuer.mac, (kid, alg) -> findKey(issuer, kid, alg, now));
    String keyId = key == null ? null : key.id();
    JWK jwk = key == null ? null : key.jwk();

    // Stage 5: claims.
    HumanIssuer config = issuer.config;
    if (exp == null) {
      return reject(Detail.MISSING_CLAIM);
    }
    long skew = config.clockSkew().toMillis();
    if (now >= exp + skew) {
      return reject(Detail.EXPIRED);
    }
    if (nbf != null && now < nbf - skew) {
      return reject(Detail.NOT_YET_VALID);
    }
    if (iat != null && iat > now + skew) {
      return reject(Detail.IAT_IN_FUTURE);
    }
    long start = iat != null ? iat : now;
    if (exp - start > config.maxLifetime().toMillis()) {
      return reject(Detail.LIFETIME_TOO_LONG);
    }
    if (!config.audiences().isEmpty() && Collections.disjoint(config.audiences(), audience)) {
      return reject(Detail.WRONG_AUDIENCE);
    }
    if (!config.authorizedParties().isEmpty()
        && !(claimsMap.get("azp") instanceof String azp
            && config.authorizedParties().contains(azp))) {
      return reject(Detail.WRONG_AZP);
    }
    String subject = (String) sub;
    if (subject == null || subject.isEmpty()) {
      return reject(Detail.MISSING_CLAIM);
    }
    for (String required : config.requiredClaims()) {
      if (claimsMap.get(required) == null) {
        return reject(Detail.MISSING_CLAIM);
      }
    }

    String tenantClaim = config.tenantClaim();
    HumanPrincipal principal =
        new HumanPrincipal(
            subject,
            config.issuer(),
            claimsMap.get("sid") instanceof String sid ? sid : null,
            tenantClaim != null && claimsMap.get(tenantClaim) instanceof String t ? t : null,
            TokenClaims.scopes(claimsMap),
            VerifiedClaims.ofParsed(claimsMap));
    Verification.Verified verified = new Verification.Verified(principal);
    Cache<TokenKey, Cached> c = cache;
    if (c != null && cacheKey != null) {
      c.put(
          cacheKey,
          new Cached(
              verified, exp + skew, nbf == null ? Long.MIN_VALUE : nbf - skew, issuer, keyId, jwk));
    }
    return verified;
  }

  /** The issuer's key for a token: by kid, refetching once (rate-limited) if unknown. */
  private static IssuerKeys.@Nullable Key findKey(
      IssuerState issuer, @Nullable String kid, JWSAlgorithm alg, long now)
      throws KeySourceException {
    IssuerKeys keys = requireNonNull(issuer.keys, "asymmetric algorithm without keys");
    IssuerKeys.Snapshot snapshot = keys.current(now);
    if (kid == null) {
      return Jws.onlyKeyFor(alg, snapshot);
    }
    IssuerKeys.Key key = snapshot.get(kid);
    if (key != null) {
      return key;
    }
    try {
      return keys.refresh(snapshot, now).get(kid);
    } catch (RateLimitReachedException e) {
      return null;
    }
  }

  private static Verification reject(Detail detail) {
    return Verification.rejected(Reason.INVALID_TOKEN, detail);
  }

  /**
   * Problems with using this verifier in {@code mode}: in preprod and prod, an {@code http:} JWKS
   * location or issuer URL, an issuer without an audience (except the Clerk preset, bound by its
   * required authorized parties), and an issuer limited to local and test. The {@link Enforcer}
   * asks this at build time.
   */
  List<Problem> problemsIn(Mode mode) {
    return problems(configured, mode);
  }

  private static List<Problem> problems(List<HumanIssuer> issuers, @Nullable Mode mode) {
    List<Problem> problems = new ArrayList<>();
    for (HumanIssuer issuer : issuers) {
      String subject = "human issuer " + Text.quote(issuer.issuer(), 128);
      URI jwks = issuer.jwksUri();
      if (jwks != null
          && "http".equalsIgnoreCase(jwks.getScheme())
          && !plainHttpAllowed(mode, jwks)) {
        problems.add(
            new Problem(
                subject,
                "the JWKS location " + jwks + " is plain http:" + where(mode),
                "use an https: or file: JWKS location"));
      }
      if (issuer.issuer().regionMatches(true, 0, "http:", 0, 5)) {
        URI u = URI.create(issuer.issuer().replace(" ", "%20"));
        if (!plainHttpAllowed(mode, u)) {
          problems.add(
              new Problem(
                  subject,
                  "the issuer URL is plain http:" + where(mode),
                  "use the issuer's https: URL"));
        }
      }
      if (mode != null
          && mode.isProductionLike()
          && issuer.modes().stream().noneMatch(Mode::isProductionLike)) {
        problems.add(
            new Problem(
                subject,
                "is limited to "
                    + issuer.modes().stream()
                        .map(Mode::toString)
                        .collect(java.util.stream.Collectors.joining(", "))
                    + where(mode)
                    + " (a development or test identity provider has no place here)",
                "remove the issuer from this deployment's configuration, or, if it really serves "
                    + mode
                    + ", add "
                    + mode
                    + " to its modes (planeguard.human.modes or"
                    + " planeguard.human.additional-issuers[n].modes, or HumanIssuer.Builder.modes)"));
        continue;
      }
      if (mode != null && mode.isProductionLike() && !boundToThisService(issuer)) {
        problems.add(
            new Problem(
                subject,
                "no audience is configured (authorized parties name the client, not this API),"
                    + " so tokens minted for any API of this issuer would be accepted"
                    + where(mode),
                "configure the audience this service accepts (planeguard.human.audiences or"
                    + " planeguard.human.additional-issuers[n].audiences, or"
                    + " HumanIssuer.Builder.audiences)"));
      }
    }
    return problems;
  }

  /**
   * Whether a token of {@code issuer} must name this service: by an audience, or for Clerk, whose
   * session tokens carry no {@code aud}, by an authorized party.
   */
  private static boolean boundToThisService(HumanIssuer issuer) {
    return !issuer.audiences().isEmpty()
        || (issuer.clerk() && !issuer.authorizedParties().isEmpty());
  }

  private static String where(@Nullable Mode mode) {
    return mode == null
        ? " and not a loopback address (set the verifier's mode to allow it outside production)"
        : ", which AOS_MODE=" + mode + " does not allow";
  }

  /** {@code http:} is for loopback without a mode, anything in local/test, nothing in prod. */
  private static boolean plainHttpAllowed(@Nullable Mode mode, URI uri) {
    if (mode == null) {
      return Urls.isLoopback(uri);
    }
    return !mode.isProductionLike();
  }

  /** Stops background refreshes started by this verifier. */
  @Override
  public void close() {
    for (IssuerState state : issuers.values()) {
      if (state.keys != null) {
        state.keys.close();
      }
    }
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }

  /** The issuers; never a key or secret. */
  @Override
  public String toString() {
    return "JwtVerifier{issuers=" + issuers.keySet() + "}";
  }

  /** Runtime state of one issuer: its own JWKS chain and cache, never shared. */
  private static final class IssuerState {
    final HumanIssuer config;
    final @Nullable IssuerKeys keys;
    final @Nullable MACVerifier mac;

    IssuerState(
        HumanIssuer config,
        Supplier<HttpClient> http,
        Executor executor,
        Predicate<URI> plain,
        @Nullable Provider provider) {
      this.config = config;
      boolean asymmetric = config.algorithms().stream().anyMatch(a -> !Signatures.isHmac(a));
      if (asymmetric) {
        JwksFetcher fetcher =
            new JwksFetcher(config.issuer(), config.jwksUri(), http, config.jwksTimeout(), plain);
        this.keys =
            new IssuerKeys(
                fetcher,
                config.jwksCacheTtl(),
                config.jwksRefreshAhead(),
                config.jwksRateLimit(),
                config.jwksOutageTolerance(),
                config.jwksTimeout().plusSeconds(1),
                executor,
                provider);
      } else {
        this.keys = null;
      }
      byte[] secret = config.hmacSecret();
      if (secret != null) {
        try {
          this.mac = new MACVerifier(secret); // keeps this copy of the secret
        } catch (JOSEException e) {
          throw new IllegalStateException("HMAC secret refused by Nimbus", e);
        }
      } else {
        this.mac = null;
      }
    }
  }

  /** A verified token: its answer and what a hit must check again. */
  private record Cached(
      Verification.Verified verified,
      long validUntil,
      long validFrom,
      IssuerState issuer,
      @Nullable String keyId,
      @Nullable JWK jwk) {}

  /** Builds a {@link JwtVerifier}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private final List<HumanIssuer> issuers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private long tokenCacheSize = 8L * 1024 * 1024;
    private @Nullable Executor executor;
    private @Nullable Mode mode;
    private HumanCrypto crypto = HumanCrypto.JDK;
    private String cryptoSetting = "JwtVerifier.Builder.crypto";

    private Builder() {}

    /**
     * Which cryptography verifies asymmetric signatures; {@link HumanCrypto#JDK} by default. {@link
     * HumanCrypto#NATIVE} needs the {@code planeguard-crypto-native} module and a platform its
     * native library supports: without them {@link #build()} fails in preprod and prod and without
     * a {@link #mode mode}, and in local and test logs one warning and uses the JDK.
     */
    public Builder crypto(HumanCrypto crypto) {
      this.crypto = requireNonNull(crypto, "crypto");
      return this;
    }

    /** How problems with {@link #crypto} name the setting (the assembly's name for it). */
    Builder cryptoSetting(String name) {
      this.cryptoSetting = requireNonNull(name, "name");
      return this;
    }

    /** Adds a trusted issuer. Each {@code iss} may be configured once. */
    public Builder issuer(HumanIssuer issuer) {
      issuers.add(requireNonNull(issuer, "issuer"));
      return this;
    }

    /**
     * The clock for {@code exp}, {@code nbf}, {@code iat}, the JWKS cache, the rate limiter and the
     * outage tolerance; {@link Clock#systemUTC()} by default.
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Bound of the verified-token cache: the summed length, in characters, of the tokens it holds
     * (8 MiB by default, about 10,000 typical tokens); 0 turns it off.
     */
    public Builder tokenCacheSize(long characters) {
      if (characters < 0) {
        throw new IllegalArgumentException("tokenCacheSize must not be negative");
      }
      this.tokenCacheSize = characters;
      return this;
    }

    /**
     * Runs background JWKS refreshes. By default a daemon thread owned by the verifier, stopped by
     * {@link JwtVerifier#close()}.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The deployment mode. In preprod and prod an {@code http:} JWKS or issuer URL is refused (in
     * local and test it is allowed; without a mode, only on a loopback address), and so is an
     * issuer without an audience, except the Clerk preset with its authorized parties, and an
     * issuer limited to local and test. Issuers {@linkplain HumanIssuer.Builder#modes limited} to
     * other modes are left out: their tokens are {@code WRONG_ISSUER}.
     */
    public Builder mode(Mode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Builds the verifier. No network access happens here: keys are fetched on first use.
     *
     * @throws ConfigurationException listing every problem
     */
    public JwtVerifier build() {
      List<Problem> problems = new ArrayList<>();
      if (issuers.isEmpty()) {
        problems.add(new Problem("human issuers", "no issuer is configured", "call issuer(...)"));
      }
      Set<String> seen = new LinkedHashSet<>();
      for (HumanIssuer issuer : issuers) {
        if (!seen.add(issuer.issuer())) {
          problems.add(
              new Problem(
                  "human issuer " + Text.quote(issuer.issuer(), 128),
                  "configured twice",
                  "configure each issuer once"));
        }
      }
      problems.addAll(problems(issuers, mode));
      Provider provider =
          crypto == HumanCrypto.NATIVE ? nativeProvider(mode, cryptoSetting, problems) : null;
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid JWT verifier configuration", problems);
      }
      Mode m = mode;
      return new JwtVerifier(this, uri -> plainHttpAllowed(m, uri), provider);
    }
  }

  /**
   * The native provider, or {@code null} with a problem added (preprod, prod, no mode) or one
   * warning logged (local, test) when the module is absent or its library cannot be loaded here.
   */
  static @Nullable Provider nativeProvider(
      @Nullable Mode mode, String setting, List<Problem> problems) {
    String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    String reason;
    String fix;
    NativeCrypto found;
    try {
      found = findNativeCrypto();
    } catch (java.util.ServiceConfigurationError e) {
      found = null;
    }
    if (found == null) {
      reason = "the module planeguard-crypto-native is not on the class path";
      fix =
          "add the dependency dev.planeguard:planeguard-crypto-native to the application, or set "
              + setting
              + " to jdk";
    } else {
      String unavailable;
      try {
        unavailable = found.unavailableReason();
        if (unavailable == null) {
          Provider provider = found.provider();
          LOG.info("planeguard human-plane signatures: {} (native)", found.description());
          return provider;
        }
      } catch (RuntimeException | LinkageError e) {
        unavailable = Text.describe(e);
      }
      reason = "the native library of " + found.description() + " cannot be used: " + unavailable;
      fix =
          "run on a platform the native provider supports (see docs/crypto-native.md), with a"
              + " temporary directory (java.io.tmpdir) that allows loading libraries, or set "
              + setting
              + " to jdk";
    }
    String message =
        "native signature verification is asked for, but "
            + reason
            + " (platform "
            + platform
            + ")";
    if (mode == null || mode.isProductionLike()) {
      problems.add(
          new Problem(
              setting,
              message
                  + (mode == null ? "; a verifier without a mode" : "; AOS_MODE=" + mode)
                  + " does not fall back to the JDK",
              fix));
    } else {
      LOG.warn(
          "planeguard: {}; the JDK verifies signatures instead in AOS_MODE={}, and in preprod"
              + " and prod this stops startup ({})",
          message,
          mode,
          fix);
    }
    return null;
  }

  /**
   * The first implementation found by the thread's context class loader (an application server's or
   * Spring Boot's loader), else by core's own.
   */
  private static @Nullable NativeCrypto findNativeCrypto() {
    NativeCrypto found = ServiceLoader.load(NativeCrypto.class).findFirst().orElse(null);
    if (found == null) {
      found =
          ServiceLoader.load(NativeCrypto.class, JwtVerifier.class.getClassLoader())
              .findFirst()
              .orElse(null);
    }
    return found;
  }
}

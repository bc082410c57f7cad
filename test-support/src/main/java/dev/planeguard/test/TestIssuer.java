package dev.planeguard.test;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.test.internal.IssuerServer;
import dev.planeguard.test.internal.ProductionGuard;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A real OpenID issuer for tests: it generates RSA-2048 and P-256 key pairs, serves their public
 * halves as a JWKS and an OpenID discovery document over HTTP on 127.0.0.1, and signs JWTs with
 * them. Nothing is faked: the service under test fetches the JWKS over HTTP and verifies every
 * signature exactly as it does in production.
 * <!-- example: TestIssuer.start -->
 *
 * <pre>{@code
 * try (TestIssuer issuer = TestIssuer.start()) {
 *   // Configure the service under test with these three values:
 *   URI jwks = issuer.jwksUri();            // http://127.0.0.1:<port>/.well-known/jwks.json
 *   String iss = issuer.issuerId();         // http://127.0.0.1:<port>
 *   String aud = issuer.audience();         // planeguard-test
 *
 *   String token = issuer.token().subject("alice").sessionId("sess_1").sign();
 *   // GET /api/v1/accounts/me with "Authorization: Bearer " + token   -> 200
 *
 *   String expired = issuer.token().expiresAt(Instant.now().minusSeconds(3600)).sign();
 *   String es256 = issuer.token().algorithm(JWSAlgorithm.ES256).sign();
 * }
 * }</pre>
 *
 * <h2>Keys</h2>
 *
 * <p>The issuer starts with one RSA-2048 key (signs {@code RS256}, {@code RS384}, {@code RS512},
 * {@code PS256}, {@code PS384}, {@code PS512}) and one P-256 key (signs {@code ES256}), both
 * published with {@code use=sig} and their {@code alg}. Each key type has a <em>current</em> key,
 * used when a token does not name one. Keys can be created, published, retired (removed from the
 * JWKS but still able to sign, to produce tokens with an unpublished {@code kid}) and made current:
 * <!-- example: TestIssuer.makeCurrent -->
 *
 * <pre>{@code
 * String old = issuer.currentKid(KeyType.RSA);
 * String next = issuer.createKey(KeyType.RSA);   // published ahead of use
 * issuer.makeCurrent(next);                      // new tokens are signed with it
 * issuer.retire(old);                            // old kid disappears from the JWKS
 * String stale = issuer.token().signingKey(old).sign();   // UNKNOWN_KID for a verifier
 * }</pre>
 *
 * <h2>Faults, observable over HTTP</h2>
 *
 * <ul>
 *   <li>{@link #takeDown()} and {@link #bringUp()}: the issuer goes down (connections refused) and
 *       comes back on the same port with the same keys.
 *   <li>{@link #holdJwks()}: JWKS requests wait until the test releases them; deterministic, no
 *       sleeping. {@link #jwksDelay(Duration)}: every JWKS response waits a fixed time (for client
 *       timeouts; choose a delay far longer than the timeout under test).
 *   <li>{@link #failJwks(JwksFault)}: HTTP 500, a body that is not JSON, a document over 512 KiB,
 *       or an empty key set. {@link #serveRawJwks(String)}: any document you write.
 *   <li>{@link #requestCount(String)}, {@link #jwksRequestCount()}: how many requests arrived, per
 *       path, to assert how often a verifier fetched the JWKS.
 * </ul>
 *
 * <p>{@link #restoreJwks()} ends every JWKS fault at once.
 *
 * <h2>Never in production</h2>
 *
 * <p>{@link Builder#start()} refuses to run when {@code AOS_MODE} is {@code preprod}, {@code prod}
 * or any value other than {@code local} or {@code test}: real signed test tokens belong to local
 * and test only. Keep this artifact in test scope.
 *
 * <p>Instances are thread-safe. Close the issuer to stop its server and free the port; {@link
 * TestIssuerExtension} does that for you.
 */
public final class TestIssuer implements AutoCloseable {

  /** The default audience ({@code aud}) of minted tokens: {@value}. */
  public static final String DEFAULT_AUDIENCE = "planeguard-test";

  /** The default subject ({@code sub}) of minted tokens: {@value}. */
  public static final String DEFAULT_SUBJECT = "test-user";

  /** The default token lifetime: five minutes from {@code iat} to {@code exp}. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** Size of {@link JwksFault#OVERSIZED}: 600 KiB, above planeguard's 512 KiB limit. */
  static final int OVERSIZED_BYTES = 600 * 1024;

  /** A broken JWKS response, for {@link #failJwks(JwksFault)}. */
  public enum JwksFault {
    /** HTTP 500 with a plain-text body. */
    SERVER_ERROR,
    /** HTTP 200, {@code Content-Type: application/json}, and a body that is not JSON. */
    GARBAGE,
    /**
     * HTTP 200 and a valid JWKS with the published keys, padded with an extra member to 600 KiB,
     * above planeguard's 512 KiB limit: the size is the only thing wrong with it.
     */
    OVERSIZED,
    /** HTTP 200 and {@code {"keys":[]}}. */
    EMPTY_KEY_SET
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String KID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

  private final Clock clock;
  private final String audience;
  private final String subject;
  private final Duration lifetime;
  private final @Nullable String configuredIssuerId;
  private final IssuerServer server;
  private final URI baseUri;
  private final String issuerId;

  // Guarded by this.
  private final Map<String, JWK> keys = new LinkedHashMap<>();
  private final Set<String> published = new LinkedHashSet<>();
  private final Map<KeyType, String> current = new LinkedHashMap<>();
  private int keyCounter;
  private String jwksJson = "{\"keys\":[]}";

  private TestIssuer(Builder b) {
    this.clock = b.clock;
    this.audience = b.audience;
    this.subject = b.subject;
    this.lifetime = b.lifetime;
    this.configuredIssuerId = b.issuerId;
    String rsa = generate(KeyType.RSA, true);
    String ec = generate(KeyType.EC, true);
    current.put(KeyType.RSA, rsa);
    current.put(KeyType.EC, ec);
    this.server = new IssuerServer(b.port, this::jwksJson, this::discoveryJson);
    this.baseUri = URI.create("http://127.0.0.1:" + server.port());
    this.issuerId = configuredIssuerId != null ? configuredIssuerId : baseUri.toString();
  }

  /** A builder for an issuer with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts an issuer with the defaults: issuer id = its base URL, audience {@value
   * #DEFAULT_AUDIENCE}, subject {@value #DEFAULT_SUBJECT}, five-minute tokens, the system clock, an
   * ephemeral port.
   *
   * @throws dev.planeguard.ConfigurationException if {@code AOS_MODE} is preprod, prod or unknown
   */
  public static TestIssuer start() {
    return builder().start();
  }

  // ---------------------------------------------------------------- where the issuer is

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public URI baseUri() {
    return baseUri;
  }

  /** The port, the same across {@link #takeDown()} and {@link #bringUp()}. */
  public int port() {
    return server.port();
  }

  /** {@code <base>/.well-known/jwks.json}: configure the service under test with it. */
  public URI jwksUri() {
    return baseUri.resolve(IssuerServer.JWKS_PATH);
  }

  /** {@code <base>/.well-known/openid-configuration}. */
  public URI discoveryUri() {
    return baseUri.resolve(IssuerServer.DISCOVERY_PATH);
  }

  /**
   * The {@code iss} of minted tokens and of the discovery document: {@link #baseUri()} unless
   * {@link Builder#issuerId(String)} set another.
   */
  public String issuerId() {
    return issuerId;
  }

  /** The default {@code aud} of minted tokens. */
  public String audience() {
    return audience;
  }

  // ---------------------------------------------------------------- tokens

  /** A builder for one token, pre-filled with this issuer's defaults. */
  public TokenBuilder token() {
    return new TokenBuilder(this);
  }

  // ---------------------------------------------------------------- keys

  /**
   * The kid of the key that signs tokens of {@code type} ({@code RSA} or {@code EC}) by default.
   */
  public synchronized String currentKid(KeyType type) {
    String kid = current.get(supported(type));
    return requireNonNull(kid);
  }

  /** The kids in the JWKS, in publication order. */
  public synchronized List<String> publishedKids() {
    return List.copyOf(published);
  }

  /**
   * Generates a key and publishes it, without making it current: a key published ahead of use, as
   * issuers do before a rotation.
   *
   * @param type {@link KeyType#RSA} (2048 bits) or {@link KeyType#EC} (P-256)
   * @return its kid
   */
  public synchronized String createKey(KeyType type) {
    return generate(supported(type), true);
  }

  /**
   * Generates a key that can sign but is not in the JWKS until {@link #publish(String)}: tokens
   * signed with it carry a kid no verifier can find.
   *
   * @return its kid
   */
  public synchronized String createUnpublishedKey(KeyType type) {
    return generate(supported(type), false);
  }

  /** Adds a key to the JWKS (at the end). Does nothing if it is published already. */
  public synchronized void publish(String kid) {
    key(kid);
    published.add(kid);
    refreshJwks();
  }

  /**
   * Removes a key from the JWKS. It can still sign (with {@link TokenBuilder#signingKey}), and if
   * it is current, tokens signed by default now carry a kid the JWKS no longer has.
   */
  public synchronized void retire(String kid) {
    key(kid);
    published.remove(kid);
    refreshJwks();
  }

  /** Makes {@code kid} the default signing key of its type. Does not publish it. */
  public synchronized void makeCurrent(String kid) {
    JWK jwk = key(kid);
    current.put(jwk.getKeyType(), kid);
  }

  /**
   * A rotation's first step: generates a key of {@code type}, publishes it and makes it current.
   * The previous key stays published until you {@link #retire(String)} it.
   *
   * @return the new kid
   */
  public synchronized String rotate(KeyType type) {
    String kid = generate(supported(type), true);
    current.put(type, kid);
    return kid;
  }

  /** The JWKS as currently published: public keys only. */
  public synchronized JWKSet publicJwks() {
    List<JWK> list = new ArrayList<>();
    for (String kid : published) {
      list.add(key(kid).toPublicJWK());
    }
    return new JWKSet(list);
  }

  /**
   * The public half of any key of this issuer, published or not: to write a JWKS file, or to build
   * a hostile token (an embedded {@code jwk} header, an HMAC keyed with the public key).
   */
  public synchronized JWK publicKey(String kid) {
    return key(kid).toPublicJWK();
  }

  // ---------------------------------------------------------------- faults

  /** Whether the issuer is answering. */
  public boolean running() {
    return server.running();
  }

  /**
   * Goes down: connections to the port are refused, and JWKS requests that were waiting (held or
   * delayed) are dropped without an answer. Keys and settings are kept. Does nothing if stopped.
   */
  public void takeDown() {
    server.stop();
  }

  /**
   * Comes back on the same port with the same keys. Does nothing if running.
   *
   * @throws java.io.UncheckedIOException in the rare case another process took the port meanwhile
   * @throws dev.planeguard.ConfigurationException if {@code AOS_MODE} now says preprod or prod
   */
  public void bringUp() {
    ProductionGuard.check("TestIssuer", System.getenv());
    server.start();
  }

  /**
   * Holds JWKS requests: from now on each one waits until the hold is released (or the issuer stops
   * or is closed). The discovery document still answers. Use it to test what a verifier does while
   * a fetch is in flight, without sleeping:
   * <!-- example: TestIssuer.holdJwks -->
   *
   * <pre>{@code
   * try (TestIssuer.JwksHold hold = issuer.holdJwks()) {
   *   CompletableFuture<Decision> pending = CompletableFuture.supplyAsync(() -> enforcer.decide(req));
   *   hold.awaitRequests(1);               // the verifier's fetch is now parked in the issuer
   *   assertThat(pending).isNotDone();     // deterministic: nothing can answer it yet
   *   hold.release();
   *   assertThat(pending.join().allowed()).isTrue();
   * }
   * }</pre>
   *
   * @throws IllegalStateException if a hold is already active
   */
  public JwksHold holdJwks() {
    return new JwksHold(server.hold());
  }

  /**
   * Delays every JWKS response by {@code delay} until {@link #restoreJwks()}. The delay is real
   * time: to test a client timeout, choose a delay far longer than the timeout (say an hour against
   * a 200 ms timeout), so the outcome does not depend on scheduling. Stopping or closing the issuer
   * cuts the delay short. Prefer {@link #holdJwks()} when the test controls the timing.
   */
  public void jwksDelay(Duration delay) {
    server.delay(requireNonNull(delay, "delay"));
  }

  /** Serves a broken JWKS until {@link #restoreJwks()}. */
  public void failJwks(JwksFault fault) {
    requireNonNull(fault, "fault");
    IssuerServer.Canned canned =
        switch (fault) {
          case SERVER_ERROR -> new IssuerServer.Canned(500, "text/plain", "internal error\n");
          case GARBAGE ->
              new IssuerServer.Canned(
                  200, "application/json", "<html><body>not a key set</body></html>");
          case OVERSIZED -> new IssuerServer.Canned(200, "application/json", oversizedJwks());
          case EMPTY_KEY_SET -> new IssuerServer.Canned(200, "application/json", "{\"keys\":[]}");
        };
    server.serve(canned);
  }

  /**
   * Serves exactly {@code document} as the JWKS (HTTP 200, {@code application/json}) until {@link
   * #restoreJwks()}: for key sets with {@code oct} keys, private members, duplicate kids, short RSA
   * keys, or anything else a hostile or broken issuer might publish.
   */
  public void serveRawJwks(String document) {
    server.serve(new IssuerServer.Canned(200, "application/json", document));
  }

  /**
   * Ends every JWKS fault: serves the real key set again, without delay, and releases any hold.
   * Requests that were held or delayed are answered at once, with the real key set.
   */
  public void restoreJwks() {
    server.restore();
  }

  /**
   * Requests received for {@code path} (the raw path, e.g. {@code "/.well-known/jwks.json"}),
   * whatever their outcome, counted on arrival, since the start or the last {@link
   * #resetRequestCounts()}.
   */
  public int requestCount(String path) {
    return server.count(path);
  }

  /** Requests received for the JWKS; see {@link #requestCount(String)}. */
  public int jwksRequestCount() {
    return server.count(IssuerServer.JWKS_PATH);
  }

  /** Requests received for the discovery document; see {@link #requestCount(String)}. */
  public int discoveryRequestCount() {
    return server.count(IssuerServer.DISCOVERY_PATH);
  }

  /** Sets every request count back to zero. */
  public void resetRequestCounts() {
    server.resetCounts();
  }

  /** Stops the server for good and frees the port. */
  @Override
  public void close() {
    server.close();
  }

  /** Where the issuer listens and which kids it publishes; no key material. */
  @Override
  public String toString() {
    return "TestIssuer{" + baseUri + ", iss=" + issuerId + ", kids=" + publishedKids() + "}";
  }

  // ---------------------------------------------------------------- internals

  private synchronized JWK key(String kid) {
    JWK jwk = keys.get(requireNonNull(kid, "kid"));
    if (jwk == null) {
      throw new IllegalArgumentException("this issuer has no key with kid " + kid);
    }
    return jwk;
  }

  private static KeyType supported(KeyType type) {
    if (!KeyType.RSA.equals(type) && !KeyType.EC.equals(type)) {
      throw new IllegalArgumentException("the test issuer makes RSA and EC keys, not " + type);
    }
    return KeyType.RSA.equals(type) ? KeyType.RSA : KeyType.EC;
  }

  private synchronized String generate(KeyType type, boolean publish) {
    keyCounter++;
    StringBuilder kid = new StringBuilder(KeyType.RSA.equals(type) ? "rsa" : "ec");
    kid.append(keyCounter).append('-');
    for (int i = 0; i < 8; i++) {
      kid.append(KID_ALPHABET.charAt(RANDOM.nextInt(KID_ALPHABET.length())));
    }
    String id = kid.toString();
    JWK jwk;
    try {
      jwk =
          KeyType.RSA.equals(type)
              ? new RSAKeyGenerator(2048)
                  .keyID(id)
                  .keyUse(KeyUse.SIGNATURE)
                  .algorithm(JWSAlgorithm.RS256)
                  .generate()
              : new ECKeyGenerator(Curve.P_256)
                  .keyID(id)
                  .keyUse(KeyUse.SIGNATURE)
                  .algorithm(JWSAlgorithm.ES256)
                  .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("this JDK cannot generate " + type + " keys", e);
    }
    keys.put(id, jwk);
    if (publish) {
      published.add(id);
      refreshJwks();
    }
    return id;
  }

  private synchronized void refreshJwks() {
    jwksJson = JSONObjectUtils.toJSONString(publicJwks().toJSONObject(true));
  }

  private synchronized String jwksJson() {
    return jwksJson;
  }

  private String discoveryJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuerId);
    doc.put("jwks_uri", jwksUri().toString());
    doc.put("response_types_supported", List.of("id_token"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
    return JSONObjectUtils.toJSONString(doc);
  }

  private String oversizedJwks() {
    Map<String, Object> doc = new LinkedHashMap<>(publicJwks().toJSONObject(true));
    char[] padding = new char[OVERSIZED_BYTES];
    Arrays.fill(padding, 'x');
    doc.put("padding", new String(padding));
    return JSONObjectUtils.toJSONString(doc);
  }

  private synchronized JWK signingKey(@Nullable String kid, JWSAlgorithm alg) {
    if (kid != null) {
      return key(kid);
    }
    KeyType type = JWSAlgorithm.Family.EC.contains(alg) ? KeyType.EC : KeyType.RSA;
    return key(requireNonNull(current.get(type)));
  }

  // ---------------------------------------------------------------- nested types

  /**
   * Settings of a {@link TestIssuer}; {@link #start()} makes one. Every setting has a default.
   * <!-- example: TestIssuer.Builder -->
   *
   * <pre>{@code
   * TestIssuer issuer = TestIssuer.builder()
   *     .issuerId("https://clerk.example.test")    // iss of tokens and discovery
   *     .audience("accounts-api")
   *     .clock(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC))
   *     .start();
   * }</pre>
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private String audience = DEFAULT_AUDIENCE;
    private String subject = DEFAULT_SUBJECT;
    private Duration lifetime = DEFAULT_LIFETIME;
    private @Nullable String issuerId;
    private int port;
    private final List<Map<String, String>> environments = new ArrayList<>();

    private Builder() {}

    /**
     * The {@code iss} of tokens and of the discovery document. Default: the issuer's base URL,
     * {@code http://127.0.0.1:<port>}.
     */
    public Builder issuerId(String issuerId) {
      if (issuerId.isBlank()) {
        throw new IllegalArgumentException("the issuer id must not be blank");
      }
      this.issuerId = issuerId;
      return this;
    }

    /** The default {@code aud} of tokens. Default {@value #DEFAULT_AUDIENCE}. */
    public Builder audience(String audience) {
      this.audience = requireNonNull(audience, "audience");
      return this;
    }

    /** The default {@code sub} of tokens. Default {@value #DEFAULT_SUBJECT}. */
    public Builder subject(String subject) {
      this.subject = requireNonNull(subject, "subject");
      return this;
    }

    /** The default time from {@code iat} to {@code exp}. Default five minutes. */
    public Builder tokenLifetime(Duration lifetime) {
      if (lifetime.isNegative()) {
        throw new IllegalArgumentException("the token lifetime must not be negative");
      }
      this.lifetime = lifetime;
      return this;
    }

    /** The clock giving the default {@code iat} (and so {@code exp}). Default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The port to listen on, on 127.0.0.1. Default 0: an ephemeral port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("ports are 0 to 65535");
      }
      this.port = port;
      return this;
    }

    /**
     * Another environment to check for {@code AOS_MODE}, in addition to the process environment
     * (which is always checked): for example the application's resolved configuration. The issuer
     * refuses to start if <em>either</em> says preprod, prod or an unknown mode, so this setting
     * can only add refusals, never lift one.
     */
    public Builder environment(Map<String, String> environment) {
      this.environments.add(Map.copyOf(environment));
      return this;
    }

    /**
     * Checks the environment, generates the keys and starts serving.
     *
     * @throws dev.planeguard.ConfigurationException if {@code AOS_MODE} (in the process environment
     *     or one given to {@link #environment}) is preprod, prod or not a mode
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public TestIssuer start() {
      ProductionGuard.check("TestIssuer", System.getenv());
      for (Map<String, String> env : environments) {
        ProductionGuard.check("TestIssuer", env);
      }
      return new TestIssuer(this);
    }
  }

  /** A hold on JWKS responses, from {@link #holdJwks()}. Closing it releases it. */
  public static final class JwksHold implements AutoCloseable {

    /** How long {@link #awaitRequests(int)} waits before failing the test. */
    public static final Duration GUARD = Duration.ofSeconds(30);

    private final IssuerServer.Hold hold;

    private JwksHold(IssuerServer.Hold hold) {
      this.hold = hold;
    }

    /**
     * Waits until at least {@code count} JWKS requests are waiting on this hold. This is not a
     * timed assertion: it returns as soon as they arrive, and fails only if none came within {@link
     * #GUARD}, which means the code under test never fetched.
     *
     * @throws AssertionError if they did not arrive within {@link #GUARD}
     */
    public void awaitRequests(int count) {
      try {
        if (!hold.awaitParked(count, GUARD)) {
          throw new AssertionError(
              "expected "
                  + count
                  + " JWKS request(s) waiting on the hold, saw "
                  + hold.parked()
                  + " after "
                  + GUARD.toSeconds()
                  + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for JWKS requests", e);
      }
    }

    /** How many JWKS requests are waiting on this hold now. */
    public int waiting() {
      return hold.parked();
    }

    /** Lets every waiting and later JWKS request through; the issuer answers normally again. */
    public void release() {
      hold.release();
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
      release();
    }
  }

  /**
   * One token, pre-filled with the issuer's defaults: {@code iss}, {@code sub}, {@code aud}, {@code
   * iat} = the issuer clock's now, {@code exp} = {@code iat} + the token lifetime; header {@code
   * alg=RS256}, {@code typ=JWT} and the current RSA key's {@code kid}. {@link #sign()} signs it
   * with a real private key.
   * <!-- example: TestIssuer.TokenBuilder -->
   *
   * <pre>{@code
   * String token = issuer.token()
   *     .subject("user_2abc")
   *     .audience("accounts-api", "billing-api")
   *     .authorizedParty("https://app.example.test")
   *     .sessionId("sess_1")
   *     .claim("org_id", "org_acme")
   *     .scope("accounts:read")
   *     .expiresIn(Duration.ofMinutes(1))
   *     .sign();
   *
   * // Hostile tokens, still signed by the issuer's real keys:
   * issuer.token().critical("exp").sign();                     // crit header
   * issuer.token().header("jku", "https://evil.test/jwks").sign();
   * issuer.token().header("jwk", issuer.publicKey(kid).toJSONObject()).sign();
   * issuer.token().type("at+jwt").sign();                      // or withoutType()
   * issuer.token().kid("no-such-kid").sign();                  // header kid lies
   * issuer.token().withoutClaim("exp").sign();                 // missing exp
   * issuer.token().rawClaims("{\"sub\":\"a\",\"sub\":\"b\"}").sign();  // duplicate members
   * issuer.token().algorithm(JWSAlgorithm.HS256)               // algorithm confusion
   *     .hmacSecret(issuer.publicKey(kid).toRSAKey().toPublicKey().getEncoded()).sign();
   * }</pre>
   *
   * <p>Builders are cheap, single-use and not thread-safe.
   */
  public static final class TokenBuilder {
    /** Marks {@code iat} and {@code exp} as computed at {@link #sign()}. */
    private enum Computed {
      AT_SIGNING
    }

    private static final Computed COMPUTED = Computed.AT_SIGNING;

    private final TestIssuer issuer;
    private final Map<String, @Nullable Object> claims = new LinkedHashMap<>();
    private final Map<String, @Nullable Object> headerExtras = new LinkedHashMap<>();
    private final Set<String> removedHeaders = new LinkedHashSet<>();
    private JWSAlgorithm algorithm = JWSAlgorithm.RS256;
    private boolean algorithmSet;
    private @Nullable String signingKid;
    private @Nullable String headerKid;
    private boolean kidSet;
    private @Nullable String type = "JWT";
    private @Nullable List<String> critical;
    private @Nullable String rawHeader;
    private @Nullable String rawClaims;
    private byte @Nullable [] hmacSecret;
    private boolean unsecured;
    private Instant issuedAt;
    private @Nullable Duration expiresIn;

    private TokenBuilder(TestIssuer issuer) {
      this.issuer = issuer;
      this.issuedAt = issuer.clock.instant();
      claims.put("iss", issuer.issuerId);
      claims.put("sub", issuer.subject);
      claims.put("aud", issuer.audience);
      claims.put("iat", COMPUTED);
      claims.put("exp", COMPUTED);
    }

    // ---- claims

    /** {@code iss}. */
    public TokenBuilder issuer(String iss) {
      return claim("iss", iss);
    }

    /** {@code sub}. */
    public TokenBuilder subject(String sub) {
      return claim("sub", sub);
    }

    /** {@code aud}: a string for one audience, an array for several. */
    public TokenBuilder audience(String... audiences) {
      if (audiences.length == 0) {
        throw new IllegalArgumentException(
            "name at least one audience, or use withoutClaim(\"aud\")");
      }
      return claim("aud", audiences.length == 1 ? audiences[0] : List.of(audiences));
    }

    /** {@code azp}, the authorized party (Clerk puts the frontend origin here). */
    public TokenBuilder authorizedParty(String azp) {
      return claim("azp", azp);
    }

    /** {@code sid}, the session id. */
    public TokenBuilder sessionId(String sid) {
      return claim("sid", sid);
    }

    /** The {@code scope} claim: these names, space-separated. */
    public TokenBuilder scope(String... names) {
      return claim("scope", String.join(" ", names));
    }

    /** {@code iat}; also the base of the default {@code exp}. Default: the issuer clock's now. */
    public TokenBuilder issuedAt(Instant iat) {
      this.issuedAt = requireNonNull(iat, "iat");
      claims.put("iat", COMPUTED);
      return this;
    }

    /** {@code nbf}. Absent by default. */
    public TokenBuilder notBefore(Instant nbf) {
      return claim("nbf", nbf);
    }

    /** {@code exp}. Default {@code iat} + the issuer's token lifetime. */
    public TokenBuilder expiresAt(Instant exp) {
      this.expiresIn = null;
      return claim("exp", exp);
    }

    /** {@code exp} = {@code iat} + {@code lifetime} (may be negative, for an expired token). */
    public TokenBuilder expiresIn(Duration lifetime) {
      this.expiresIn = requireNonNull(lifetime, "lifetime");
      claims.put("exp", COMPUTED);
      return this;
    }

    /**
     * Sets any claim, replacing a default of the same name. Strings, numbers, booleans, lists and
     * maps are written as JSON; an {@link Instant} as NumericDate seconds; {@code null} as JSON
     * {@code null}. An {@link Instant} for {@code iat} also moves the default {@code exp}.
     */
    public TokenBuilder claim(String name, @Nullable Object value) {
      requireNonNull(name, "name");
      if (name.equals("iat") && value instanceof Instant i) {
        return issuedAt(i);
      }
      if (name.equals("exp")) {
        expiresIn = null;
      }
      claims.put(name, value instanceof Instant i ? (Object) i.getEpochSecond() : value);
      return this;
    }

    /** Leaves a claim out, including a default one such as {@code exp} or {@code aud}. */
    public TokenBuilder withoutClaim(String name) {
      claims.remove(requireNonNull(name, "name"));
      if (name.equals("exp")) {
        expiresIn = null;
      }
      return this;
    }

    /**
     * Replaces the whole claims set with this exact text, signed as given: malformed JSON,
     * duplicate members, odd types. The claim setters are then ignored.
     */
    public TokenBuilder rawClaims(String json) {
      this.rawClaims = requireNonNull(json, "json");
      return this;
    }

    // ---- header

    /**
     * The signing algorithm: {@code RS256} (default), {@code RS384}, {@code RS512}, {@code PS256},
     * {@code PS384}, {@code PS512} with an RSA key; {@code ES256} with a P-256 key; {@code HS256},
     * {@code HS384}, {@code HS512} with {@link #hmacSecret}. Written to the {@code alg} header.
     */
    public TokenBuilder algorithm(JWSAlgorithm alg) {
      this.algorithm = requireNonNull(alg, "alg");
      this.algorithmSet = true;
      return this;
    }

    /**
     * Signs with this key of the issuer (published, retired or never published) instead of the
     * current key of the algorithm's type. Its kid goes in the header unless {@link #kid} or {@link
     * #withoutKid} says otherwise; if no {@link #algorithm} was set, it is RS256 for an RSA key and
     * ES256 for an EC key.
     */
    public TokenBuilder signingKey(String kid) {
      issuer.key(kid);
      this.signingKid = kid;
      return this;
    }

    /** Writes this {@code kid} to the header whatever key signs: a kid that lies. */
    public TokenBuilder kid(String kid) {
      this.headerKid = requireNonNull(kid, "kid");
      this.kidSet = true;
      return this;
    }

    /** Leaves {@code kid} out of the header. */
    public TokenBuilder withoutKid() {
      this.headerKid = null;
      this.kidSet = true;
      return this;
    }

    /** The {@code typ} header. Default {@code JWT}. */
    public TokenBuilder type(String typ) {
      this.type = requireNonNull(typ, "typ");
      return this;
    }

    /** Leaves {@code typ} out of the header. */
    public TokenBuilder withoutType() {
      this.type = null;
      return this;
    }

    /**
     * The {@code crit} header: names of header parameters the verifier must understand. Add the
     * named parameters with {@link #header} if the test needs them present.
     */
    public TokenBuilder critical(String... names) {
      this.critical = List.of(names);
      return this;
    }

    /**
     * Sets any protected header parameter, registered or not ({@code jwk}, {@code jku}, {@code
     * x5u}, {@code x5c}, {@code b64}, {@code zip}, custom names), written as JSON exactly as given.
     * {@code alg}, {@code kid}, {@code typ} and {@code crit} given here replace the builder's own.
     */
    public TokenBuilder header(String name, @Nullable Object value) {
      requireNonNull(name, "name");
      headerExtras.put(name, value);
      removedHeaders.remove(name);
      return this;
    }

    /** Leaves a header parameter out, including {@code alg}. */
    public TokenBuilder withoutHeader(String name) {
      requireNonNull(name, "name");
      headerExtras.remove(name);
      removedHeaders.add(name);
      return this;
    }

    /**
     * Replaces the whole protected header with this exact text. The signature still uses {@link
     * #algorithm} and the chosen key, whatever the text says.
     */
    public TokenBuilder rawHeader(String json) {
      this.rawHeader = requireNonNull(json, "json");
      return this;
    }

    // ---- hostile signing

    /**
     * Signs with HMAC and this secret instead of a private key; {@link #algorithm} must be {@code
     * HS256}, {@code HS384} or {@code HS512}. For algorithm-confusion tests: an HMAC keyed with the
     * issuer's public key must never verify. Any length is accepted.
     */
    public TokenBuilder hmacSecret(byte[] secret) {
      this.hmacSecret = secret.clone();
      return this;
    }

    /**
     * Produces an unsecured JWT: header {@code alg=none} (unless the header is set otherwise) and
     * an empty signature, {@code header.claims.} — which must never verify.
     */
    public TokenBuilder unsecured() {
      this.unsecured = true;
      return this;
    }

    // ---- result

    /**
     * Signs and serialises the token (JWS compact serialisation).
     *
     * @throws IllegalStateException if the algorithm and key do not fit together
     */
    public String sign() {
      JWSAlgorithm alg = algorithm;
      if (!algorithmSet
          && signingKid != null
          && KeyType.EC.equals(issuer.key(signingKid).getKeyType())) {
        alg = JWSAlgorithm.ES256;
      }
      boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(alg);
      JWK key = unsecured || hmac ? null : issuer.signingKey(signingKid, alg);

      String headerJson = rawHeader != null ? rawHeader : headerJson(alg, key);
      String claimsJson = rawClaims != null ? rawClaims : claimsJson();
      String signingInput =
          Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8))
              + "."
              + Base64URL.encode(claimsJson.getBytes(StandardCharsets.UTF_8));
      byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
      if (unsecured) {
        return signingInput + ".";
      }
      return signingInput
          + "."
          + (hmac ? hmac(alg, input) : signature(alg, requireNonNull(key), input));
    }

    private String headerJson(JWSAlgorithm alg, @Nullable JWK key) {
      Map<String, @Nullable Object> h = new LinkedHashMap<>();
      h.put("alg", unsecured ? "none" : alg.getName());
      if (type != null) {
        h.put("typ", type);
      }
      String kid = kidSet ? headerKid : key == null ? null : key.getKeyID();
      if (kid != null) {
        h.put("kid", kid);
      }
      if (critical != null) {
        h.put("crit", critical);
      }
      h.putAll(headerExtras);
      removedHeaders.forEach(h::remove);
      return toJson(h);
    }

    private String claimsJson() {
      Map<String, @Nullable Object> c = new LinkedHashMap<>();
      for (Map.Entry<String, @Nullable Object> e : claims.entrySet()) {
        String name = e.getKey();
        Object value = e.getValue();
        if (name.equals("iat") && value instanceof Computed) {
          value = issuedAt.getEpochSecond();
        } else if (name.equals("exp") && value instanceof Computed) {
          Duration life = expiresIn != null ? expiresIn : issuer.lifetime;
          value = issuedAt.plus(life).getEpochSecond();
        }
        c.put(name, value);
      }
      return toJson(c);
    }

    private static String toJson(Map<String, @Nullable Object> map) {
      return JSONObjectUtils.toJSONString(map); // writes null members as null
    }

    private static String signature(JWSAlgorithm alg, JWK key, byte[] input) {
      try {
        JWSSigner signer;
        if (key instanceof RSAKey rsa) {
          if (!JWSAlgorithm.Family.RSA.contains(alg)) {
            throw new IllegalStateException(
                alg + " cannot be signed with RSA key " + key.getKeyID());
          }
          signer = new RSASSASigner(rsa);
        } else if (key instanceof ECKey ec) {
          if (!JWSAlgorithm.ES256.equals(alg)) {
            throw new IllegalStateException(
                alg + " cannot be signed with P-256 key " + key.getKeyID());
          }
          signer = new ECDSASigner(ec);
        } else {
          throw new IllegalStateException("unsupported key type " + key.getKeyType());
        }
        return signer.sign(new JWSHeader(alg), input).toString();
      } catch (JOSEException e) {
        throw new IllegalStateException("signing failed: " + e.getMessage(), e);
      }
    }

    private String hmac(JWSAlgorithm alg, byte[] input) {
      byte[] secret = hmacSecret;
      if (secret == null || secret.length == 0) {
        throw new IllegalStateException(alg + " needs a non-empty hmacSecret(...)");
      }
      String jca = "HmacSHA" + alg.getName().substring(2);
      try {
        Mac mac = Mac.getInstance(jca);
        mac.init(new SecretKeySpec(secret, jca));
        return Base64URL.encode(mac.doFinal(input)).toString();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HMAC signing failed", e);
      }
    }
  }
}

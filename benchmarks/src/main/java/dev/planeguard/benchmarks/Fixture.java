package dev.planeguard.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import dev.planeguard.Admission;
import dev.planeguard.Contract;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanCrypto;
import dev.planeguard.HumanIssuer;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.test.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What every benchmark measures against, built once per trial and never on the measured path: an
 * issuer's real RSA-2048 and P-256 keys, a JWKS <em>file</em> holding their public halves, a key
 * file with one machine key, the demo policy, and an {@link Enforcer} in {@code prod} mode.
 *
 * <p>No network: the test issuer signs tokens in memory, and the verifier reads its keys from a
 * {@code file:} JWKS, read once before measurement and then cached for {@link #JWKS_CACHE_TTL} (far
 * longer than any run). Audit events are built as in production and go to SLF4J, which is bound to
 * {@code slf4j-nop} in the benchmark jar.
 */
final class Fixture implements AutoCloseable {

  /** The {@code iss} of every token: an https issuer, as production requires. */
  static final String ISSUER = "https://login.example.test";

  /** The audience the verifier requires and every token carries. */
  static final String AUDIENCE = "orders-api";

  /** The demo policy (the plain-servlet sample's), verbatim. */
  static final String POLICY =
      """
      # access   pattern                 options
      human      /api/v1/accounts/**
      machine    /api/v1/runs/**         scopes=runs:write methods=POST,PUT
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/telemetry/**
      public     /healthz
      debug      /__debug/**             plane=human
      """;

  /** Lifetime of minted tokens: longer than any run, within the verifier's 24 h maximum. */
  static final Duration TOKEN_LIFETIME = Duration.ofHours(12);

  /** The JWKS is read once (in setup) and cached for this long: never re-read during a run. */
  static final Duration JWKS_CACHE_TTL = Duration.ofHours(24);

  final Clock clock;
  final Path directory;
  final TestIssuer issuer;
  final Path jwksFile;
  final JWKSet publicJwks;
  final RSAKey rsaPublic;
  final ECKey ecPublic;
  final Path keyFile;
  final ApiKey machineKey;
  final Contract contract;
  final Policy policy;

  private final TestKeys keys;
  private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

  /** Keys, the JWKS file and the machine key; {@code clock} is the verifiers' clock. */
  Fixture(Clock clock) {
    this.clock = clock;
    try {
      this.directory = Files.createTempDirectory("planeguard-bench");
      this.issuer = TestIssuer.builder().issuerId(ISSUER).audience(AUDIENCE).start();
      this.publicJwks = issuer.publicJwks();
      this.jwksFile = directory.resolve("jwks.json");
      Files.writeString(jwksFile, publicJwks.toString(), StandardCharsets.UTF_8);
      this.rsaPublic = (RSAKey) publicJwks.getKeyByKeyId(issuer.currentKid(KeyType.RSA));
      this.ecPublic = (ECKey) publicJwks.getKeyByKeyId(issuer.currentKid(KeyType.EC));
      this.keys = TestKeys.at(directory.resolve("keys.jsonl"));
      this.keyFile = keys.file();
      this.machineKey = keys.machineKey().mode(Mode.PROD).tenant("acme").scopes("runs:read").mint();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.contract = Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"));
    this.policy = Policy.parse(POLICY, "demo.policy");
  }

  /**
   * A signed token as an identity provider would issue it: subject, session, scopes, tenant,
   * authorized party, {@code typ=JWT}, {@code kid}; different on every call ({@code jti}).
   */
  String token(JWSAlgorithm alg, int n) {
    return issuer
        .token()
        .algorithm(alg)
        .subject("user_2b7QnWkq9JmXc" + n)
        .sessionId("sess_2b7QnZr1Yx" + n)
        .authorizedParty("https://app.example.test")
        .scope("accounts:read", "accounts:write")
        .claim("org_id", "org_acme")
        .claim("jti", "jti-" + n + "-" + System.nanoTime())
        .expiresIn(TOKEN_LIFETIME)
        .sign();
  }

  /** The human issuer as a production service configures it, keys from the JWKS file. */
  HumanIssuer humanIssuer() {
    return HumanIssuer.builder(ISSUER)
        .jwksFile(jwksFile)
        .audiences(AUDIENCE)
        .algorithms("RS256", "ES256")
        .tenantClaim("org_id")
        .jwksCacheTtl(JWKS_CACHE_TTL)
        .build();
  }

  /** A JWT verifier whose verified-token cache holds at most {@code cacheChars} characters. */
  JwtVerifier jwtVerifier(long cacheChars) {
    return jwtVerifier(cacheChars, HumanCrypto.JDK);
  }

  /**
   * {@link #jwtVerifier(long)} whose signatures are verified by {@code crypto}; in {@code prod}
   * mode, so {@link HumanCrypto#NATIVE} fails rather than falls back to the JDK.
   */
  JwtVerifier jwtVerifier(long cacheChars, HumanCrypto crypto) {
    JwtVerifier verifier =
        JwtVerifier.builder()
            .issuer(humanIssuer())
            .clock(clock)
            .mode(Mode.PROD)
            .tokenCacheSize(cacheChars)
            .crypto(crypto)
            .build();
    closeables.add(verifier);
    return verifier;
  }

  /** The machine-key verifier over the key file (the embedded default store). */
  KeyVerifier keyVerifier() {
    KeyFile store = KeyFile.open(keyFile);
    closeables.add(store);
    return KeyVerifier.of(store, clock);
  }

  /**
   * The enforcer under measurement. The wrappers are the identity in benchmarks; tests wrap the
   * verifiers to count calls.
   */
  Enforcer enforcer(
      TokenVerifier tokens,
      KeyVerifier machineKeys,
      UnaryOperator<TokenVerifier> wrapTokens,
      UnaryOperator<KeyVerifier> wrapKeys) {
    return enforcer(tokens, machineKeys, wrapTokens, wrapKeys, Admission.builder().build());
  }

  /** {@link #enforcer(TokenVerifier, KeyVerifier, UnaryOperator, UnaryOperator)} with limits. */
  Enforcer enforcer(
      TokenVerifier tokens,
      KeyVerifier machineKeys,
      UnaryOperator<TokenVerifier> wrapTokens,
      UnaryOperator<KeyVerifier> wrapKeys,
      Admission admission) {
    return Enforcer.builder()
        .contract(contract)
        .policy(policy)
        .tokenVerifier(wrapTokens.apply(tokens))
        .machineKeyVerifier(wrapKeys.apply(machineKeys))
        .admission(admission)
        .build();
  }

  /**
   * {@code method path} with one credential header among the headers a browser or HTTP client
   * sends, as an adapter hands it to the engine ({@link InboundRequest#of}).
   */
  static InboundRequest request(String method, String path, String header, String value) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Host", List.of("api.example.test"));
    headers.put("User-Agent", List.of("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101"));
    headers.put("Accept", List.of("application/json"));
    headers.put("Accept-Encoding", List.of("gzip, deflate, br"));
    headers.put("Connection", List.of("keep-alive"));
    headers.put(header, List.of(value));
    return InboundRequest.of(method, path, headers);
  }

  /** {@code GET path} with {@code Authorization: Bearer token}. */
  static InboundRequest bearer(String path, String token) {
    return request("GET", path, Enforcer.AUTHORIZATION, "Bearer " + token);
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing to report from a benchmark teardown
      }
    }
    issuer.close();
    keys.close();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(Fixture::deleteQuietly);
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}

package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The issuer over real HTTP: its tokens verify with a plain Nimbus processor against its JWKS URL,
 * tokens it should not vouch for do not, and every fault mode is visible to an HTTP client.
 */
class TestIssuerTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One issuer for the read-only tests; fault tests start their own. */
  static TestIssuer shared;

  @BeforeAll
  static void start() {
    shared = TestIssuer.start();
  }

  @AfterAll
  static void stop() {
    shared.close();
  }

  // ------------------------------------------------------------------ tokens verify with Nimbus

  @Test
  void rs256TokensVerifyWithNimbusAgainstTheJwksUrl() throws Exception {
    String token =
        shared
            .token()
            .subject("alice")
            .sessionId("sess_1")
            .authorizedParty("https://app.example.test")
            .claim("org_id", "org_acme")
            .scope("accounts:read", "accounts:write")
            .sign();

    JWTClaimsSet claims = nimbus(shared).process(token, null);

    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuer())
        .isEqualTo(shared.issuerId())
        .isEqualTo(shared.baseUri().toString());
    assertThat(claims.getAudience()).containsExactly(TestIssuer.DEFAULT_AUDIENCE);
    assertThat(claims.getStringClaim("sid")).isEqualTo("sess_1");
    assertThat(claims.getStringClaim("azp")).isEqualTo("https://app.example.test");
    assertThat(claims.getStringClaim("org_id")).isEqualTo("org_acme");
    assertThat(claims.getStringClaim("scope")).isEqualTo("accounts:read accounts:write");
    JWSHeader header = SignedJWT.parse(token).getHeader();
    assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(header.getKeyID()).isEqualTo(shared.currentKid(KeyType.RSA));
    assertThat(header.getType().getType()).isEqualTo("JWT");
  }

  @Test
  void es256TokensVerifyWithNimbusAgainstTheJwksUrl() throws Exception {
    String token = shared.token().algorithm(JWSAlgorithm.ES256).subject("bob").sign();

    JWTClaimsSet claims = nimbus(shared).process(token, null);

    assertThat(claims.getSubject()).isEqualTo("bob");
    JWSHeader header = SignedJWT.parse(token).getHeader();
    assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(header.getKeyID()).isEqualTo(shared.currentKid(KeyType.EC));
    // JOSE signatures are R || S, 64 bytes for P-256.
    assertThat(SignedJWT.parse(token).getSignature().decode()).hasSize(64);
  }

  @Test
  void theDiscoveryDocumentLeadsToTheSameKeys() throws Exception {
    HttpResponse<String> response = get(shared.discoveryUri());
    Map<String, Object> doc = JSONObjectUtils.parse(response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(doc)
        .containsEntry("issuer", shared.issuerId())
        .containsEntry("jwks_uri", shared.jwksUri().toString());
    assertThat(shared.jwksUri().toString()).endsWith("/.well-known/jwks.json");

    DefaultJWTProcessor<SecurityContext> viaDiscovery =
        nimbus(URI.create((String) doc.get("jwks_uri")), shared.issuerId(), shared.audience());
    assertThat(viaDiscovery.process(shared.token().sign(), null).getSubject())
        .isEqualTo(TestIssuer.DEFAULT_SUBJECT);
  }

  @Test
  void theJwksPublishesPublicRsa2048AndP256SigningKeysOnly() throws Exception {
    String body = get(shared.jwksUri()).body();
    JWKSet set = JWKSet.parse(body);

    assertThat(body).doesNotContain("\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"");
    assertThat(set.getKeys()).hasSize(2);
    RSAKey rsa = (RSAKey) set.getKeyByKeyId(shared.currentKid(KeyType.RSA));
    ECKey ec = (ECKey) set.getKeyByKeyId(shared.currentKid(KeyType.EC));
    assertThat(rsa.isPrivate()).isFalse();
    assertThat(rsa.size()).isEqualTo(2048);
    assertThat(rsa.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
    assertThat(rsa.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(ec.isPrivate()).isFalse();
    assertThat(ec.getCurve().getName()).isEqualTo("P-256");
    assertThat(ec.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(shared.publicJwks().toString()).isEqualTo(set.toString());
  }

  @Test
  void timesComeFromTheInjectedClock() throws Exception {
    try (TestIssuer issuer =
        TestIssuer.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .tokenLifetime(Duration.ofMinutes(10))
            .start()) {
      JWTClaimsSet defaults = claims(issuer.token().sign());
      JWTClaimsSet custom =
          claims(
              issuer
                  .token()
                  .issuedAt(NOW.minusSeconds(60))
                  .notBefore(NOW.minusSeconds(30))
                  .expiresIn(Duration.ofSeconds(90))
                  .sign());
      JWTClaimsSet expired = claims(issuer.token().expiresAt(NOW.minusSeconds(1)).sign());

      assertThat(defaults.getIssueTime()).isEqualTo(Date.from(NOW));
      assertThat(defaults.getExpirationTime()).isEqualTo(Date.from(NOW.plusSeconds(600)));
      assertThat(defaults.getNotBeforeTime()).isNull();
      assertThat(custom.getIssueTime()).isEqualTo(Date.from(NOW.minusSeconds(60)));
      assertThat(custom.getNotBeforeTime()).isEqualTo(Date.from(NOW.minusSeconds(30)));
      assertThat(custom.getExpirationTime()).isEqualTo(Date.from(NOW.plusSeconds(30)));
      assertThat(expired.getExpirationTime()).isEqualTo(Date.from(NOW.minusSeconds(1)));
    }
  }

  @Test
  void claimsCanBeReplacedRemovedOrNulled() throws Exception {
    String token =
        shared
            .token()
            .issuer("https://other.example.test")
            .audience("a", "b")
            .withoutClaim("sub")
            .claim("exp", null)
            .claim("roles", List.of("admin"))
            .claim("nested", Map.of("k", 1))
            .sign();
    Map<String, Object> json = payload(token);

    assertThat(json)
        .containsEntry("iss", "https://other.example.test")
        .containsEntry("aud", List.of("a", "b"))
        .containsEntry("exp", null)
        .containsEntry("roles", List.of("admin"))
        .doesNotContainKey("sub");
    assertThat(verifiesWithIssuerKey(shared, token)).isTrue();
    assertThat(payload(shared.token().withoutClaim("exp").withoutClaim("aud").sign()))
        .doesNotContainKeys("exp", "aud");
  }

  // ------------------------------------------------------------------ tokens that must not verify

  @Test
  void tokensTheIssuerDoesNotVouchForFailNimbusVerification() throws Exception {
    String unpublished = shared.createUnpublishedKey(KeyType.RSA);
    String good = shared.token().sign();
    String[] parts = good.split("\\.");
    String tampered =
        parts[0]
            + "."
            + Base64URL.encode("{\"sub\":\"mallory\",\"exp\":9999999999}")
            + "."
            + parts[2];
    byte[] publicKeyBytes =
        shared.publicKey(shared.currentKid(KeyType.RSA)).toRSAKey().toPublicKey().getEncoded();

    List<String> bad =
        List.of(
            tampered,
            shared.token().signingKey(unpublished).sign(),
            shared.token().signingKey(unpublished).kid(shared.currentKid(KeyType.RSA)).sign(),
            shared.token().algorithm(JWSAlgorithm.HS256).hmacSecret(publicKeyBytes).sign(),
            shared.token().unsecured().sign(),
            shared.token().audience("someone-else").sign(),
            shared.token().issuer("https://evil.example.test").sign(),
            shared.token().expiresIn(Duration.ofMinutes(-10)).sign());

    DefaultJWTProcessor<SecurityContext> nimbus = nimbus(shared);
    assertThat(nimbus.process(good, null).getSubject()).isEqualTo(TestIssuer.DEFAULT_SUBJECT);
    for (String token : bad) {
      assertThatThrownBy(() -> nimbus.process(token, null))
          .isInstanceOfAny(BadJOSEException.class, java.text.ParseException.class);
    }
    assertThat(shared.token().unsecured().sign()).endsWith(".");
    assertThat(header(shared.token().unsecured().sign())).containsEntry("alg", "none");
  }

  @Test
  void hostileHeadersAreWrittenAsGivenAndSignedByRealKeys() throws Exception {
    String kid = shared.currentKid(KeyType.RSA);
    Map<String, Object> embedded = shared.publicKey(kid).toJSONObject();
    String token =
        shared
            .token()
            .critical("exp", "planeguard-ext")
            .header("planeguard-ext", true)
            .header("jwk", embedded)
            .header("jku", "https://evil.example.test/jwks.json")
            .header("x5u", "https://evil.example.test/cert.pem")
            .type("at+jwt")
            .sign();

    Map<String, Object> header = header(token);
    assertThat(header)
        .containsEntry("alg", "RS256")
        .containsEntry("typ", "at+jwt")
        .containsEntry("kid", kid)
        .containsEntry("crit", List.of("exp", "planeguard-ext"))
        .containsEntry("planeguard-ext", true)
        .containsEntry("jwk", embedded)
        .containsEntry("jku", "https://evil.example.test/jwks.json")
        .containsEntry("x5u", "https://evil.example.test/cert.pem");
    assertThat(verifiesWithIssuerKey(shared, token)).isTrue();

    assertThat(header(shared.token().withoutType().withoutKid().sign())).containsOnlyKeys("alg");
    assertThat(header(shared.token().kid("../../etc/passwd\n").sign()))
        .containsEntry("kid", "../../etc/passwd\n");
    assertThat(header(shared.token().header("alg", "none").sign())).containsEntry("alg", "none");
    assertThat(header(shared.token().withoutHeader("alg").sign())).doesNotContainKey("alg");
  }

  @Test
  void rawHeaderAndClaimsAreSignedByteForByte() throws Exception {
    String rawHeader = "{\"alg\":\"RS256\",\"alg\":\"none\"}";
    String rawClaims = "{\"sub\":\"a\",\"sub\":\"b\",}";
    String token = shared.token().rawHeader(rawHeader).rawClaims(rawClaims).sign();
    String[] parts = token.split("\\.");

    assertThat(new String(Base64URL.from(parts[0]).decode(), StandardCharsets.UTF_8))
        .isEqualTo(rawHeader);
    assertThat(new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8))
        .isEqualTo(rawClaims);
    RSAKey key = shared.publicKey(shared.currentKid(KeyType.RSA)).toRSAKey();
    assertThat(
            new RSASSAVerifier(key)
                .verify(
                    new JWSHeader(JWSAlgorithm.RS256),
                    (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                    Base64URL.from(parts[2])))
        .isTrue();
  }

  @Test
  void everyRsaAlgorithmIsSignedWithTheRsaKey() throws Exception {
    RSAKey key = shared.publicKey(shared.currentKid(KeyType.RSA)).toRSAKey();
    for (JWSAlgorithm alg :
        List.of(
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512)) {
      JWSObject jws = JWSObject.parse(shared.token().algorithm(alg).sign());
      assertThat(jws.getHeader().getAlgorithm()).isEqualTo(alg);
      assertThat(jws.verify(new RSASSAVerifier(key))).isTrue();
    }
  }

  @Test
  void algorithmsAndKeysThatDoNotFitAreRefused() throws Exception {
    String ec = shared.currentKid(KeyType.EC);
    assertThatThrownBy(() -> shared.token().algorithm(JWSAlgorithm.RS256).signingKey(ec).sign())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be signed with P-256 key");
    assertThatThrownBy(() -> shared.token().algorithm(JWSAlgorithm.ES384).sign())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> shared.token().algorithm(JWSAlgorithm.HS256).sign())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hmacSecret");
    assertThatThrownBy(() -> shared.token().signingKey("no-such-kid"))
        .isInstanceOf(IllegalArgumentException.class);
    // An EC key chosen without an algorithm signs ES256.
    assertThat(header(shared.token().signingKey(ec).sign())).containsEntry("alg", "ES256");
  }

  // ------------------------------------------------------------------ rotation over HTTP

  @Test
  void rotationIsObservableOverHttp() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      String first = issuer.currentKid(KeyType.RSA);
      String ec = issuer.currentKid(KeyType.EC);
      String oldToken = issuer.token().sign();

      String ahead = issuer.createKey(KeyType.RSA);
      assertThat(publishedKids(issuer)).containsExactly(first, ec, ahead);
      assertThat(issuer.currentKid(KeyType.RSA)).isEqualTo(first);

      issuer.makeCurrent(ahead);
      String newToken = issuer.token().sign();
      assertThat(SignedJWT.parse(newToken).getHeader().getKeyID()).isEqualTo(ahead);

      issuer.retire(first);
      assertThat(publishedKids(issuer)).containsExactly(ec, ahead);
      assertThat(issuer.publishedKids()).containsExactly(ec, ahead);
      DefaultJWTProcessor<SecurityContext> nimbus = nimbus(issuer);
      assertThat(nimbus.process(newToken, null).getSubject()).isNotNull();
      assertThatThrownBy(() -> nimbus.process(oldToken, null)).isInstanceOf(BadJOSEException.class);

      String rotated = issuer.rotate(KeyType.EC);
      assertThat(publishedKids(issuer)).containsExactly(ec, ahead, rotated);
      assertThat(issuer.currentKid(KeyType.EC)).isEqualTo(rotated);

      String hidden = issuer.createUnpublishedKey(KeyType.RSA);
      assertThat(publishedKids(issuer)).doesNotContain(hidden);
      issuer.publish(hidden);
      assertThat(publishedKids(issuer)).endsWith(hidden);
      issuer.publish(hidden);
      assertThat(publishedKids(issuer)).containsOnlyOnce(hidden);
    }
  }

  @Test
  void requestsAreCountedPerPath() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      get(issuer.jwksUri());
      get(issuer.jwksUri());
      get(issuer.discoveryUri());
      HttpResponse<String> missing = get(issuer.baseUri().resolve("/nope"));
      HttpResponse<String> post =
          HTTP.send(
              HttpRequest.newBuilder(issuer.jwksUri())
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(issuer.jwksRequestCount()).isEqualTo(3);
      assertThat(issuer.discoveryRequestCount()).isEqualTo(1);
      assertThat(issuer.requestCount("/nope")).isEqualTo(1);
      assertThat(issuer.requestCount("/never")).isZero();

      issuer.resetRequestCounts();
      assertThat(issuer.jwksRequestCount()).isZero();
      nimbus(issuer).process(issuer.token().sign(), null);
      assertThat(issuer.jwksRequestCount()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ outage over HTTP

  @Test
  void takenDownTheIssuerRefusesConnectionsAndComesBackOnTheSamePort() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      int port = issuer.port();
      String before = get(issuer.jwksUri()).body();
      String token = issuer.token().sign();

      issuer.takeDown();
      assertThat(issuer.running()).isFalse();
      assertThatThrownBy(() -> getFresh(issuer.jwksUri())).isInstanceOf(ConnectException.class);
      assertThatThrownBy(() -> nimbus(issuer).process(token, null))
          .isInstanceOf(KeySourceException.class);
      issuer.takeDown(); // idempotent

      issuer.bringUp();
      assertThat(issuer.running()).isTrue();
      assertThat(issuer.port()).isEqualTo(port);
      assertThat(getFresh(issuer.jwksUri()).body()).isEqualTo(before);
      assertThat(nimbus(issuer).process(token, null).getSubject()).isNotNull();
      issuer.bringUp(); // idempotent
    }
  }

  @Test
  void aClosedIssuerFreesItsPortAndCannotComeBack() throws Exception {
    TestIssuer issuer = TestIssuer.start();
    URI jwks = issuer.jwksUri();
    issuer.close();

    assertThatThrownBy(() -> getFresh(jwks)).isInstanceOf(ConnectException.class);
    assertThatThrownBy(issuer::bringUp).isInstanceOf(IllegalStateException.class);
  }

  // ------------------------------------------------------------------ slow JWKS over HTTP

  @Test
  void aHeldJwksAnswersOnlyAfterRelease() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      CompletableFuture<HttpResponse<String>> pending;
      try (TestIssuer.JwksHold hold = issuer.holdJwks()) {
        pending = HTTP.sendAsync(request(issuer.jwksUri()), HttpResponse.BodyHandlers.ofString());
        hold.awaitRequests(1);

        // Deterministic: the issuer cannot answer while the request is parked on the hold.
        assertThat(hold.waiting()).isEqualTo(1);
        assertThat(pending).isNotDone();
        assertThat(issuer.jwksRequestCount()).isEqualTo(1);
        // Other documents still answer while the JWKS is held.
        assertThat(get(issuer.discoveryUri()).statusCode()).isEqualTo(200);
        assertThatThrownBy(issuer::holdJwks).isInstanceOf(IllegalStateException.class);
        hold.release();
      }
      HttpResponse<String> response = pending.join();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(JWKSet.parse(response.body()).getKeys()).hasSize(2);
      // Released for good: the next request answers at once.
      assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aHeldRequestIsDroppedWhenTheIssuerGoesDown() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      TestIssuer.JwksHold hold = issuer.holdJwks();
      CompletableFuture<HttpResponse<String>> pending =
          HTTP.sendAsync(request(issuer.jwksUri()), HttpResponse.BodyHandlers.ofString());
      hold.awaitRequests(1);

      issuer.takeDown();

      assertThatThrownBy(pending::join).hasCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void restoringTheJwksReleasesAHold() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      TestIssuer.JwksHold hold = issuer.holdJwks();
      CompletableFuture<HttpResponse<String>> pending =
          HTTP.sendAsync(request(issuer.jwksUri()), HttpResponse.BodyHandlers.ofString());
      hold.awaitRequests(1);
      assertThat(pending).isNotDone();

      issuer.restoreJwks();

      assertThat(pending.join().statusCode()).isEqualTo(200);
      assertThat(hold.waiting()).isZero();
    }
  }

  @Test
  void aDelayedJwksOutlastsAClientTimeoutUntilRestored() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      issuer.jwksDelay(Duration.ofHours(1));
      HttpRequest impatient =
          HttpRequest.newBuilder(issuer.jwksUri()).timeout(Duration.ofMillis(200)).build();

      // An hour against 200 ms: the outcome does not depend on scheduling.
      assertThatThrownBy(() -> HTTP.send(impatient, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(HttpTimeoutException.class);
      CompletableFuture<HttpResponse<String>> waiting =
          HTTP.sendAsync(request(issuer.jwksUri()), HttpResponse.BodyHandlers.ofString());

      issuer.restoreJwks();

      assertThat(waiting.join().statusCode()).isEqualTo(200);
      assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> issuer.jwksDelay(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ------------------------------------------------------------------ broken JWKS over HTTP

  @Test
  void brokenJwksResponsesAreServedUntilRestored() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      String token = issuer.token().sign();

      issuer.failJwks(TestIssuer.JwksFault.SERVER_ERROR);
      assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(500);
      assertThatThrownBy(() -> nimbus(issuer).process(token, null))
          .isInstanceOf(KeySourceException.class);

      issuer.failJwks(TestIssuer.JwksFault.GARBAGE);
      HttpResponse<String> garbage = get(issuer.jwksUri());
      assertThat(garbage.statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> JWKSet.parse(garbage.body()))
          .isInstanceOf(java.text.ParseException.class);

      issuer.failJwks(TestIssuer.JwksFault.OVERSIZED);
      HttpResponse<String> big = get(issuer.jwksUri());
      assertThat(big.body().getBytes(StandardCharsets.UTF_8).length)
          .isGreaterThan(512 * 1024)
          .isGreaterThanOrEqualTo(TestIssuer.OVERSIZED_BYTES);
      assertThat(JWKSet.parse(big.body()).getKeys()).hasSize(2); // only the size is wrong

      issuer.failJwks(TestIssuer.JwksFault.EMPTY_KEY_SET);
      assertThat(JWKSet.parse(get(issuer.jwksUri()).body()).getKeys()).isEmpty();

      String hostile = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"x\",\"k\":\"c2VjcmV0\"}]}";
      issuer.serveRawJwks(hostile);
      assertThat(get(issuer.jwksUri()).body()).isEqualTo(hostile);
      assertThat(issuer.jwksRequestCount()).isEqualTo(6); // five gets and Nimbus's one fetch

      issuer.restoreJwks();
      assertThat(get(issuer.jwksUri()).body()).isEqualTo(issuer.publicJwks().toString());
      assertThat(nimbus(issuer).process(token, null).getSubject()).isNotNull();
    }
  }

  // ------------------------------------------------------------------ never in production

  @Test
  void anExtraEnvironmentCanOnlyAddARefusal() {
    assertThatThrownBy(() -> TestIssuer.builder().environment(Map.of("AOS_MODE", " Prod ")).start())
        .isInstanceOf(dev.planeguard.ConfigurationException.class)
        .hasMessageContaining("AOS_MODE")
        .hasMessageContaining("real signed test tokens belong to local and test only");
    try (TestIssuer local = TestIssuer.builder().environment(Map.of("AOS_MODE", "local")).start()) {
      assertThat(local.running()).isTrue();
    }
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> TestIssuer.builder().port(70000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestIssuer.builder().issuerId(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestIssuer.builder().tokenLifetime(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> shared.createKey(KeyType.OCT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aConfiguredIssuerIdIsUsedInTokensAndDiscovery() throws Exception {
    try (TestIssuer issuer =
        TestIssuer.builder().issuerId("https://clerk.example.test").audience("accounts").start()) {
      assertThat(issuer.issuerId()).isEqualTo("https://clerk.example.test");
      assertThat(JSONObjectUtils.parse(get(issuer.discoveryUri()).body()))
          .containsEntry("issuer", "https://clerk.example.test");
      assertThat(
              nimbus(issuer.jwksUri(), "https://clerk.example.test", "accounts")
                  .process(issuer.token().sign(), null)
                  .getAudience())
          .containsExactly("accounts");
    }
  }

  @Test
  void toStringShowsWhereNotWhatItSignsWith() {
    assertThat(shared.toString())
        .contains(shared.baseUri().toString(), shared.currentKid(KeyType.RSA))
        .doesNotContain("\"d\"");
  }

  // ------------------------------------------------------------------ helpers

  /** A plain Nimbus processor against the issuer's JWKS URL: exact iss, aud, required claims. */
  static DefaultJWTProcessor<SecurityContext> nimbus(TestIssuer issuer) throws Exception {
    return nimbus(issuer.jwksUri(), issuer.issuerId(), issuer.audience());
  }

  static DefaultJWTProcessor<SecurityContext> nimbus(URI jwks, String iss, String aud)
      throws Exception {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
            JWKSourceBuilder.create(jwks.toURL()).retrying(false).build()));
    p.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            aud, new JWTClaimsSet.Builder().issuer(iss).build(), Set.of("sub", "iat", "exp")));
    return p;
  }

  static boolean verifiesWithIssuerKey(TestIssuer issuer, String token) throws Exception {
    JWSObject jws = JWSObject.parse(token);
    JWK key = issuer.publicKey(jws.getHeader().getKeyID());
    return key instanceof RSAKey rsa
        ? jws.verify(new RSASSAVerifier(rsa.toRSAPublicKey(), Set.of("planeguard-ext", "exp")))
        : jws.verify(new ECDSAVerifier((ECKey) key));
  }

  static HttpRequest request(URI uri) {
    return HttpRequest.newBuilder(uri).build();
  }

  static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(request(uri), HttpResponse.BodyHandlers.ofString());
  }

  /** With a new client: no pooled connection can outlive an issuer that was taken down. */
  static HttpResponse<String> getFresh(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(request(uri), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> publishedKids(TestIssuer issuer) throws Exception {
    return JWKSet.parse(get(issuer.jwksUri()).body()).getKeys().stream()
        .map(JWK::getKeyID)
        .toList();
  }

  static JWTClaimsSet claims(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet();
  }

  static Map<String, Object> header(String token) throws Exception {
    return JSONObjectUtils.parse(
        new String(Base64URL.from(token.split("\\.")[0]).decode(), StandardCharsets.UTF_8));
  }

  static Map<String, Object> payload(String token) throws Exception {
    return JSONObjectUtils.parse(
        new String(Base64URL.from(token.split("\\.")[1]).decode(), StandardCharsets.UTF_8));
  }
}

package dev.planeguard.it;

import static dev.planeguard.it.Results.accepted;
import static dev.planeguard.it.Results.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyType;
import dev.planeguard.Detail;
import dev.planeguard.HumanIssuer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Verification;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every attack class of the hostile-input rules, with tokens really signed by the test issuer's
 * keys, against a {@link JwtVerifier} fetching that issuer's JWKS over HTTP.
 */
class JwtAttackTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final ManualClock CLOCK = new ManualClock(T0);
  static TestIssuer issuer;

  /** A second server: where hostile jku/x5u headers point; it counts requests. */
  static TestIssuer attacker;

  static JwtVerifier verifier;

  @BeforeAll
  static void start() {
    issuer = TestIssuer.builder().clock(CLOCK).start();
    attacker = TestIssuer.builder().clock(CLOCK).start();
    verifier =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .audiences(issuer.audience())
                .tenantClaim("org_id"));
  }

  static JwtVerifier verifier(HumanIssuer.Builder config) {
    return JwtVerifier.builder()
        .issuer(config.build())
        .clock(CLOCK)
        .executor(Runnable::run)
        .mode(Mode.TEST)
        .build();
  }

  @AfterAll
  static void stop() {
    verifier.close();
    issuer.close();
    attacker.close();
  }

  @BeforeEach
  void resetClock() {
    CLOCK.set(T0);
  }

  @Test
  void aGoodTokenIsAcceptedWithItsPrincipal() {
    HumanPrincipal p =
        accepted(
            verifier.verify(
                issuer
                    .token()
                    .subject("user_1")
                    .sessionId("sess_1")
                    .claim("org_id", "org_acme")
                    .scope("accounts:read", "accounts:write")
                    .claim("scp", List.of("extra"))
                    .sign()));
    assertThat(p.subject()).isEqualTo("user_1");
    assertThat(p.issuer()).isEqualTo(issuer.issuerId());
    assertThat(p.sessionId()).isEqualTo("sess_1");
    assertThat(p.tenant()).isEqualTo("org_acme");
    assertThat(p.scopes()).containsExactlyInAnyOrder("accounts:read", "accounts:write", "extra");
    assertThat(p.claims()).containsEntry("sub", "user_1").containsKey("exp");
  }

  @Test
  void es256IsAcceptedByDefault() {
    accepted(verifier.verify(issuer.token().algorithm(JWSAlgorithm.ES256).sign()));
  }

  @Test
  void algorithmsNotPinnedAreRefused() {
    rejected(
        verifier.verify(issuer.token().algorithm(JWSAlgorithm.PS256).sign()),
        Detail.DISALLOWED_ALG);
    rejected(
        verifier.verify(issuer.token().algorithm(JWSAlgorithm.RS512).sign()),
        Detail.DISALLOWED_ALG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE", "NoNe"})
  void algNoneInAnyCasingIsRefused(String none) {
    // Really signed with RS256, but the header says none.
    rejected(verifier.verify(issuer.token().header("alg", none).sign()), Detail.DISALLOWED_ALG);
    // The unsecured form, with its empty signature, fails the compact form first.
    rejected(
        verifier.verify(issuer.token().unsecured().header("alg", none).sign()), Detail.MALFORMED);
  }

  @Test
  void hs256KeyedWithTheRsaPublicKeyIsRefused() throws Exception {
    byte[] publicKey =
        issuer.publicKey(issuer.currentKid(KeyType.RSA)).toRSAKey().toPublicKey().getEncoded();
    String forged = issuer.token().algorithm(JWSAlgorithm.HS256).hmacSecret(publicKey).sign();
    rejected(verifier.verify(forged), Detail.DISALLOWED_ALG);

    // Even where HS256 is opted in, it is keyed only by the configured secret, never a JWKS key.
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    try (JwtVerifier withHmac =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .algorithms("RS256", "HS256")
                .hmacSecret(secret)
                .audiences(issuer.audience()))) {
      rejected(withHmac.verify(forged), Detail.BAD_SIGNATURE);
      accepted(
          withHmac.verify(issuer.token().algorithm(JWSAlgorithm.HS256).hmacSecret(secret).sign()));
      accepted(withHmac.verify(issuer.token().sign()));
    }
  }

  @Test
  void embeddedJwkIsNeverTrusted() {
    String kid = issuer.currentKid(KeyType.RSA);
    rejected(
        verifier.verify(issuer.token().header("jwk", issuer.publicKey(kid).toJSONObject()).sign()),
        Detail.MALFORMED);
    // The attacker's own key, embedded, with the attacker's signature.
    String attackerKid = attacker.currentKid(KeyType.RSA);
    rejected(
        verifier.verify(
            attacker
                .token()
                .issuer(issuer.issuerId())
                .withoutKid()
                .header("jwk", attacker.publicKey(attackerKid).toJSONObject())
                .sign()),
        Detail.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jku", "x5u"})
  void remoteKeyUrlsAreNeverFetched(String header) {
    attacker.resetRequestCounts();
    String url = attacker.jwksUri().toString();
    rejected(verifier.verify(issuer.token().header(header, url).sign()), Detail.MALFORMED);
    rejected(
        verifier.verify(attacker.token().issuer(issuer.issuerId()).header(header, url).sign()),
        Detail.MALFORMED);
    assertThat(attacker.requestCount(attacker.jwksUri().getPath())).isZero();
    assertThat(attacker.jwksRequestCount()).isZero();
  }

  @Test
  void x5cIsNeverTrusted() {
    rejected(
        verifier.verify(
            issuer.token().header("x5c", List.of("MIIBIjANBgkqhkiG9w0BAQEFAAOC")).sign()),
        Detail.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../../../../etc/passwd",
        "' OR '1'='1",
        "${jndi:ldap://127.0.0.1/a}",
        "kid\u0000nul",
        "\u202e\u2028",
        "https://127.0.0.1/jwks.json",
        "#0",
      })
  void kidInjectionStringsAreOnlyUnknownKids(String kid) {
    rejected(verifier.verify(issuer.token().kid(kid).sign()), Detail.UNKNOWN_KID);
  }

  @Test
  void anOverlongKidIsNotLookedUp() {
    issuer.resetRequestCounts();
    CLOCK.advance(Duration.ofHours(1)); // any rate-limit window is open again
    rejected(verifier.verify(issuer.token().kid("k".repeat(257)).sign()), Detail.UNKNOWN_KID);
    assertThat(issuer.jwksRequestCount())
        .isLessThanOrEqualTo(1); // the cache refresh, no kid refetch
  }

  @Test
  void psychicEcdsaSignatureIsRefused() {
    String token = issuer.token().algorithm(JWSAlgorithm.ES256).sign();
    String zero = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
    String psychic = token.substring(0, token.lastIndexOf('.') + 1) + zero;
    rejected(verifier.verify(psychic), Detail.BAD_SIGNATURE);
  }

  @Test
  void critIsRefusedEvenEmpty() {
    rejected(verifier.verify(issuer.token().critical("exp").sign()), Detail.BAD_CRIT);
    rejected(verifier.verify(issuer.token().critical().sign()), Detail.BAD_CRIT);
    rejected(
        verifier.verify(issuer.token().critical("b64").header("b64", false).sign()),
        Detail.BAD_CRIT);
  }

  @Test
  void malleableBase64IsRefused() {
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    int dot = token.indexOf('.');
    rejected(verifier.verify(token + "="), Detail.MALFORMED);
    rejected(verifier.verify(token + "=="), Detail.MALFORMED);
    rejected(
        verifier.verify(token.substring(0, dot) + "=" + token.substring(dot)), Detail.MALFORMED);
    rejected(
        verifier.verify(token.substring(0, dot) + " " + token.substring(dot)), Detail.MALFORMED);
    rejected(verifier.verify(" " + token), Detail.MALFORMED);
    rejected(verifier.verify(token + " "), Detail.MALFORMED);
    rejected(
        verifier.verify(token.replace('-', '+').replace('_', '/')),
        token.matches(".*[-_].*") ? Detail.MALFORMED : Detail.BAD_SIGNATURE);
    // The RS256 signature is 256 bytes: 342 characters, the last one carrying 4 unused bits.
    String sig = token.substring(token.lastIndexOf('.') + 1);
    assertThat(sig.length() % 4).isEqualTo(2);
    char last = sig.charAt(sig.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sibling = alphabet.charAt(alphabet.indexOf(last) | 1); // same byte, unused bit set
    rejected(verifier.verify(token.substring(0, token.length() - 1) + sibling), Detail.MALFORMED);
  }

  @Test
  void oversizedTokensAreRefusedBeforeParsing() {
    String small = issuer.token().sign();
    int pad = 8192 - small.length();
    String token = null;
    for (int p = pad * 3 / 4 - 40; p < pad * 3 / 4 + 8; p++) {
      String t = issuer.token().claim("pad", "x".repeat(Math.max(0, p))).sign();
      if (t.length() <= 8192) {
        token = t;
      }
    }
    assertThat(token).isNotNull();
    assertThat(token.length()).isBetween(8186, 8192);
    accepted(verifier.verify(token));
    rejected(
        verifier.verify(issuer.token().claim("pad", "x".repeat(9000)).sign()), Detail.TOO_LARGE);
    rejected(verifier.verify("a".repeat(1_000_000)), Detail.TOO_LARGE);
  }

  @Test
  void deeplyNestedJsonIsRefused() {
    String deep = "[".repeat(16) + "]".repeat(16);
    String fine = "[".repeat(15) + "]".repeat(15);
    rejected(
        verifier.verify(issuer.token().rawClaims(claims("\"n\":" + deep)).sign()),
        Detail.MALFORMED);
    accepted(verifier.verify(issuer.token().rawClaims(claims("\"n\":" + fine)).sign()));
    rejected(
        verifier.verify(
            issuer
                .token()
                .rawClaims(claims("\"n\":" + "[".repeat(2000) + "]".repeat(2000)))
                .sign()),
        Detail.MALFORMED);
  }

  @Test
  void duplicateMembersAreRefused() {
    rejected(
        verifier.verify(issuer.token().rawClaims(claims("\"sub\":\"admin\"")).sign()),
        Detail.MALFORMED);
    rejected(
        verifier.verify(
            issuer
                .token()
                .rawClaims(claims("\"x\":{\"role\":\"user\",\"role\":\"admin\"}"))
                .sign()),
        Detail.MALFORMED);
    String kid = issuer.currentKid(KeyType.RSA);
    rejected(
        verifier.verify(
            issuer
                .token()
                .rawHeader("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"alg\":\"RS256\"}")
                .sign()),
        Detail.MALFORMED);
  }

  @Test
  void numbersBeyondADoubleAreRefusedAndIntegersBeyondALongAreDoubles() {
    rejected(
        verifier.verify(issuer.token().rawClaims(claims("\"n\":1e400")).sign()), Detail.MALFORMED);
    // Integers too large for a long become Doubles, as in Nimbus (the parser decides without an
    // exception per number); the token is accepted when they are not registered claims.
    String huge =
        "\"n\":[" + String.join(",", java.util.Collections.nCopies(200, "9".repeat(20))) + "]";
    java.util.List<?> n =
        (java.util.List<?>)
            accepted(verifier.verify(issuer.token().rawClaims(claims(huge)).sign()))
                .claims()
                .get("n");
    assertThat(n).hasSize(200).allSatisfy(v -> assertThat(v).isEqualTo(1e20));
    // A registered time claim of that size is not a time.
    long now = CLOCK.instant().getEpochSecond();
    rejected(
        verifier.verify(
            issuer
                .token()
                .rawClaims(
                    "{\"iss\":\""
                        + issuer.issuerId()
                        + "\",\"sub\":\"u\",\"aud\":\""
                        + issuer.audience()
                        + "\",\"iat\":"
                        + now
                        + ",\"exp\":"
                        + "9".repeat(30)
                        + "}")
                .sign()),
        Detail.MALFORMED);
  }

  @Test
  void jweAndJsonSerializationAreRefused() {
    String token = issuer.token().sign();
    String[] parts = token.split("\\.");
    rejected(
        verifier.verify(parts[0] + "." + parts[1] + ".AAAA." + parts[1] + "." + parts[2]),
        Detail.MALFORMED);
    String json =
        "{\"payload\":\""
            + parts[1]
            + "\",\"protected\":\""
            + parts[0]
            + "\",\"signature\":\""
            + parts[2]
            + "\"}";
    rejected(verifier.verify(json), Detail.MALFORMED);
    rejected(verifier.verify(issuer.token().header("enc", "A256GCM").sign()), Detail.MALFORMED);
    rejected(verifier.verify(issuer.token().header("zip", "DEF").sign()), Detail.MALFORMED);
  }

  /** Claims of a valid token of the issuer, plus {@code extra} members (written first). */
  static String claims(String extra) {
    long now = CLOCK.instant().getEpochSecond();
    return "{"
        + extra
        + ",\"iss\":\""
        + issuer.issuerId()
        + "\",\"sub\":\"u\",\"aud\":\""
        + issuer.audience()
        + "\",\"iat\":"
        + now
        + ",\"exp\":"
        + (now + 300)
        + "}";
  }

  @Test
  void expiryAtTheSkewBoundary() {
    String token = issuer.token().expiresIn(Duration.ofMinutes(5)).sign();
    Instant exp = T0.plus(Duration.ofMinutes(5));
    CLOCK.set(exp.plusSeconds(30).minusMillis(1));
    accepted(verifier.verify(token)); // verified and cached
    CLOCK.set(exp.plusSeconds(30));
    rejected(verifier.verify(token), Detail.EXPIRED); // the cache hit checks exp again
    rejected(verifier.verify(issuer.token().withoutClaim("exp").sign()), Detail.MISSING_CLAIM);
  }

  @Test
  void notBeforeAtTheSkewBoundary() {
    Instant nbf = T0.plusSeconds(60);
    String token = issuer.token().notBefore(nbf).sign();
    CLOCK.set(nbf.minusSeconds(30).minusMillis(1));
    rejected(verifier.verify(token), Detail.NOT_YET_VALID);
    CLOCK.set(nbf.minusSeconds(30));
    accepted(verifier.verify(token));
  }

  @Test
  void issuedAtInTheFutureBeyondTheSkew() {
    rejected(
        verifier.verify(issuer.token().issuedAt(T0.plusSeconds(31)).sign()), Detail.IAT_IN_FUTURE);
    accepted(verifier.verify(issuer.token().issuedAt(T0.plusSeconds(30)).sign()));
  }

  @Test
  void lifetimeAtTheLimit() {
    accepted(verifier.verify(issuer.token().expiresIn(Duration.ofHours(24)).sign()));
    rejected(
        verifier.verify(issuer.token().expiresIn(Duration.ofHours(24).plusSeconds(1)).sign()),
        Detail.LIFETIME_TOO_LONG);
    // Without iat, exp - now counts.
    rejected(
        verifier.verify(
            issuer
                .token()
                .withoutClaim("iat")
                .expiresAt(T0.plus(Duration.ofHours(24)).plusSeconds(1))
                .sign()),
        Detail.LIFETIME_TOO_LONG);
    accepted(
        verifier.verify(
            issuer.token().withoutClaim("iat").expiresAt(T0.plus(Duration.ofHours(24))).sign()));
  }

  @Test
  void issuerEdges() {
    issuer.resetRequestCounts();
    rejected(
        verifier.verify(issuer.token().issuer(issuer.issuerId() + "/").sign()),
        Detail.WRONG_ISSUER);
    rejected(
        verifier.verify(
            issuer.token().issuer(issuer.issuerId().toUpperCase(java.util.Locale.ROOT)).sign()),
        Detail.WRONG_ISSUER);
    rejected(verifier.verify(issuer.token().withoutClaim("iss").sign()), Detail.WRONG_ISSUER);
    rejected(
        verifier.verify(issuer.token().claim("iss", List.of(issuer.issuerId())).sign()),
        Detail.MALFORMED);
    rejected(verifier.verify(attacker.token().sign()), Detail.WRONG_ISSUER);
    assertThat(issuer.jwksRequestCount()).isZero(); // an unknown issuer causes no fetch
    assertThat(attacker.jwksRequestCount()).isZero();
  }

  @Test
  void audienceEdges() {
    String aud = issuer.audience();
    accepted(verifier.verify(issuer.token().audience("other", aud).sign()));
    rejected(
        verifier.verify(issuer.token().audience("other", "another").sign()), Detail.WRONG_AUDIENCE);
    rejected(verifier.verify(issuer.token().audience(aud + "/").sign()), Detail.WRONG_AUDIENCE);
    rejected(
        verifier.verify(issuer.token().audience(aud.toUpperCase(java.util.Locale.ROOT)).sign()),
        Detail.WRONG_AUDIENCE);
    rejected(verifier.verify(issuer.token().audience("").sign()), Detail.WRONG_AUDIENCE);
    rejected(verifier.verify(issuer.token().claim("aud", List.of()).sign()), Detail.WRONG_AUDIENCE);
    rejected(verifier.verify(issuer.token().withoutClaim("aud").sign()), Detail.WRONG_AUDIENCE);
  }

  @Test
  void authorizedPartyEdges() {
    try (JwtVerifier clerkLike =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .authorizedParties("https://app.example.test"))) {
      accepted(
          clerkLike.verify(
              issuer
                  .token()
                  .withoutClaim("aud")
                  .authorizedParty("https://app.example.test")
                  .sign()));
      rejected(clerkLike.verify(issuer.token().sign()), Detail.WRONG_AZP);
      rejected(
          clerkLike.verify(issuer.token().authorizedParty("https://app.example.test/").sign()),
          Detail.WRONG_AZP);
      rejected(
          clerkLike.verify(issuer.token().authorizedParty("https://APP.example.test").sign()),
          Detail.WRONG_AZP);
      rejected(
          clerkLike.verify(issuer.token().claim("azp", List.of("https://app.example.test")).sign()),
          Detail.WRONG_AZP);
    }
  }

  @Test
  void typeEdges() {
    accepted(verifier.verify(issuer.token().withoutType().sign()));
    accepted(verifier.verify(issuer.token().type("jwt").sign()));
    accepted(verifier.verify(issuer.token().type("application/JWT").sign()));
    rejected(verifier.verify(issuer.token().type("at+jwt").sign()), Detail.BAD_TYP);
    rejected(verifier.verify(issuer.token().type("JOSE").sign()), Detail.BAD_TYP);
    rejected(verifier.verify(issuer.token().header("typ", 1).sign()), Detail.MALFORMED);
    try (JwtVerifier accessTokens =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .audiences(issuer.audience())
                .allowedTypes("at+jwt"))) {
      accepted(accessTokens.verify(issuer.token().type("application/at+JWT").sign()));
      rejected(accessTokens.verify(issuer.token().sign()), Detail.BAD_TYP);
    }
  }

  @Test
  void requiredClaims() {
    rejected(verifier.verify(issuer.token().withoutClaim("sub").sign()), Detail.MISSING_CLAIM);
    rejected(verifier.verify(issuer.token().subject("").sign()), Detail.MISSING_CLAIM);
    try (JwtVerifier strict =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .audiences(issuer.audience())
                .requiredClaims("sid"))) {
      rejected(strict.verify(issuer.token().sign()), Detail.MISSING_CLAIM);
      accepted(strict.verify(issuer.token().sessionId("s").sign()));
    }
  }

  @Test
  void badSignatureAndWrongKeyType() {
    String token = issuer.token().sign();
    String[] parts = token.split("\\.");
    String other = issuer.token().subject("someone-else").sign().split("\\.")[2];
    rejected(verifier.verify(parts[0] + "." + parts[1] + "." + other), Detail.BAD_SIGNATURE);
    // The EC key's kid on an RS256 token: the key does not fit the algorithm.
    rejected(
        verifier.verify(issuer.token().kid(issuer.currentKid(KeyType.EC)).sign()),
        Detail.BAD_SIGNATURE);
  }

  @Test
  void noSecretsInToStrings() {
    String token = issuer.token().sign();
    Verification v = verifier.verify(token);
    assertThat(v.toString()).doesNotContain(token.split("\\.")[2]);
    assertThat(verifier.toString()).doesNotContain("k=");
    assertThat(Map.of("v", verifier.issuers().get(0).toString()).toString())
        .doesNotContain("secret=");
  }
}

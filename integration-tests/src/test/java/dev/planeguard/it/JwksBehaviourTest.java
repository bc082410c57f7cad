package dev.planeguard.it;

import static dev.planeguard.it.Results.accepted;
import static dev.planeguard.it.Results.rejected;
import static dev.planeguard.it.Results.unavailable;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.KeyType;
import dev.planeguard.Detail;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JWKS behaviour against the test kit's live issuer: rotation, retirement, outage, slow and broken
 * documents, and unknown-kid floods. Time moves only through the injected clock (cache TTL 5 min,
 * rate-limit window 30 s, outage tolerance 1 h: the defaults); background refreshes run on the
 * calling thread, so fetch counts are exact.
 */
class JwksBehaviourTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  final ManualClock clock = new ManualClock(T0);
  TestIssuer issuer;
  JwtVerifier verifier;

  @BeforeEach
  void start() {
    issuer = TestIssuer.builder().clock(clock).tokenLifetime(Duration.ofHours(3)).start();
    verifier =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .audiences(issuer.audience()));
  }

  JwtVerifier verifier(HumanIssuer.Builder config) {
    return JwtVerifier.builder()
        .issuer(config.build())
        .clock(clock)
        .executor(Runnable::run)
        .mode(Mode.TEST)
        .build();
  }

  @AfterEach
  void stop() {
    verifier.close();
    issuer.close();
  }

  @Test
  void unavailableIssuersListsAnIssuerOnlyWhenNoUsableKeySetExists() {
    assertThat(verifier.unavailableIssuers()).isEmpty(); // first fetch succeeds
    issuer.takeDown();
    assertThat(verifier.unavailableIssuers()).isEmpty(); // cached set still fresh
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    assertThat(verifier.unavailableIssuers()).isEmpty(); // within the outage tolerance
    clock.advance(Duration.ofHours(1));
    assertThat(verifier.unavailableIssuers()).containsExactly(issuer.issuerId());
    issuer.bringUp();
    clock.advance(Duration.ofMinutes(1)); // past the rate-limit window
    assertThat(verifier.unavailableIssuers()).isEmpty();
  }

  @Test
  void aRepeatedTokenIsServedFromTheCacheWithoutFetching() {
    String token = issuer.token().sign();
    for (int i = 0; i < 100; i++) {
      accepted(verifier.verify(token));
    }
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void rotationIsPickedUp() {
    accepted(verifier.verify(issuer.token().sign()));
    String next = issuer.rotate(KeyType.RSA);
    accepted(verifier.verify(issuer.token().sign()));
    assertThat(issuer.token().sign()).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2); // one refetch for the unknown kid
    assertThat(issuer.publishedKids()).contains(next);
  }

  @Test
  void aRetiredKidIsRejectedEvenForCachedTokens() {
    String old = issuer.currentKid(KeyType.RSA);
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    issuer.makeCurrent(issuer.createKey(KeyType.RSA));
    issuer.retire(old);
    accepted(verifier.verify(token)); // within the cache TTL the retirement is not yet seen
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    rejected(verifier.verify(token), Detail.UNKNOWN_KID);
    rejected(verifier.verify(token), Detail.UNKNOWN_KID);
    accepted(verifier.verify(issuer.token().sign()));
  }

  @Test
  void refreshAheadFetchesBeforeTheCacheExpires() {
    accepted(verifier.verify(issuer.token().sign()));
    clock.advance(Duration.ofMinutes(4).plusSeconds(40)); // inside the 30 s refresh-ahead window
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void anOutageWithinToleranceKeepsTheLastGoodKeys() {
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    issuer.takeDown();
    clock.advance(Duration.ofMinutes(30)); // cache expired, outage tolerance (1 h) not
    accepted(verifier.verify(token));
    accepted(verifier.verify(issuer.token().sign()));
  }

  @Test
  void anOutageBeyondToleranceIsUnavailableNeverAllowed() {
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    issuer.takeDown();
    clock.advance(Duration.ofMinutes(70)); // beyond the 1 h tolerance (and the cache TTL)
    unavailable(verifier.verify(token));
    unavailable(verifier.verify(issuer.token().sign()));
    issuer.bringUp();
    clock.advance(Duration.ofSeconds(31)); // a new rate-limit window
    accepted(verifier.verify(token));
  }

  @Test
  void noKeysEverFetchedIsUnavailable() {
    issuer.takeDown();
    unavailable(verifier.verify(issuer.token().sign()));
    issuer.bringUp();
    clock.advance(Duration.ofSeconds(31));
    accepted(verifier.verify(issuer.token().sign()));
  }

  @Test
  void aSlowJwksTimesOutAsUnavailable() {
    try (JwtVerifier impatient =
        verifier(
            HumanIssuer.builder(issuer.issuerId())
                .jwksUri(issuer.jwksUri())
                .audiences(issuer.audience())
                .jwksTimeout(Duration.ofMillis(300)))) {
      issuer.jwksDelay(Duration.ofSeconds(20));
      unavailable(impatient.verify(issuer.token().sign()));
    }
  }

  @ParameterizedTest
  @EnumSource(TestIssuer.JwksFault.class)
  void aBrokenJwksIsNeverABadTokenOrAnAllow(TestIssuer.JwksFault fault) {
    issuer.failJwks(fault);
    if (fault == TestIssuer.JwksFault.EMPTY_KEY_SET) {
      rejected(verifier.verify(issuer.token().sign()), Detail.UNKNOWN_KID);
    } else {
      unavailable(verifier.verify(issuer.token().sign()));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TestIssuer.JwksFault.class,
      names = {"SERVER_ERROR", "GARBAGE", "OVERSIZED"})
  void aBrokenJwksAfterAGoodOneIsBridgedByTheLastGoodKeys(TestIssuer.JwksFault fault) {
    String token = issuer.token().sign();
    accepted(verifier.verify(token));
    issuer.failJwks(fault);
    clock.advance(Duration.ofMinutes(6));
    accepted(verifier.verify(issuer.token().sign()));
  }

  @Test
  void unsanitaryKeysInTheJwksAreDropped() {
    String kid = issuer.currentKid(KeyType.RSA);
    String pub = issuer.publicKey(kid).toJSONString();
    issuer.serveRawJwks("{\"keys\":[" + pub + "," + pub + "]}"); // duplicate kid
    rejected(verifier.verify(issuer.token().sign()), Detail.UNKNOWN_KID);
    issuer.serveRawJwks("{\"keys\":[" + pub.replace("\"use\":\"sig\"", "\"use\":\"enc\"") + "]}");
    clock.advance(Duration.ofSeconds(31));
    rejected(verifier.verify(issuer.token().sign()), Detail.UNKNOWN_KID);
    issuer.serveRawJwks("{\"keys\":[" + pub + "]}");
    clock.advance(Duration.ofSeconds(31));
    accepted(verifier.verify(issuer.token().sign()));
  }

  @Test
  void aFloodOfUnknownKidsIsRateLimitedAndDoesNotStopPickupOfNewKeys() {
    accepted(verifier.verify(issuer.token().sign()));
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
    String ahead = issuer.createKey(KeyType.RSA); // published ahead of use
    int windows = 0;
    for (int window = 0; window < 5; window++) {
      int before = issuer.jwksRequestCount();
      for (int i = 0; i < 40; i++) {
        rejected(
            verifier.verify(issuer.token().kid("junk-" + window + "-" + i).sign()),
            Detail.UNKNOWN_KID);
      }
      // Nimbus's rate limiter allows two fetches per window (one kept for key rotation).
      assertThat(issuer.jwksRequestCount() - before).isLessThanOrEqualTo(2);
      clock.advance(Duration.ofSeconds(31));
      windows++;
    }
    assertThat(issuer.jwksRequestCount()).isLessThanOrEqualTo(1 + 2 * windows);
    // The key published during the flood was picked up by the flood's own refetches.
    accepted(verifier.verify(issuer.token().signingKey(ahead).sign()));
  }

  @Test
  void aKeyUsedRightAfterAnExhaustedWindowIsPickedUpInTheNextWindow() {
    accepted(verifier.verify(issuer.token().sign()));
    for (int i = 0; i < 10; i++) {
      rejected(verifier.verify(issuer.token().kid("junk-" + i).sign()), Detail.UNKNOWN_KID);
    }
    String fresh = issuer.createKey(KeyType.RSA);
    String token = issuer.token().signingKey(fresh).sign();
    rejected(verifier.verify(token), Detail.UNKNOWN_KID); // window exhausted by the flood
    clock.advance(Duration.ofSeconds(31));
    accepted(verifier.verify(token));
  }

  @Test
  void eachIssuerHasItsOwnCache() {
    try (TestIssuer other = TestIssuer.builder().clock(clock).start();
        JwtVerifier two =
            JwtVerifier.builder()
                .issuer(
                    HumanIssuer.builder(issuer.issuerId())
                        .jwksUri(issuer.jwksUri())
                        .audiences(issuer.audience())
                        .build())
                .issuer(
                    HumanIssuer.builder(other.issuerId())
                        .jwksUri(other.jwksUri())
                        .audiences(other.audience())
                        .build())
                .clock(clock)
                .executor(Runnable::run)
                .mode(Mode.TEST)
                .build()) {
      accepted(two.verify(issuer.token().sign()));
      accepted(two.verify(other.token().sign()));
      for (int i = 0; i < 10; i++) {
        rejected(two.verify(issuer.token().kid("junk-" + i).sign()), Detail.UNKNOWN_KID);
      }
      assertThat(other.jwksRequestCount()).isEqualTo(1);
      // A token of one issuer naming the other's kid is still unknown: keys are never shared.
      rejected(
          two.verify(issuer.token().kid(other.currentKid(KeyType.RSA)).sign()), Detail.UNKNOWN_KID);
    }
  }

  @Test
  void oidcDiscoveryIsLazyAndChecksTheIssuer() {
    issuer.takeDown();
    try (JwtVerifier oidc =
        verifier(HumanIssuer.oidc(issuer.issuerId()).audiences(issuer.audience()))) {
      unavailable(oidc.verify(issuer.token().sign())); // built while the provider was down
      issuer.bringUp();
      clock.advance(Duration.ofSeconds(31));
      accepted(oidc.verify(issuer.token().sign()));
      assertThat(issuer.discoveryRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void aDiscoveryDocumentNamingAnotherIssuerIsRefused() {
    String lookalike = issuer.issuerId() + "/";
    try (JwtVerifier oidc = verifier(HumanIssuer.oidc(lookalike).audiences(issuer.audience()))) {
      unavailable(oidc.verify(issuer.token().issuer(lookalike).sign()));
      assertThat(issuer.jwksRequestCount()).isZero();
    }
  }

  @Test
  void clerkPresetAgainstALiveIssuer() {
    String app = "https://app.example.test";
    try (JwtVerifier clerk =
        verifier(HumanIssuer.clerk(issuer.issuerId()).authorizedParties(app))) {
      dev.planeguard.HumanPrincipal p =
          accepted(
              clerk.verify(
                  issuer
                      .token()
                      .withoutClaim("aud")
                      .authorizedParty(app)
                      .sessionId("sess_2")
                      .claim("org_id", "org_9")
                      .sign()));
      assertThat(p.sessionId()).isEqualTo("sess_2");
      assertThat(p.tenant()).isEqualTo("org_9");
      rejected(
          clerk.verify(
              issuer
                  .token()
                  .algorithm(com.nimbusds.jose.JWSAlgorithm.ES256)
                  .authorizedParty(app)
                  .sign()),
          Detail.DISALLOWED_ALG);
      rejected(clerk.verify(issuer.token().sign()), Detail.WRONG_AZP);
    }
  }

  @Test
  void jwksFromAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("jwks.json");
    java.nio.file.Files.writeString(file, issuer.publicJwks().toString());
    try (JwtVerifier fromFile =
        verifier(
            HumanIssuer.builder(issuer.issuerId()).jwksFile(file).audiences(issuer.audience()))) {
      accepted(fromFile.verify(issuer.token().sign()));
      assertThat(issuer.jwksRequestCount()).isZero();
    }
  }
}

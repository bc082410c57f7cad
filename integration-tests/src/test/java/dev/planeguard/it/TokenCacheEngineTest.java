package dev.planeguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.KeyType;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Reason;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache as the {@link Enforcer} uses it: keyed by the whole {@code
 * Authorization} value (no copy of the token per request), hashed on its signature tail. A hit is
 * told from a fresh verification by moving the clock back before the token's {@code iat}: a fresh
 * verification then says {@code IAT_IN_FUTURE}, a hit does not look at {@code iat} again.
 */
class TokenCacheEngineTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final Instant BEFORE_IAT = T0.minus(Duration.ofMinutes(10));
  final ManualClock clock = new ManualClock(T0);
  TestIssuer issuer;
  JwtVerifier verifier;
  Enforcer enforcer;

  @BeforeEach
  void start() {
    issuer = TestIssuer.builder().clock(clock).tokenLifetime(Duration.ofHours(1)).start();
    verifier =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(issuer.issuerId())
                    .jwksUri(issuer.jwksUri())
                    .audiences(issuer.audience())
                    .build())
            .clock(clock)
            .executor(Runnable::run)
            .mode(Mode.TEST)
            .build();
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon")))
            .policy(Policy.parse("human /api/v1/accounts/**\n", "test.policy"))
            .tokenVerifier(verifier)
            .clock(clock)
            .build();
  }

  @AfterEach
  void stop() {
    verifier.close();
    issuer.close();
  }

  Decision decide(String authorization) {
    return enforcer.decide(
        InboundRequest.of(
            "GET", "/api/v1/accounts/me", Map.of("Authorization", List.of(authorization))));
  }

  static void authenticated(Decision d) {
    assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(d.allowed()).isTrue();
  }

  static void invalid(Decision d, Detail detail) {
    assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(d.detail()).isEqualTo(detail);
    assertThat(d.status()).isEqualTo(401);
  }

  @Test
  void aRepeatedAuthorizationValueIsAnsweredFromTheCache() {
    String token = issuer.token().sign();
    authenticated(decide("Bearer " + token));
    clock.set(BEFORE_IAT);
    // A new String with the same content: the cache compares content, not identity.
    authenticated(decide(new String("Bearer " + token)));
    // The control: never seen, so verified now, and iat is in the future.
    // (Another subject: RS256 is deterministic, the same claims would give the same token.)
    invalid(
        decide("Bearer " + issuer.token().subject("bob").issuedAt(T0).sign()),
        Detail.IAT_IN_FUTURE);
  }

  @Test
  void anotherSpellingOfTheSchemeIsVerifiedOnItsOwn() {
    String token = issuer.token().sign();
    authenticated(decide("Bearer " + token));
    authenticated(decide("bearer " + token));
    authenticated(decide("BEARER " + token));
    clock.set(BEFORE_IAT);
    authenticated(decide("bearer " + token)); // each spelling is its own entry, each was verified
    invalid(decide("bEaReR " + token), Detail.IAT_IN_FUTURE);
  }

  @Test
  void aTokenVerifiedOutsideTheEngineIsNotReusedByIt() {
    // verify(token) keys the bare token, the engine the header value: no value stands for another.
    String token = issuer.token().sign();
    Results.accepted(verifier.verify(token));
    clock.set(BEFORE_IAT);
    Results.accepted(verifier.verify(token));
    invalid(decide("Bearer " + token), Detail.IAT_IN_FUTURE);
  }

  @Test
  void aLookAlikeWithTheSameSignatureTailIsVerifiedNotServed() {
    String token = issuer.token().subject("alice").sign();
    authenticated(decide("Bearer " + token));
    String other = issuer.token().subject("mallory").sign();
    String[] a = token.split("\\.");
    String[] b = other.split("\\.");
    // Mallory's header and payload under Alice's signature: same length class, same last 32+
    // characters, so the same hash bucket. Equality is on the whole value: verified, and refused.
    String forged = b[0] + "." + b[1] + "." + a[2];
    assertThat(forged.substring(forged.length() - 64))
        .isEqualTo(token.substring(token.length() - 64));
    invalid(decide("Bearer " + forged), Detail.BAD_SIGNATURE);
    // Alice's own token is still a hit, untouched by the look-alike.
    clock.set(BEFORE_IAT);
    authenticated(decide("Bearer " + token));
  }

  @Test
  void aHitStillExpires() {
    String token = issuer.token().sign();
    authenticated(decide("Bearer " + token));
    clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(29)); // within exp + 30 s skew
    authenticated(decide("Bearer " + token));
    clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(30));
    invalid(decide("Bearer " + token), Detail.EXPIRED);
  }

  @Test
  void aHitStillNeedsItsKeyPublished() {
    String token = issuer.token().sign();
    authenticated(decide("Bearer " + token));
    String old = issuer.currentKid(KeyType.RSA);
    issuer.makeCurrent(issuer.createKey(KeyType.RSA));
    issuer.retire(old);
    clock.advance(Duration.ofMinutes(5).plusSeconds(1)); // past the JWKS cache TTL
    invalid(decide("Bearer " + token), Detail.UNKNOWN_KID);
  }

  @Test
  void theCacheIsKeptInBoundsByTheCallersNotByTheExecutor() {
    // The executor is for JWKS refreshes only: evicting verified tokens never waits for a thread.
    java.util.concurrent.atomic.AtomicInteger handedOff =
        new java.util.concurrent.atomic.AtomicInteger();
    try (JwtVerifier small =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(issuer.issuerId())
                    .jwksUri(issuer.jwksUri())
                    .audiences(issuer.audience())
                    .build())
            .clock(clock)
            .mode(Mode.TEST)
            .tokenCacheSize(4096)
            .executor(
                task -> {
                  handedOff.incrementAndGet();
                  task.run();
                })
            .build()) {
      List<String> tokens = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        tokens.add(issuer.token().subject("user_" + i).sign());
      }
      for (String token : tokens) {
        Results.accepted(small.verify(token));
      }
      // The bound holds: an hour back, almost every token is verified again (IAT_IN_FUTURE).
      clock.set(BEFORE_IAT);
      int hits = 0;
      for (String token : tokens) {
        if (small.verify(token) instanceof dev.planeguard.Verification.Verified) {
          hits++;
        }
      }
      assertThat(hits).isLessThanOrEqualTo(4096 / tokens.get(0).length() + 1);
      assertThat(handedOff).hasValue(0);
    }
  }

  @Test
  void anEmptyBearerCredentialIsMalformedWithoutAVerifierCall() {
    invalid(decide("Bearer"), Detail.MALFORMED);
    invalid(decide("Bearer "), Detail.MALFORMED);
    assertThat(issuer.jwksRequestCount()).isZero();
  }
}

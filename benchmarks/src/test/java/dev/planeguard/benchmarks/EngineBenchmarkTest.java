package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Reason;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each engine benchmark measures what its name says: the decision it makes, and for the cached
 * token that it really is a cache hit, for the rejections that no verifier runs.
 */
class EngineBenchmarkTest {

  final OffsetClock clock = new OffsetClock();
  final EngineBenchmark b = new EngineBenchmark();

  @AfterEach
  void tearDown() {
    b.tearDown();
  }

  @Test
  void humanCachedTokenIsAuthenticatedFromTheCache() {
    b.clock = clock;
    b.setUp();
    Decision d = b.humanCachedToken();
    assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(d.principal())
        .isInstanceOfSatisfying(
            HumanPrincipal.class,
            p -> {
              assertThat(p.subject()).isEqualTo("user_2b7QnWkq9JmXc0");
              assertThat(p.tenant()).isEqualTo("org_acme");
            });
    // An hour back, before the token's iat: a fresh verification would say IAT_IN_FUTURE, a hit
    // does not check iat again. The control, a token never seen, shows the difference.
    clock.set(Duration.ofHours(-1));
    assertThat(b.humanCachedToken().reason()).isEqualTo(Reason.AUTHENTICATED);
    Decision control =
        b.enforcer.decide(
            Fixture.bearer("/api/v1/accounts/me", b.fixture.token(JWSAlgorithm.RS256, 1)));
    assertThat(control.reason()).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(control.detail()).isEqualTo(Detail.IAT_IN_FUTURE);
  }

  @Test
  void theJwksIsReadOnceBeforeMeasurementAndNeverAgain() throws Exception {
    b.clock = clock;
    b.setUp();
    // Replace the JWKS file with an empty key set: a verifier that read it again would know no
    // key. New tokens still verify, so the keys come from the copy read during setUp.
    Files.writeString(b.fixture.jwksFile, "{\"keys\":[]}");
    for (int i = 2; i < 6; i++) {
      Decision d =
          b.enforcer.decide(
              Fixture.bearer("/api/v1/accounts/me", b.fixture.token(JWSAlgorithm.RS256, i)));
      assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
    }
    assertThat(Fixture.JWKS_CACHE_TTL).isGreaterThanOrEqualTo(Duration.ofHours(24));
  }

  @Test
  void machineKeyRateLimitedPaysForTheCallerLimitAndIsNeverRefused() {
    b.setUp();
    for (int i = 0; i < 10_000; i++) {
      Decision d = b.machineKeyRateLimited();
      assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
      if (i == 0) {
        assertThat(d.rateLimitPolicy()).isEqualTo("\"caller\";q=1000000000;w=1");
        assertThat(d.rateLimit()).startsWith("\"caller\";r=999999999;");
      }
    }
  }

  @Test
  void machineKeyRateLimitedWithTenantPaysForBothLimitsAndIsNeverRefused() {
    Counting counting = new Counting();
    b.wrapKeys = counting::keys;
    b.setUp();
    for (int i = 0; i < 10_000; i++) {
      Decision d = b.machineKeyRateLimitedWithTenant();
      assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
      if (i == 0) {
        // Both buckets took a token: the caller's and the tenant's.
        assertThat(d.rateLimitPolicy())
            .isEqualTo("\"caller\";q=1000000000;w=1, \"tenant\";q=1000000000;w=1");
        assertThat(d.rateLimit()).startsWith("\"caller\";r=999999999;");
      }
    }
    // The same decision as machineKey, the key verified every time; only the limits differ.
    assertThat(counting.keyCalls).hasValue(10_000);
    assertThat(b.machineKey().rateLimitPolicy()).isNull();
  }

  @Test
  void machineKeyIsAuthenticatedWithTheKeysPrincipal() {
    Counting counting = new Counting();
    b.wrapKeys = counting::keys;
    b.setUp();
    Decision d = b.machineKey();
    assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(d.principal())
        .isEqualTo(
            new MachinePrincipal(b.fixture.machineKey.id(), "acme", java.util.Set.of("runs:read")));
    assertThat(counting.keyCalls).hasValue(1);
  }

  @Test
  void crossPlaneRejectIsRefusedByItsCarrierWithoutAnyVerifier() {
    Counting counting = new Counting();
    b.wrapTokens = counting::tokens;
    b.wrapKeys = counting::keys;
    b.setUp();
    int setUpCalls = counting.tokenCalls.get();
    Decision d = b.crossPlaneReject();
    assertThat(d.reason()).isEqualTo(Reason.CROSS_PLANE_CREDENTIAL);
    assertThat(d.status()).isEqualTo(401);
    assertThat(d.violation()).isTrue();
    assertThat(counting.tokenCalls).hasValue(setUpCalls);
    assertThat(counting.keyCalls).hasValue(0);
  }

  @Test
  void unmappedRejectIsAnOrdinary404WithoutAnyVerifier() {
    Counting counting = new Counting();
    b.wrapTokens = counting::tokens;
    b.wrapKeys = counting::keys;
    b.setUp();
    int setUpCalls = counting.tokenCalls.get();
    Decision d = b.unmappedReject();
    assertThat(d.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(d.status()).isEqualTo(404);
    assertThat(d.rule()).isNull();
    assertThat(counting.tokenCalls).hasValue(setUpCalls);
    assertThat(counting.keyCalls).hasValue(0);
  }
}

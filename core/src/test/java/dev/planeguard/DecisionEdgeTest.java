package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Edges of the decision table that need exact values: the one place where the value of a credential
 * decides its plane (a key-shaped Bearer credential, and only a key-shaped one, is {@code
 * CROSS_PLANE_CREDENTIAL}), and {@code Retry-After}, given with 503 answers only.
 */
class DecisionEdgeTest {

  static final Policy POLICY = Policy.parse(PolicyTest.EXAMPLE, "example.policy");

  final List<String> verified = new ArrayList<>();

  Enforcer enforcer(Duration retryAfter) {
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(POLICY)
        .tokenVerifier(
            token -> {
              verified.add(token);
              return Verification.rejected(Reason.INVALID_TOKEN, Detail.MALFORMED);
            })
        .machineKeyVerifier(
            (key, kind, mode) -> new Verification.Unavailable(Detail.KEY_STORE_UNAVAILABLE))
        .auditSink(event -> {})
        .retryAfter(retryAfter)
        .build();
  }

  static InboundRequest human(String authorization) {
    return InboundRequest.of(
        "GET", "/api/v1/accounts/me", Map.of("Authorization", List.of(authorization)));
  }

  @Test
  void aBearerCredentialOfKeyLengthThatIsNoKeyGoesToTheTokenVerifier() {
    Enforcer enforcer = enforcer(Duration.ofSeconds(5));
    for (int length = ApiKey.MIN_LENGTH - 1; length <= ApiKey.MAX_LENGTH + 1; length++) {
      String token = "eyJ" + "a".repeat(length - 3);
      Decision d = enforcer.decide(human("Bearer " + token));
      assertThat(d.reason()).as("length %s", length).isEqualTo(Reason.INVALID_TOKEN);
      assertThat(d.violation()).isFalse();
    }
    assertThat(verified).hasSize(ApiKey.MAX_LENGTH - ApiKey.MIN_LENGTH + 3);
  }

  @Test
  void aKeyShapedBearerCredentialIsCrossPlaneEvenWithABadChecksum() {
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    String badChecksum = key.substring(0, key.length() - 1) + (key.endsWith("0") ? "1" : "0");
    assertThat(ApiKey.defect(badChecksum)).isEqualTo(Detail.BAD_CHECKSUM);
    Enforcer enforcer = enforcer(Duration.ofSeconds(5));
    for (String value : List.of(key, badChecksum)) {
      Decision d = enforcer.decide(human("Bearer " + value));
      assertThat(d.reason()).isEqualTo(Reason.CROSS_PLANE_CREDENTIAL);
      assertThat(d.violation()).isTrue();
    }
    assertThat(verified).isEmpty();
  }

  @Test
  void retryAfterIsGivenWith503AnswersOnly() {
    Enforcer enforcer = enforcer(Duration.ofSeconds(30));
    Decision unavailable =
        enforcer.decide(
            InboundRequest.of("GET", "/api/v1/runs/1", Map.of("X-AOS-Key", List.of("any"))));
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.retryAfterSeconds()).isEqualTo(30);

    Decision invalid = enforcer.decide(human("Bearer eyJa.b.c"));
    assertThat(invalid.status()).isEqualTo(401);
    assertThat(invalid.retryAfterSeconds()).isZero();
    Decision unmapped = enforcer.decide(InboundRequest.of("GET", "/nowhere", Map.of()));
    assertThat(unmapped.retryAfterSeconds()).isZero();
    Decision allowed = enforcer.decide(InboundRequest.of("GET", "/healthz", Map.of()));
    assertThat(allowed.retryAfterSeconds()).isZero();

    Decision atLeastOneSecond =
        enforcer(Duration.ZERO)
            .decide(
                InboundRequest.of("GET", "/api/v1/runs/1", Map.of("X-AOS-Key", List.of("any"))));
    assertThat(atLeastOneSecond.retryAfterSeconds()).isEqualTo(1);
  }
}

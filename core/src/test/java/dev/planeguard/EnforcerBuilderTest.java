package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.keys.KeyVerifier;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@link Enforcer.Builder#build()} refuses, one problem at a time: each missing piece is
 * reported as a {@link ConfigurationException} naming exactly that problem (never a
 * NullPointerException from a later check), and each limit is checked on both sides.
 */
class EnforcerBuilderTest {

  static final Policy PUBLIC_ONLY = Policy.parse("public /healthz\n", "p.policy");
  static final Contract PROD = Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"));
  static final KeyVerifier NO_KEYS =
      (key, kind, mode) -> Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID);

  static Enforcer.Builder complete() {
    return Enforcer.builder().contract(PROD).policy(PUBLIC_ONLY).auditSink(event -> {});
  }

  static void assertProblems(Enforcer.Builder builder, String... subjects) {
    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.problems()).extracting(Problem::subject).containsExactly(subjects));
  }

  @Test
  void aCompleteConfigurationBuilds() {
    Enforcer enforcer = complete().build();
    assertThat(enforcer.contract()).isSameAs(PROD);
    assertThat(enforcer.policy()).isSameAs(PUBLIC_ONLY);
    assertThat(enforcer.machineKeyHeader()).isEqualTo("X-AOS-Key");
    assertThat(enforcer.sandboxKeyHeader()).isEqualTo("X-AOS-Customer-Key");
    Enforcer renamed =
        complete().machineKeyHeader("X-Api-Key").sandboxKeyHeader("X-Sandbox").build();
    assertThat(renamed.machineKeyHeader()).isEqualTo("X-Api-Key");
    assertThat(renamed.sandboxKeyHeader()).isEqualTo("X-Sandbox");
  }

  @Test
  void eachMissingRequiredPieceIsNamedAlone() {
    assertProblems(Enforcer.builder().policy(PUBLIC_ONLY), "contract");
    assertProblems(Enforcer.builder().contract(PROD), "policy");
    assertProblems(Enforcer.builder(), "contract", "policy");
  }

  @Test
  void withoutAContractTheOtherChecksStillReportInsteadOfFailing() {
    HumanIssuer issuer =
        HumanIssuer.builder("https://auth.example.com")
            .jwksUri(URI.create("https://auth.example.com/jwks"))
            .audiences("a")
            .build();
    try (JwtVerifier jwt = JwtVerifier.builder().issuer(issuer).mode(Mode.PROD).build()) {
      assertProblems(
          Enforcer.builder()
              .policy(Policy.parse("human /a\nmachine /b\n", "p.policy"))
              .tokenVerifier(jwt)
              .machineKeyVerifier(NO_KEYS)
              .sandboxKeyVerifier(NO_KEYS),
          "contract");
    }
  }

  @Test
  void sandboxKeysInAProductionModeAreRefusedWithAFixForThatMode() {
    assertThatThrownBy(complete().sandboxKeyVerifier(NO_KEYS)::build)
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.subject()).isEqualTo("sandbox keys");
                          assertThat(p.fix())
                              .isEqualTo(
                                  "remove the sandbox key configuration: sandbox keys never work in"
                                      + " prod");
                        }));
  }

  @Test
  void bothKeyHeaderNamesAreChecked() {
    assertProblems(complete().machineKeyHeader("X AOS Key"), "machine key header");
    assertProblems(complete().machineKeyHeader(""), "machine key header");
    assertProblems(complete().machineKeyHeader("x".repeat(65)), "machine key header");
    assertThat(complete().machineKeyHeader("x".repeat(64)).build().machineKeyHeader()).hasSize(64);
    assertProblems(complete().sandboxKeyHeader("X:Sandbox"), "sandbox key header");
  }

  @Test
  void theTenantHeaderMayNotDoubleAsAnotherHeader() {
    Contract tenantIsTheKeyHeader =
        Contract.parse(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon", "TENANT_HEADER", "x-aos-key"));
    assertProblems(complete().contract(tenantIsTheKeyHeader), "x-aos-key");
    Contract tenantIsAuthorization =
        Contract.parse(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon", "TENANT_HEADER", "AUTHORIZATION"));
    assertProblems(complete().contract(tenantIsAuthorization), "AUTHORIZATION");
    assertProblems(complete().sandboxKeyHeader("X-AOS-Tenant"), "X-AOS-Tenant");
  }

  @Test
  void retryAfterIsBetweenOneSecondAndOneHour() {
    assertThat(complete().retryAfter(Duration.ofHours(1)).build()).isNotNull();
    assertThat(complete().retryAfter(Duration.ZERO).build()).isNotNull(); // taken as 1 second
    assertProblems(complete().retryAfter(Duration.ofSeconds(3601)), "retryAfter");
    assertProblems(complete().retryAfter(Duration.ofHours(2)), "retryAfter");
    assertProblems(complete().retryAfter(Duration.ofSeconds(-1)), "retryAfter");
    assertProblems(complete().retryAfter(Duration.ofMillis(-1)), "retryAfter");
  }
}

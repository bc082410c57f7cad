package dev.planeguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.planeguard.AuditEvent;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Problem;
import dev.planeguard.Reason;
import dev.planeguard.test.TestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Human issuers limited to modes, through {@link Enforcer#decide} with really signed tokens: the
 * staging identity project serves test and preprod, the production one prod.
 */
class IssuerModesEngineTest {

  static final Policy POLICY = Policy.parse("human /api/v1/accounts/**\n", "test.policy");

  @TempDir static Path dir;
  static TestIssuer staging;
  static TestIssuer production;
  static Path stagingJwks;
  static Path productionJwks;

  @BeforeAll
  static void start() throws Exception {
    staging =
        TestIssuer.builder()
            .issuerId("https://staging.auth.example.test")
            .audience("accounts-api")
            .start();
    production =
        TestIssuer.builder().issuerId("https://auth.example.test").audience("accounts-api").start();
    // file: key sets: prod refuses the test issuers' plain-http JWKS endpoints.
    stagingJwks = dir.resolve("staging-jwks.json");
    Files.writeString(stagingJwks, staging.publicJwks().toString());
    productionJwks = dir.resolve("production-jwks.json");
    Files.writeString(productionJwks, production.publicJwks().toString());
  }

  @AfterAll
  static void stop() {
    staging.close();
    production.close();
  }

  static HumanIssuer stagingIssuer(Mode... modes) {
    return HumanIssuer.builder(staging.issuerId())
        .jwksFile(stagingJwks)
        .audiences("accounts-api")
        .modes(modes)
        .build();
  }

  static HumanIssuer productionIssuer() {
    return HumanIssuer.builder(production.issuerId())
        .jwksFile(productionJwks)
        .audiences("accounts-api")
        .modes(Mode.PROD)
        .build();
  }

  static Enforcer enforcer(Mode mode, JwtVerifier verifier, List<AuditEvent> audit) {
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", mode.id(), "DB_AUTHORITY", "neon")))
        .policy(POLICY)
        .tokenVerifier(verifier)
        .machineKeyVerifier(
            (k, kind, m) -> {
              throw new AssertionError("no machine route");
            })
        .auditSink(audit::add)
        .build();
  }

  static Decision decide(Enforcer enforcer, String token) {
    return enforcer.decide(
        InboundRequest.of(
            "GET", "/api/v1/accounts/me", Map.of("Authorization", List.of("Bearer " + token))));
  }

  @Test
  void aStagingTokenIsAcceptedInTestAndWrongIssuerInProd() {
    String stagingToken = staging.token().sign();
    String productionToken = production.token().sign();
    List<AuditEvent> audit = new ArrayList<>();
    try (JwtVerifier test =
        JwtVerifier.builder()
            .issuer(stagingIssuer(Mode.TEST, Mode.PREPROD))
            .issuer(productionIssuer())
            .mode(Mode.TEST)
            .build()) {
      Enforcer enforcer = enforcer(Mode.TEST, test, audit);
      Decision accepted = decide(enforcer, stagingToken);
      assertThat(accepted.status()).isEqualTo(200);
      assertThat(accepted.reason()).isEqualTo(Reason.AUTHENTICATED);
      // The production issuer is not trusted in test.
      Decision refused = decide(enforcer, productionToken);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.detail()).isEqualTo(Detail.WRONG_ISSUER);
    }
    audit.clear();
    try (JwtVerifier prod =
        JwtVerifier.builder()
            .issuer(stagingIssuer(Mode.TEST, Mode.PREPROD))
            .issuer(productionIssuer())
            .mode(Mode.PROD)
            .build()) {
      assertThat(prod.issuers()).hasSize(2);
      Enforcer enforcer = enforcer(Mode.PROD, prod, audit);
      Decision refused = decide(enforcer, stagingToken);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.reason()).isEqualTo(Reason.INVALID_TOKEN);
      assertThat(refused.detail()).isEqualTo(Detail.WRONG_ISSUER);
      assertThat(refused.principal()).isNull();
      assertThat(audit)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.INVALID_TOKEN);
                assertThat(e.detail()).isEqualTo(Detail.WRONG_ISSUER);
              });
      assertThat(decide(enforcer, productionToken).reason()).isEqualTo(Reason.AUTHENTICATED);
      // The staging issuer's keys are never fetched in prod: it is not among the verifier's.
      assertThat(prod.unavailableIssuers()).isEmpty();
    }
  }

  @Test
  void anIssuerForLocalAndTestOnlyIsRefusedAtStartupInPreprodAndProd() {
    for (Mode mode : List.of(Mode.PREPROD, Mode.PROD)) {
      ConfigurationException e =
          catchThrowableOfType(
              ConfigurationException.class,
              () ->
                  JwtVerifier.builder()
                      .issuer(stagingIssuer(Mode.LOCAL, Mode.TEST))
                      .issuer(productionIssuer())
                      .mode(mode)
                      .build());
      assertThat(e).as("refused in %s", mode).isNotNull();
      assertThat(e.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.subject()).isEqualTo("human issuer \"" + staging.issuerId() + "\"");
                assertThat(p.message())
                    .isEqualTo(
                        "is limited to local, test, which AOS_MODE="
                            + mode.id()
                            + " does not allow (a development or test identity provider has no"
                            + " place here)");
                assertThat(p.fix()).contains("add " + mode.id() + " to its modes");
              });
    }
    // In test it serves.
    try (JwtVerifier test =
        JwtVerifier.builder()
            .issuer(stagingIssuer(Mode.LOCAL, Mode.TEST))
            .mode(Mode.TEST)
            .build()) {
      assertThat(test.issuers()).hasSize(1);
    }
    // An issuer with no mode at all would never accept a token.
    ConfigurationException none =
        catchThrowableOfType(ConfigurationException.class, () -> stagingIssuer());
    assertThat(none.problems())
        .extracting(Problem::message)
        .containsExactly("no mode is given, so no token of this issuer would ever be accepted");
  }
}

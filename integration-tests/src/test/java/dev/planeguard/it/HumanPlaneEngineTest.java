package dev.planeguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.AuditEvent;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Reason;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The human plane through {@link Enforcer#decide}: rows 11, 16 and 17 with a real verifier. */
class HumanPlaneEngineTest {

  static final String APP = "https://app.example.test";
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final ManualClock CLOCK = new ManualClock(T0);
  static final Policy POLICY = Policy.parse("human /api/v1/accounts/**\n", "test.policy");
  static final List<AuditEvent> AUDIT = new ArrayList<>();
  static TestIssuer issuer;
  static JwtVerifier verifier;
  static Enforcer enforcer;

  @BeforeAll
  static void start() {
    issuer = TestIssuer.builder().clock(CLOCK).start();
    verifier =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(issuer.issuerId())
                    .jwksUri(issuer.jwksUri())
                    .audiences(issuer.audience())
                    .authorizedParties(APP)
                    .tenantClaim("org_id")
                    .build())
            .clock(CLOCK)
            .executor(Runnable::run)
            .mode(Mode.TEST)
            .build();
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon")))
            .policy(POLICY)
            .tokenVerifier(verifier)
            .machineKeyVerifier(
                (k, kind, m) -> {
                  throw new AssertionError("no machine route");
                })
            .auditSink(AUDIT::add)
            .clock(CLOCK)
            .build();
  }

  @AfterAll
  static void stop() {
    verifier.close();
    issuer.close();
  }

  static Decision decide(String token) {
    return enforcer.decide(
        InboundRequest.of(
            "GET", "/api/v1/accounts/me", Map.of("Authorization", List.of("Bearer " + token))));
  }

  static TestIssuer.TokenBuilder good() {
    return issuer.token().authorizedParty(APP);
  }

  /** A really signed token that fails exactly the check named by {@code detail}. */
  static final Map<Detail, Function<TestIssuer, String>> HOSTILE =
      Map.ofEntries(
          Map.entry(Detail.MALFORMED, i -> good().sign() + "="),
          Map.entry(Detail.TOO_LARGE, i -> good().claim("pad", "x".repeat(9000)).sign()),
          Map.entry(
              Detail.BAD_SIGNATURE,
              i -> {
                String[] a = good().sign().split("\\.");
                return a[0] + "." + a[1] + "." + good().subject("other").sign().split("\\.")[2];
              }),
          Map.entry(Detail.DISALLOWED_ALG, i -> good().algorithm(JWSAlgorithm.PS256).sign()),
          Map.entry(Detail.UNKNOWN_KID, i -> good().kid("no-such-kid").sign()),
          Map.entry(Detail.WRONG_ISSUER, i -> good().issuer("https://evil.example.test").sign()),
          Map.entry(Detail.WRONG_AUDIENCE, i -> good().audience("another-api").sign()),
          Map.entry(Detail.WRONG_AZP, i -> issuer.token().sign()),
          Map.entry(
              Detail.EXPIRED,
              i -> good().issuedAt(T0.minusSeconds(3600)).expiresIn(Duration.ofMinutes(5)).sign()),
          Map.entry(Detail.NOT_YET_VALID, i -> good().notBefore(T0.plusSeconds(600)).sign()),
          Map.entry(Detail.IAT_IN_FUTURE, i -> good().issuedAt(T0.plusSeconds(600)).sign()),
          Map.entry(Detail.LIFETIME_TOO_LONG, i -> good().expiresIn(Duration.ofDays(2)).sign()),
          Map.entry(Detail.BAD_TYP, i -> good().type("at+jwt").sign()),
          Map.entry(Detail.BAD_CRIT, i -> good().critical("exp").sign()),
          Map.entry(Detail.MISSING_CLAIM, i -> good().withoutClaim("exp").sign()));

  @ParameterizedTest
  @EnumSource(
      value = Detail.class,
      names = {
        "MALFORMED",
        "TOO_LARGE",
        "BAD_SIGNATURE",
        "DISALLOWED_ALG",
        "UNKNOWN_KID",
        "WRONG_ISSUER",
        "WRONG_AUDIENCE",
        "WRONG_AZP",
        "EXPIRED",
        "NOT_YET_VALID",
        "IAT_IN_FUTURE",
        "LIFETIME_TOO_LONG",
        "BAD_TYP",
        "BAD_CRIT",
        "MISSING_CLAIM"
      })
  void eachTokenCheckIs401InvalidToken(Detail detail) {
    CLOCK.set(T0);
    Decision d = decide(HOSTILE.get(detail).apply(issuer));
    assertThat(d.status()).isEqualTo(401);
    assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(d.detail()).isEqualTo(detail);
    assertThat(d.principal()).isNull();
    assertThat(d.retryAfterSeconds()).isZero();
  }

  @Test
  void anAuthenticatedDecisionCarriesThePrincipal() {
    CLOCK.set(T0);
    Decision d =
        decide(
            good()
                .subject("user_7")
                .sessionId("sess_7")
                .claim("org_id", "org_acme")
                .scope("accounts:read")
                .sign());
    assertThat(d.allowed()).isTrue();
    assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
    HumanPrincipal p = (HumanPrincipal) d.principal();
    assertThat(p.subject()).isEqualTo("user_7");
    assertThat(p.issuer()).isEqualTo(issuer.issuerId());
    assertThat(p.sessionId()).isEqualTo("sess_7");
    assertThat(p.tenant()).isEqualTo("org_acme");
    assertThat(p.scopes()).containsExactly("accounts:read");
    assertThat(AUDIT.get(AUDIT.size() - 1).principalId()).isEqualTo("user_7");
  }

  @Test
  void jwksUnreachableIs503WithRetryAfterNeverAnAllow() {
    try (TestIssuer down = TestIssuer.builder().clock(CLOCK).start();
        JwtVerifier v =
            JwtVerifier.builder()
                .issuer(
                    HumanIssuer.builder(down.issuerId())
                        .jwksUri(down.jwksUri())
                        .audiences(down.audience())
                        .build())
                .clock(CLOCK)
                .executor(Runnable::run)
                .mode(Mode.TEST)
                .build()) {
      Enforcer e =
          Enforcer.builder()
              .contract(Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon")))
              .policy(POLICY)
              .tokenVerifier(v)
              .build();
      down.takeDown();
      Decision d =
          e.decide(
              InboundRequest.of(
                  "GET",
                  "/api/v1/accounts/me",
                  Map.of("Authorization", List.of("Bearer " + down.token().sign()))));
      assertThat(d.status()).isEqualTo(503);
      assertThat(d.reason()).isEqualTo(Reason.VERIFIER_UNAVAILABLE);
      assertThat(d.detail()).isEqualTo(Detail.JWKS_UNAVAILABLE);
      assertThat(d.retryAfterSeconds()).isPositive();
      assertThat(d.allowed()).isFalse();
    }
  }

  @Test
  void productionRefusesAPlainHttpJwksAtStartup() {
    try (JwtVerifier loopbackHttp =
        JwtVerifier.builder()
            .issuer(
                HumanIssuer.builder(issuer.issuerId())
                    .jwksUri(issuer.jwksUri())
                    .audiences(issuer.audience())
                    .build())
            .build()) {
      for (String mode : List.of("prod", "preprod")) {
        assertThatThrownBy(
                () ->
                    Enforcer.builder()
                        .contract(Contract.parse(Map.of("AOS_MODE", mode, "DB_AUTHORITY", "neon")))
                        .policy(POLICY)
                        .tokenVerifier(loopbackHttp)
                        .build())
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("plain http:")
            .hasMessageContaining("AOS_MODE=" + mode);
      }
    }
    assertThatThrownBy(
            () ->
                JwtVerifier.builder()
                    .issuer(
                        HumanIssuer.builder(issuer.issuerId())
                            .jwksUri(issuer.jwksUri())
                            .audiences(issuer.audience())
                            .build())
                    .mode(Mode.PROD)
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).hasSize(2));
  }
}

package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issuer and verifier configuration: defaults, presets, and refusals listing every problem. */
class HumanIssuerTest {

  static final String ISS = "https://auth.example.com";
  static final URI JWKS = URI.create("https://auth.example.com/jwks.json");

  static List<Problem> problems(HumanIssuer.Builder b) {
    try {
      b.build();
    } catch (ConfigurationException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigurationException");
  }

  @Test
  void defaults() {
    HumanIssuer i = HumanIssuer.builder(ISS).jwksUri(JWKS).audiences("api").build();
    assertThat(i.algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
    assertThat(i.allowedTypes()).containsExactly("jwt");
    assertThat(i.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(i.maxLifetime()).isEqualTo(Duration.ofHours(24));
    assertThat(i.requiredClaims()).isEmpty();
    assertThat(i.tenantClaim()).isNull();
    assertThat(i.jwksCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(i.jwksRefreshAhead()).isEqualTo(Duration.ofSeconds(30));
    assertThat(i.jwksRateLimit()).isEqualTo(Duration.ofSeconds(30));
    assertThat(i.jwksOutageTolerance()).isEqualTo(Duration.ofHours(1));
    assertThat(i.jwksTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(i.hasHmacSecret()).isFalse();
  }

  @Test
  void presets() {
    HumanIssuer oidc = HumanIssuer.oidc(ISS + "/").audiences("api").build();
    assertThat(oidc.discovery()).isTrue();
    assertThat(oidc.discoveryUri()).hasToString(ISS + "/.well-known/openid-configuration");
    assertThat(oidc.issuer()).isEqualTo(ISS + "/");
    HumanIssuer clerk =
        HumanIssuer.clerk("https://clerk.example.com")
            .authorizedParties("https://app.example.com")
            .build();
    assertThat(clerk.jwksUri()).hasToString("https://clerk.example.com/.well-known/jwks.json");
    assertThat(clerk.algorithms()).containsExactly("RS256");
    assertThat(clerk.tenantClaim()).isEqualTo("org_id");
    assertThat(problems(HumanIssuer.clerk("https://clerk.example.com").audiences("x")))
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("authorized parties"));
  }

  @Test
  void clockSkewAboveTheHardMaximumIsAnErrorNotClamped() {
    assertThat(
            HumanIssuer.builder(ISS)
                .jwksUri(JWKS)
                .audiences("a")
                .clockSkew(Duration.ofSeconds(120))
                .build()
                .clockSkew())
        .isEqualTo(Duration.ofSeconds(120));
    assertThat(
            problems(
                HumanIssuer.builder(ISS)
                    .jwksUri(JWKS)
                    .audiences("a")
                    .clockSkew(Duration.ofSeconds(121))))
        .hasSize(1);
  }

  @Test
  void everyProblemIsListedAtOnce() {
    List<Problem> p =
        problems(
            HumanIssuer.builder(ISS)
                .algorithms("none", "HS256", "EdDSA")
                .clockSkew(Duration.ofMinutes(5))
                .maxLifetime(Duration.ZERO));
    assertThat(p)
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("none is never accepted"))
        .anyMatch(m -> m.contains("HS256 is listed but no HMAC secret"))
        .anyMatch(m -> m.contains("unsupported algorithm"))
        .anyMatch(m -> m.contains("neither audiences nor authorized parties"))
        .anyMatch(m -> m.contains("clockSkew"))
        .anyMatch(m -> m.contains("maxLifetime"));
  }

  @Test
  void hmacIsANamedOptInWithALongEnoughSecret() {
    HumanIssuer hs = HumanIssuer.builder(ISS).hmacSecret(new byte[32]).audiences("a").build();
    assertThat(hs.algorithms()).containsExactly("HS256");
    assertThat(hs.hasHmacSecret()).isTrue();
    assertThat(hs.toString()).doesNotContain("AAAA").contains("hmacSecret=<set>");
    assertThat(problems(HumanIssuer.builder(ISS).hmacSecret(new byte[31]).audiences("a")))
        .hasSize(1);
    assertThat(
            problems(
                HumanIssuer.builder(ISS)
                    .hmacSecret(new byte[32])
                    .algorithms("HS384")
                    .audiences("a")))
        .hasSize(1);
    assertThat(
            problems(
                HumanIssuer.builder(ISS)
                    .hmacSecret(new byte[64])
                    .algorithms("RS256")
                    .audiences("a")))
        .extracting(Problem::message)
        .anyMatch(m -> m.contains("no HS algorithm"));
  }

  @Test
  void keyLocationRules() {
    assertThat(problems(HumanIssuer.builder(ISS).audiences("a"))).hasSize(1);
    assertThat(
            problems(HumanIssuer.builder(ISS).jwksUri(URI.create("ftp://x/jwks")).audiences("a")))
        .hasSize(1);
    assertThat(problems(HumanIssuer.oidc("not a url").audiences("a"))).isNotEmpty();
    assertThat(
            problems(
                HumanIssuer.builder(ISS)
                    .jwksUri(JWKS)
                    .audiences("a")
                    .jwksCacheTtl(Duration.ofSeconds(20))))
        .isNotEmpty();
  }

  @Test
  void verifierRulesPerMode() {
    HumanIssuer http =
        HumanIssuer.builder("http://auth.example.com")
            .jwksUri(URI.create("http://auth.example.com/jwks"))
            .audiences("a")
            .build();
    assertThatThrownBy(() -> JwtVerifier.builder().issuer(http).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not a loopback address");
    assertThatThrownBy(() -> JwtVerifier.builder().issuer(http).mode(Mode.PREPROD).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AOS_MODE=preprod");
    JwtVerifier.builder().issuer(http).mode(Mode.TEST).build().close();
    HumanIssuer one = HumanIssuer.builder(ISS).jwksUri(JWKS).audiences("a").build();
    assertThatThrownBy(() -> JwtVerifier.builder().issuer(one).issuer(one).build())
        .hasMessageContaining("configured twice");
    assertThatThrownBy(() -> JwtVerifier.builder().build()).hasMessageContaining("no issuer");
    try (JwtVerifier v = JwtVerifier.builder().issuer(one).mode(Mode.PROD).build()) {
      assertThat(v.problemsIn(Mode.PROD)).isEmpty();
      assertThat(v.verify("x".repeat(8193)))
          .isEqualTo(new Verification.Rejected(Reason.INVALID_TOKEN, Detail.TOO_LARGE));
      assertThat(v.verify("a.b"))
          .isEqualTo(new Verification.Rejected(Reason.INVALID_TOKEN, Detail.MALFORMED));
    }
  }

  static final String APP = "https://app.example.com";
  static final String CLERK = "https://clerk.example.com";

  static List<Problem> verifierProblems(HumanIssuer issuer, Mode mode) {
    try (JwtVerifier v = JwtVerifier.builder().issuer(issuer).mode(mode).build()) {
      throw new AssertionError("expected a ConfigurationException, got " + v);
    } catch (ConfigurationException e) {
      return e.problems();
    }
  }

  static Problem noAudience(String issuer, String mode) {
    return new Problem(
        "human issuer \"" + issuer + "\"",
        "no audience is configured (authorized parties name the client, not this API), so tokens"
            + " minted for any API of this issuer would be accepted, which AOS_MODE="
            + mode
            + " does not allow",
        "configure the audience this service accepts (planeguard.human.audiences or"
            + " planeguard.human.additional-issuers[n].audiences, or HumanIssuer.Builder.audiences)");
  }

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"PREPROD", "PROD"})
  void inProductionAnIssuerWithoutAnAudienceIsRefused(Mode mode) {
    HumanIssuer oidc = HumanIssuer.oidc(ISS).authorizedParties(APP).build();
    HumanIssuer file =
        HumanIssuer.builder(ISS + "/file").jwksUri(JWKS).authorizedParties(APP).build();
    assertThat(verifierProblems(oidc, mode)).containsExactly(noAudience(ISS, mode.id()));
    assertThat(verifierProblems(file, mode)).containsExactly(noAudience(ISS + "/file", mode.id()));
    // A verifier built without a mode is checked again by the Enforcer, in the contract's mode.
    try (JwtVerifier v = JwtVerifier.builder().issuer(oidc).issuer(file).build()) {
      assertThat(v.problemsIn(mode))
          .containsExactly(noAudience(ISS, mode.id()), noAudience(ISS + "/file", mode.id()));
      Enforcer.Builder enforcer =
          Enforcer.builder()
              .contract(Contract.parse(Map.of("AOS_MODE", mode.id(), "DB_AUTHORITY", "neon")))
              .policy(EnforcerTest.POLICY)
              .tokenVerifier(v)
              .machineKeyVerifier(EnforcerTest.UNREACHABLE_KEYS);
      assertThatThrownBy(enforcer::build)
          .isInstanceOfSatisfying(
              ConfigurationException.class,
              e ->
                  assertThat(e.problems())
                      .containsExactly(
                          noAudience(ISS, mode.id()), noAudience(ISS + "/file", mode.id())));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"LOCAL", "TEST"})
  void outsideProductionAnAuthorizedPartyAloneIsEnough(Mode mode) {
    HumanIssuer oidc = HumanIssuer.oidc(ISS).authorizedParties(APP).build();
    try (JwtVerifier v = JwtVerifier.builder().issuer(oidc).mode(mode).build()) {
      assertThat(v.problemsIn(mode)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anIssuerWithAnAudienceIsAcceptedInEveryMode(Mode mode) {
    HumanIssuer oidc = HumanIssuer.oidc(ISS).audiences("orders-api").build();
    HumanIssuer both =
        HumanIssuer.builder(ISS + "/file")
            .jwksUri(JWKS)
            .audiences("orders-api")
            .authorizedParties(APP)
            .build();
    try (JwtVerifier v = JwtVerifier.builder().issuer(oidc).issuer(both).mode(mode).build()) {
      assertThat(v.problemsIn(mode)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"PREPROD", "PROD"})
  void inProductionClerkIsBoundByItsAuthorizedParties(Mode mode) {
    HumanIssuer clerk = HumanIssuer.clerk(CLERK).authorizedParties(APP).build();
    try (JwtVerifier v = JwtVerifier.builder().issuer(clerk).mode(mode).build()) {
      assertThat(v.problemsIn(mode)).isEmpty();
    }
    assertThat(problems(HumanIssuer.clerk(CLERK)))
        .containsExactly(
            new Problem(
                "human issuer \"" + CLERK + "\"",
                "neither audiences nor authorized parties are configured, so any token of this issuer"
                    + " would be accepted by this service",
                "call audiences(...) or authorizedParties(...)"),
            new Problem(
                "human issuer \"" + CLERK + "\"",
                "Clerk tokens need authorized parties (azp)",
                "configure the origin of your app, e.g. https://app.example.com"
                    + " (planeguard.human.authorized-parties, or HumanIssuer.Builder.authorizedParties)"));
    // An audience does not replace them: Clerk session tokens carry no aud.
    assertThat(problems(HumanIssuer.clerk(CLERK).audiences("orders-api")))
        .extracting(Problem::message)
        .containsExactly("Clerk tokens need authorized parties (azp)");
  }
}

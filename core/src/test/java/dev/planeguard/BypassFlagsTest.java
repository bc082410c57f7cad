package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ContractSpec.BypassFlag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bypass-flag registry: the seed's defaults, changes in code, additions from the environment.
 */
class BypassFlagsTest {

  static Map<String, String> env(String mode, String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  static List<String> violations(ContractSpec spec, Map<String, String> env) {
    try {
      spec.parse(env);
      return List.of();
    } catch (ConfigurationException e) {
      return e.problems().stream().map(Problem::subject).toList();
    }
  }

  @Test
  void theDefaultsAreTheSeedsFiveFlags() {
    assertThat(ContractSpec.standard().bypassFlags())
        .containsExactly(
            new BypassFlag("DEV_AUTH_ENABLED", true),
            new BypassFlag("JWT_ALLOW_DEV_TOKEN", true),
            new BypassFlag("RBAC_FAIL_OPEN", true),
            new BypassFlag("JWT_VERIFY_SIGNATURE", false),
            new BypassFlag("OIDC_VERIFY_SSL", false));
    assertThat(ContractSpec.standard().bypassFlagsVariable()).isEqualTo("PLANEGUARD_BYPASS_FLAGS");
  }

  @Test
  void codeAddsReplacesAndRemovesFlags() {
    ContractSpec spec =
        ContractSpec.builder()
            .bypassFlag(new BypassFlag("SKIP_AUTH", true))
            .bypassFlag(
                new BypassFlag("OIDC_VERIFY_SSL", true)) // replaces: now "true" is the bypass
            .removeBypassFlag("RBAC_FAIL_OPEN")
            .removeBypassFlag("NOT_A_FLAG")
            .build();
    assertThat(spec.bypassFlags())
        .extracting(BypassFlag::name)
        .containsExactly(
            "DEV_AUTH_ENABLED",
            "JWT_ALLOW_DEV_TOKEN",
            "JWT_VERIFY_SIGNATURE",
            "OIDC_VERIFY_SSL",
            "SKIP_AUTH");
    assertThat(violations(spec, env("prod", "SKIP_AUTH", "yes"))).containsExactly("SKIP_AUTH");
    assertThat(violations(spec, env("prod", "RBAC_FAIL_OPEN", "true"))).isEmpty();
    assertThat(violations(spec, env("prod", "OIDC_VERIFY_SSL", "false"))).isEmpty();
    assertThat(violations(spec, env("prod", "OIDC_VERIFY_SSL", "true")))
        .containsExactly("OIDC_VERIFY_SSL");
    // The standard spec is unchanged.
    assertThat(violations(ContractSpec.standard(), env("prod", "RBAC_FAIL_OPEN", "true")))
        .containsExactly("RBAC_FAIL_OPEN");
    assertThat(spec.toBuilder().build().bypassFlags()).isEqualTo(spec.bypassFlags());
  }

  @Test
  void theEnvironmentAddsFlagsWithoutCode() {
    Map<String, String> prod =
        env(
            "prod",
            "PLANEGUARD_BYPASS_FLAGS",
            " SKIP_AUTH:truthy, VERIFY_TLS:FALSY\tLEGACY_LOGIN:truthy ",
            "SKIP_AUTH",
            "1",
            "VERIFY_TLS",
            "off",
            "LEGACY_LOGIN",
            "false");
    assertThat(violations(ContractSpec.standard(), prod))
        .containsExactly("SKIP_AUTH", "VERIFY_TLS");

    Contract local =
        Contract.parse(
            env("local", "PLANEGUARD_BYPASS_FLAGS", "SKIP_AUTH:truthy", "SKIP_AUTH", "on"));
    assertThat(local.warnings())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("SKIP_AUTH");
              assertThat(p.message())
                  .contains("switches verification off")
                  .contains("refused in preprod and prod");
            });
    // A declared flag that is not set is fine.
    assertThat(
            violations(
                ContractSpec.standard(),
                env("prod", "PLANEGUARD_BYPASS_FLAGS", "SKIP_AUTH:truthy")))
        .isEmpty();
  }

  @Test
  void theEnvironmentCannotRemoveOrInvertAFlag() {
    // Declaring a default flag again with the same sense changes nothing.
    assertThat(
            violations(
                ContractSpec.standard(),
                env(
                    "prod",
                    "PLANEGUARD_BYPASS_FLAGS",
                    "RBAC_FAIL_OPEN:truthy",
                    "RBAC_FAIL_OPEN",
                    "false")))
        .isEmpty();
    // Declaring it with the other sense is refused, and the declared flag still applies.
    Map<String, String> inverted =
        env("prod", "PLANEGUARD_BYPASS_FLAGS", "RBAC_FAIL_OPEN:falsy", "RBAC_FAIL_OPEN", "true");
    assertThatThrownBy(() -> ContractSpec.standard().parse(inverted))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(Problem::subject)
                  .containsExactly("PLANEGUARD_BYPASS_FLAGS", "RBAC_FAIL_OPEN");
              assertThat(e.problems().get(0).message())
                  .isEqualTo(
                      "entry RBAC_FAIL_OPEN:falsy contradicts the declared bypass flag RBAC_FAIL_OPEN:truthy");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"SKIP_AUTH", "SKIP_AUTH:yes", ":truthy", "SKIP AUTH:truthy", "1SKIP:falsy"})
  void aMalformedEntryIsAViolationInEveryMode(String entry) {
    for (String mode : List.of("local", "prod")) {
      assertThatThrownBy(
              () ->
                  ContractSpec.standard()
                      .parse(env(mode, "PLANEGUARD_BYPASS_FLAGS", entry + ",OK:truthy")))
          .isInstanceOfSatisfying(
              ConfigurationException.class,
              e ->
                  assertThat(e.problems())
                      .extracting(Problem::subject)
                      .contains("PLANEGUARD_BYPASS_FLAGS"));
    }
  }

  @Test
  void theVariableCanBeRenamed() {
    ContractSpec spec = ContractSpec.builder().bypassFlagsVariable("APP_BYPASS_FLAGS").build();
    assertThat(violations(spec, env("prod", "APP_BYPASS_FLAGS", "X:truthy", "X", "true")))
        .containsExactly("X");
    assertThat(violations(spec, env("prod", "PLANEGUARD_BYPASS_FLAGS", "X:truthy", "X", "true")))
        .isEmpty();
    assertThatThrownBy(() -> ContractSpec.builder().bypassFlagsVariable("bad name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseAndToStringRoundTrip() {
    BypassFlag flag = BypassFlag.parse(" SKIP_AUTH : Truthy ");
    assertThat(flag).isEqualTo(new BypassFlag("SKIP_AUTH", true));
    assertThat(flag).hasToString("SKIP_AUTH:truthy");
    assertThat(BypassFlag.parse(new BypassFlag("VERIFY", false).toString()))
        .isEqualTo(new BypassFlag("VERIFY", false));
    assertThatThrownBy(() -> BypassFlag.parse("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not NAME:truthy or NAME:falsy: \"nope\"");
  }
}

package dev.planeguard;

import static dev.planeguard.ContractSpec.BypassFlag.Sense.FALSY;
import static dev.planeguard.ContractSpec.BypassFlag.Sense.SET;
import static dev.planeguard.ContractSpec.BypassFlag.Sense.TRUTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.planeguard.ContractSpec.BypassFlag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bypass-flag registry: the built-in defaults, changes in code, additions from the environment.
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
  void theDefaultsAreTheRegistry() {
    assertThat(ContractSpec.standard().bypassFlags())
        .containsExactly(
            new BypassFlag("DEV_AUTH_ENABLED", TRUTHY),
            new BypassFlag("JWT_ALLOW_DEV_TOKEN", TRUTHY),
            new BypassFlag("RBAC_FAIL_OPEN", TRUTHY),
            new BypassFlag("AOS_USE_LEGACY_AUTH", TRUTHY),
            new BypassFlag("JWT_VERIFY_SIGNATURE", FALSY),
            new BypassFlag("OIDC_VERIFY_SSL", FALSY),
            new BypassFlag("RBAC_ENFORCE", FALSY),
            new BypassFlag("AUTH_GATEWAY_REQUIRED", FALSY),
            new BypassFlag("JWT_DEV_SECRET", SET),
            new BypassFlag("DEV_DEFAULT_ROLE", SET),
            new BypassFlag("RBAC_SHADOW_AUDIT", TRUTHY),
            new BypassFlag("*_SHADOW_*", TRUTHY),
            new BypassFlag("*_SHADOW", TRUTHY),
            new BypassFlag("*_REPORT_ONLY", TRUTHY));
    assertThat(ContractSpec.standard().bypassFlagsVariable()).isEqualTo("PLANEGUARD_BYPASS_FLAGS");
  }

  @Test
  void eachNewFlagIsAViolationInProdAndPreprodAndAWarningInLocalAndTest() {
    List<List<String>> unsafe =
        List.of(
            List.of("AOS_USE_LEGACY_AUTH", "true"),
            List.of("RBAC_ENFORCE", "false"),
            List.of("AUTH_GATEWAY_REQUIRED", "0"),
            List.of("ENFORCE_TENANCY", "false"),
            List.of("JWT_DEV_SECRET", "x"),
            List.of("DEV_DEFAULT_ROLE", "admin"),
            List.of("RBAC_SHADOW_AUDIT", "on"),
            List.of("AUTHZ_SHADOW_MODE", "yes"),
            List.of("AUTHZ_SHADOW", "1"),
            List.of("RBAC_REPORT_ONLY", "TRUE"));
    for (List<String> flag : unsafe) {
      String name = flag.get(0);
      for (String mode : List.of("preprod", "prod")) {
        ConfigurationException e =
            catchThrowableOfType(
                ConfigurationException.class,
                () -> ContractSpec.standard().parse(env(mode, name, flag.get(1))));
        assertThat(e).as("%s in %s", flag, mode).isNotNull();
        assertThat(e.problems())
            .singleElement()
            .satisfies(
                p -> {
                  assertThat(p.subject()).isEqualTo(name);
                  assertThat(p.message())
                      .contains(name)
                      .endsWith("forbidden with AOS_MODE=" + mode);
                  assertThat(p.fix()).contains(name);
                });
      }
      for (String mode : List.of("local", "test")) {
        assertThat(Contract.parse(env(mode, name, flag.get(1))).warnings())
            .as("%s in %s", flag, mode)
            .singleElement()
            .satisfies(
                p -> {
                  assertThat(p.subject()).isEqualTo(name);
                  assertThat(p.message())
                      .endsWith(
                          "tolerated with AOS_MODE=" + mode + " but refused in preprod and prod");
                });
      }
    }
  }

  @Test
  void theMessagesSayWhatEachFlagDoesAndHowToFixIt() {
    Map<String, Problem> byName = new HashMap<>();
    ContractSpec.standard()
        .parse(
            env(
                "test",
                "ENFORCE_TENANCY",
                "false",
                "JWT_DEV_SECRET",
                "dev-secret-value-123",
                "RBAC_SHADOW_AUDIT",
                "true",
                "AUTHZ_REPORT_ONLY",
                "yes",
                "RBAC_ENFORCE",
                "off"))
        .warnings()
        .forEach(p -> byName.put(p.subject(), p));
    assertThat(byName.get("ENFORCE_TENANCY").message())
        .startsWith("ENFORCE_TENANCY=false switches the tenant check off;");
    assertThat(byName.get("ENFORCE_TENANCY").fix())
        .isEqualTo("set ENFORCE_TENANCY=true or remove it (true when unset)");
    // A set-at-all flag never shows its value: JWT_DEV_SECRET holds a secret.
    assertThat(byName.get("JWT_DEV_SECRET").message())
        .startsWith("JWT_DEV_SECRET is set, which enables a development bypass;")
        .doesNotContain("dev-secret-value-123");
    assertThat(byName.get("JWT_DEV_SECRET").fix())
        .isEqualTo("remove JWT_DEV_SECRET from the environment");
    assertThat(byName.get("RBAC_SHADOW_AUDIT").message())
        .startsWith("RBAC_SHADOW_AUDIT=true switches verification off;");
    assertThat(byName.get("AUTHZ_REPORT_ONLY").message())
        .startsWith("AUTHZ_REPORT_ONLY=yes turns enforcement into report-only (*_REPORT_ONLY);");
    assertThat(byName.get("RBAC_ENFORCE").message())
        .startsWith("RBAC_ENFORCE=off switches verification off;");
    assertThat(byName).hasSize(5);
  }

  @Test
  void setAtAllMeansANonBlankValue() {
    assertThat(violations(ContractSpec.standard(), env("prod", "DEV_DEFAULT_ROLE", "false")))
        .containsExactly("DEV_DEFAULT_ROLE");
    assertThat(violations(ContractSpec.standard(), env("prod", "DEV_DEFAULT_ROLE", ""))).isEmpty();
    assertThat(violations(ContractSpec.standard(), env("prod", "JWT_DEV_SECRET", " \t"))).isEmpty();
  }

  @Test
  void reportOnlyPatternsMatchNarrowlyAndOnlyATruthyValue() {
    BypassFlag inner = new BypassFlag("*_SHADOW_*", TRUTHY);
    assertThat(inner.isPattern()).isTrue();
    assertThat(inner.matches("RBAC_SHADOW_AUDIT")).isTrue();
    assertThat(inner.matches("A_SHADOW_B_SHADOW_")).isTrue();
    assertThat(inner.matches("SHADOW_AUDIT")).isFalse(); // nothing before
    assertThat(inner.matches("_SHADOW_")).isFalse();
    assertThat(inner.matches("RBAC_SHADOW_")).isFalse(); // nothing after
    assertThat(inner.matches("RBAC_shadow_AUDIT")).isFalse(); // names are case-sensitive
    assertThat(inner.matches("RBAC_SHADOWED_AUDIT")).isFalse();
    BypassFlag suffix = new BypassFlag("*_REPORT_ONLY", TRUTHY);
    assertThat(suffix.matches("AUTHZ_REPORT_ONLY")).isTrue();
    assertThat(suffix.matches("_REPORT_ONLY")).isFalse();
    assertThat(suffix.matches("AUTHZ_REPORT_ONLY_X")).isFalse();
    BypassFlag prefix = new BypassFlag("SKIP_*", TRUTHY);
    assertThat(prefix.matches("SKIP_AUTH")).isTrue();
    assertThat(prefix.matches("SKIP_")).isFalse();
    assertThat(new BypassFlag("SKIP_AUTH", TRUTHY).isPattern()).isFalse();
    assertThat(new BypassFlag("SKIP_AUTH", TRUTHY).matches("SKIP_AUTH_2")).isFalse();

    // A pattern can match a variable that is no switch: only a truthy value counts, and a value
    // that is not a boolean is left alone (a named flag would count it as the bypass).
    assertThat(
            violations(
                ContractSpec.standard(),
                env(
                    "prod",
                    "FEATURE_SHADOW_PATH",
                    "/var/shadow",
                    "AUTHZ_SHADOW",
                    "off",
                    "SHADOW_MODE",
                    "true",
                    "BILLING_REPORT_ONLY",
                    "maybe")))
        .isEmpty();
    // A variable that a name and a pattern both cover is reported once.
    assertThat(violations(ContractSpec.standard(), env("prod", "RBAC_SHADOW_AUDIT", "1")))
        .containsExactly("RBAC_SHADOW_AUDIT");
    assertThat(violations(ContractSpec.standard(), env("prod", "RBAC_SHADOW_AUDIT", "maybe")))
        .containsExactly("RBAC_SHADOW_AUDIT");
    // Every matching variable is reported, in name order within a pattern.
    assertThat(
            violations(
                ContractSpec.standard(),
                env("prod", "Z_SHADOW_X", "yes", "B_SHADOW_Y", "true", "A_SHADOW", "on")))
        .containsExactly("B_SHADOW_Y", "Z_SHADOW_X", "A_SHADOW");
    assertThat(ContractSpec.standard().variables(env("prod", "Z_SHADOW_X", "yes", "OTHER", "1")))
        .contains("Z_SHADOW_X", "RBAC_SHADOW_AUDIT", "JWT_DEV_SECRET")
        .doesNotContain("OTHER", "*_SHADOW_*");
  }

  @Test
  void aPatternOrASetFlagCanBeDeclaredInTheEnvironment() {
    Map<String, String> prod =
        env(
            "prod",
            "PLANEGUARD_BYPASS_FLAGS",
            "LEGACY_*:truthy,DEV_TOKEN:set",
            "LEGACY_LOGIN",
            "on",
            "DEV_TOKEN",
            "anything");
    assertThat(violations(ContractSpec.standard(), prod))
        .containsExactly("LEGACY_LOGIN", "DEV_TOKEN");
    assertThat(ContractSpec.standard().variables(prod)).contains("LEGACY_LOGIN", "DEV_TOKEN");
    // A pattern cannot be a set-at-all flag: it would refuse every variable it matches.
    assertThat(
            violations(ContractSpec.standard(), env("local", "PLANEGUARD_BYPASS_FLAGS", "X_*:set")))
        .containsExactly("PLANEGUARD_BYPASS_FLAGS");
    assertThatThrownBy(() -> new BypassFlag("X_*", SET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a name pattern cannot be a set-at-all flag: \"X_*\"");
    assertThatThrownBy(() -> new BypassFlag("*X*Y", TRUTHY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BypassFlag("*", TRUTHY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void codeAddsReplacesAndRemovesFlags() {
    ContractSpec spec =
        ContractSpec.builder()
            .bypassFlag(new BypassFlag("SKIP_AUTH", TRUTHY))
            .bypassFlag(
                new BypassFlag("OIDC_VERIFY_SSL", TRUTHY)) // replaces: now "true" is the bypass
            .removeBypassFlag("RBAC_FAIL_OPEN")
            .removeBypassFlag("NOT_A_FLAG")
            .build();
    assertThat(spec.bypassFlags())
        .extracting(BypassFlag::name)
        .containsExactly(
            "DEV_AUTH_ENABLED",
            "JWT_ALLOW_DEV_TOKEN",
            "AOS_USE_LEGACY_AUTH",
            "JWT_VERIFY_SIGNATURE",
            "OIDC_VERIFY_SSL",
            "RBAC_ENFORCE",
            "AUTH_GATEWAY_REQUIRED",
            "JWT_DEV_SECRET",
            "DEV_DEFAULT_ROLE",
            "RBAC_SHADOW_AUDIT",
            "*_SHADOW_*",
            "*_SHADOW",
            "*_REPORT_ONLY",
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
    assertThat(flag).isEqualTo(new BypassFlag("SKIP_AUTH", TRUTHY));
    assertThat(flag).hasToString("SKIP_AUTH:truthy");
    for (BypassFlag f :
        List.of(
            new BypassFlag("VERIFY", FALSY),
            new BypassFlag("DEV_TOKEN", SET),
            new BypassFlag("*_SHADOW_*", TRUTHY))) {
      assertThat(BypassFlag.parse(f.toString())).isEqualTo(f);
    }
    assertThat(BypassFlag.parse("DEV_TOKEN:SET")).hasToString("DEV_TOKEN:set");
    assertThatThrownBy(() -> BypassFlag.parse("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not NAME:truthy, NAME:falsy or NAME:set: \"nope\"");
  }
}

package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ContractTest {

  @Test
  void everyCombinationOfTheTableIsJudgedLikeTheDesign() {
    List<ContractOracle.Case> cases = ContractOracle.allCases();
    assertThat(cases).hasSizeGreaterThan(5000);
    int valid = 0;
    for (ContractOracle.Case c : cases) {
      Set<String> expected = c.expectedViolations();
      if (expected.isEmpty()) {
        valid++;
        Contract contract = Contract.parse(c.env());
        assertThat(contract.sandboxAllowed())
            .as("sandbox for %s", c)
            .isEqualTo(c.expectedSandboxAllowed());
        assertThat(contract.warnings().stream().map(Problem::subject).collect(Collectors.toSet()))
            .as("warnings for %s", c)
            .isEqualTo(c.expectedWarnings());
      } else {
        ConfigurationException e =
            catchThrowableOfType(ConfigurationException.class, () -> Contract.parse(c.env()));
        assertThat(e).as("must refuse %s", c).isNotNull();
        assertThat(subjects(e)).as("violations for %s", c).isEqualTo(expected);
        for (Problem p : e.problems()) {
          assertThat(p.fix()).as("fix for %s", p).isNotBlank();
          assertThat(e.getMessage()).contains(p.subject());
        }
      }
    }
    // Every valid pair of the design table appears: 1 + 1 + 1 + 1 modes x roles x sandbox.
    assertThat(valid).isGreaterThan(100);
  }

  @Test
  void prodWithLocalDatabaseAndSandboxNamesAllThreeVariables() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Contract.parse(
                    Map.of(
                        "AOS_MODE", "prod",
                        "DB_AUTHORITY", "local",
                        "CUSTOMER_SANDBOX_ENABLED", "true")));
    assertThat(e.problems()).hasSize(3);
    assertThat(subjects(e)).containsExactly("AOS_MODE", "DB_AUTHORITY", "CUSTOMER_SANDBOX_ENABLED");
    assertThat(e.getMessage())
        .contains("3 problems")
        .contains("DB_AUTHORITY to neon")
        .contains("sandbox auth is forbidden with AOS_MODE=prod");
  }

  @Test
  void nothingSetListsBothRequiredVariables() {
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> Contract.parse(Map.of()));
    assertThat(subjects(e)).containsExactly("AOS_MODE", "DB_AUTHORITY");
    assertThat(e.problems().get(0).fix()).contains("local, test, preprod, prod");
  }

  @Test
  void valuesAreTrimmedAndCaseInsensitive() {
    Contract c =
        Contract.parse(
            Map.of("AOS_MODE", "  PreProd ", "DB_AUTHORITY", "Neon", "DB_ROLE", " REPLICA"));
    assertThat(c.mode()).isEqualTo(Mode.PREPROD);
    assertThat(c.dbAuthority()).isEqualTo(DbAuthority.NEON);
    assertThat(c.dbRole()).isEqualTo(DbRole.REPLICA);
    assertThat(c.debugRoutesEnabled()).isTrue();
    assertThat(c.sandboxAllowed()).isFalse();
  }

  @Test
  void prodHidesDebugRoutesAndForbidsSandbox() {
    Contract c = Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"));
    assertThat(c.debugRoutesEnabled()).isFalse();
    assertThat(c.sandboxAllowed()).isFalse();
    assertThat(c.dbRole()).isNull();
  }

  @Test
  void unknownValuesAreEchoedEscapedAndCapped() {
    String hostile = "prod\n" + "x".repeat(500);
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> Contract.parse(Map.of("AOS_MODE", hostile, "DB_AUTHORITY", "neon")));
    assertThat(e.getMessage())
        .doesNotContain("\nxxx")
        .contains("\\n")
        .doesNotContain("x".repeat(100));
  }

  @Test
  void tenancyDefaultsToEnforcedWithTheDefaultHeader() {
    Contract c = Contract.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon"));
    assertThat(c.enforceTenancy()).isTrue();
    assertThat(c.tenantHeader()).isEqualTo("X-AOS-Tenant");

    Contract custom =
        Contract.parse(
            Map.of(
                "AOS_MODE", "test",
                "DB_AUTHORITY", "neon",
                "ENFORCE_TENANCY", "false",
                "TENANT_HEADER", "X-Org"));
    assertThat(custom.enforceTenancy()).isFalse();
    assertThat(custom.tenantHeader()).isEqualTo("X-Org");

    assertThatThrownBy(
            () ->
                Contract.parse(
                    Map.of(
                        "AOS_MODE", "test",
                        "DB_AUTHORITY", "neon",
                        "ENFORCE_TENANCY", "sometimes",
                        "TENANT_HEADER", "bad header")))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(subjects(e)).containsExactly("ENFORCE_TENANCY", "TENANT_HEADER"));
  }

  @Test
  void aCustomSpecRenamesVariablesAndChangesTheTable() {
    ContractSpec spec =
        ContractSpec.builder()
            .modeVariable("APP_MODE")
            .authorities(Mode.TEST, Set.of(DbAuthority.of("rds")))
            .bypassFlag(
                new ContractSpec.BypassFlag("SKIP_AUTH", ContractSpec.BypassFlag.Sense.TRUTHY))
            .removeBypassFlag("RBAC_FAIL_OPEN")
            .build();
    Contract c =
        spec.parse(Map.of("APP_MODE", "test", "DB_AUTHORITY", "rds", "RBAC_FAIL_OPEN", "true"));
    assertThat(c.dbAuthority().name()).isEqualTo("rds");
    assertThat(c.warnings()).isEmpty();

    assertThatThrownBy(
            () -> spec.parse(Map.of("APP_MODE", "prod", "DB_AUTHORITY", "neon", "SKIP_AUTH", "on")))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(subjects(e)).containsExactly("SKIP_AUTH"));
    assertThatThrownBy(() -> spec.parse(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "rds")))
        .isInstanceOfSatisfying(
            ConfigurationException.class, e -> assertThat(subjects(e)).containsExactly("APP_MODE"));
  }

  @Test
  void noCustomSpecCanAllowSandboxOrProductionDataOutsideProd() {
    assertThatThrownBy(() -> ContractSpec.builder().sandboxModes(Set.of(Mode.LOCAL, Mode.PREPROD)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContractSpec.builder().roles(Mode.TEST, Set.of(DbRole.PROD)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void contractsAreValuesAndPrintNoSecrets() {
    Map<String, String> env = new HashMap<>(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local"));
    assertThat(Contract.parse(env)).isEqualTo(Contract.parse(Map.copyOf(env)));
    env.put("DEV_AUTH_ENABLED", "true");
    Contract withWarning = Contract.parse(env);
    assertThat(withWarning.warnings())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("DEV_AUTH_ENABLED");
              assertThat(p.message()).contains("refused in preprod and prod");
            });
    assertThat(withWarning.toString()).contains("mode=local").doesNotContain("DEV_AUTH");
  }

  static Set<String> subjects(ConfigurationException e) {
    return e.problems().stream()
        .map(Problem::subject)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}

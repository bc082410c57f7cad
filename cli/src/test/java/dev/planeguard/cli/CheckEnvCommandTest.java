package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.ContractOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckEnvCommandTest {

  @Test
  void prodWithLocalDatabaseAndSandboxExitsOneNamingAllThreeProblems() {
    CliRun r =
        CliRun.run(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "local", "CUSTOMER_SANDBOX_ENABLED", "true"),
            "check-env");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("3 violations")
        .contains("- AOS_MODE:")
        .contains("- DB_AUTHORITY:")
        .contains("- CUSTOMER_SANDBOX_ENABLED:");
  }

  @Test
  void theBypassRegistryIsRefusedInProdAndWarnedAboutInTest() {
    Map<String, String> flags =
        Map.of(
            "AOS_USE_LEGACY_AUTH", "true",
            "AUTH_GATEWAY_REQUIRED", "false",
            "ENFORCE_TENANCY", "false",
            "JWT_DEV_SECRET", "cli-dev-secret-4711",
            "BILLING_SHADOW_MODE", "on");
    Map<String, String> prod = new java.util.HashMap<>(flags);
    prod.putAll(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"));
    CliRun r = CliRun.run(prod, "check-env");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("5 violations")
        .contains("- AOS_USE_LEGACY_AUTH: AOS_USE_LEGACY_AUTH=true switches verification off")
        .contains("- AUTH_GATEWAY_REQUIRED:")
        .contains("- ENFORCE_TENANCY: ENFORCE_TENANCY=false switches the tenant check off")
        .contains("- JWT_DEV_SECRET: JWT_DEV_SECRET is set")
        .contains(
            "- BILLING_SHADOW_MODE: BILLING_SHADOW_MODE=on turns enforcement into report-only")
        .doesNotContain("cli-dev-secret-4711");
    assertThat(r.err()).doesNotContain("cli-dev-secret-4711");

    Map<String, String> test = new java.util.HashMap<>(flags);
    test.putAll(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon"));
    CliRun warned = CliRun.run(test, "check-env");
    assertThat(warned.exit()).isZero();
    assertThat(warned.out())
        .contains("AOS_USE_LEGACY_AUTH")
        .contains("ENFORCE_TENANCY")
        .contains("BILLING_SHADOW_MODE")
        .contains("refused in preprod and prod")
        .doesNotContain("cli-dev-secret-4711");
  }

  @Test
  void everyCombinationOfTheTableExitsAsTheDesignSays() throws Exception {
    int valid = 0;
    int invalid = 0;
    for (ContractOracle.Case c : ContractOracle.allCases()) {
      Set<String> expected = c.expectedViolations();
      CliRun r = CliRun.run(c.env(), "check-env", "--json");
      Map<String, Object> json = JSONObjectUtils.parse(r.out());
      if (expected.isEmpty()) {
        valid++;
        assertThat(r.exit()).as("exit for %s", c).isEqualTo(0);
        assertThat(json.get("ok")).isEqualTo(true);
      } else {
        invalid++;
        assertThat(r.exit()).as("exit for %s", c).isEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> violations = (List<Map<String, Object>>) json.get("violations");
        assertThat(violations.stream().map(v -> (String) v.get("subject")).distinct())
            .as("violations for %s", c)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
    assertThat(valid).isGreaterThan(100);
    assertThat(invalid).isGreaterThan(1000);
  }

  @Test
  void textOutputOfAValidContractSaysWhatTheModeAllows() {
    CliRun r =
        CliRun.run(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon", "DB_ROLE", "replica"), "check-env");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("AOS_MODE=prod")
        .contains("DB_ROLE=replica")
        .contains("sandbox=forbidden")
        .contains("debug-routes=404");
  }

  @Test
  void envFilesAreLaidOverTheProcessEnvironmentInOrder(@TempDir Path dir) throws Exception {
    Path first = dir.resolve("base.env");
    Files.writeString(
        first,
        """
        # base
        export AOS_MODE=prod
        DB_AUTHORITY="neon"   # quoted
        CUSTOMER_SANDBOX_ENABLED='true'
        """);
    Path second = dir.resolve("fix.env");
    Files.writeString(second, "CUSTOMER_SANDBOX_ENABLED=false # fixed\nINHERITED_NAME\n");
    Map<String, String> process = Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local");
    assertThat(CliRun.run(process, "check-env").exit()).isZero();
    CliRun broken = CliRun.run(process, "check-env", "--env-file", first.toString());
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.out()).contains("CUSTOMER_SANDBOX_ENABLED").doesNotContain("DB_AUTHORITY:");
    CliRun fixed =
        CliRun.run(process, "check-env", "--env-file", first.toString(), "--env-file=" + second);
    assertThat(fixed.exit()).isZero();
    assertThat(fixed.out()).contains("AOS_MODE=prod");
  }

  @Test
  void malformedOrMissingEnvFilesAreUsageErrors(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.env");
    Files.writeString(bad, "OK=1\nNOT A LINE\n");
    CliRun r = CliRun.run(Map.of(), "check-env", "--env-file", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("bad.env:2");
    assertThat(
            CliRun.run(Map.of(), "check-env", "--env-file", dir.resolve("none.env").toString())
                .exit())
        .isEqualTo(2);
    Path unterminated = dir.resolve("u.env");
    Files.writeString(unterminated, "SECRET=\"abc\n");
    CliRun u = CliRun.run(Map.of(), "check-env", "--env-file", unterminated.toString(), "--json");
    assertThat(u.exit()).isEqualTo(2);
    assertThat(u.out()).contains("\"error\":\"usage\"").doesNotContain("abc");
  }

  @Test
  void jsonOutputOfAValidContract() throws Exception {
    CliRun r =
        CliRun.run(
            Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local", "RBAC_FAIL_OPEN", "true"),
            "check-env",
            "--json");
    assertThat(r.exit()).isZero();
    Map<String, Object> json = JSONObjectUtils.parse(r.out());
    assertThat(json.get("ok")).isEqualTo(true);
    assertThat(json.get("contract").toString())
        .contains("mode=local")
        .contains("sandboxAllowed=true");
    assertThat(json.get("warnings").toString()).contains("RBAC_FAIL_OPEN");
  }
}

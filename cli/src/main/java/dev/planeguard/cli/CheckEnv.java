package dev.planeguard.cli;

import dev.planeguard.Admission;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.ContractSpec;
import dev.planeguard.Problem;
import dev.planeguard.secrets.SecretTiers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code check-env [--env-file FILE]... [--json]}: reads the environment contract from the process
 * environment, with each env file laid over it in order (a file's assignment wins over the process
 * environment and over earlier files), and checks the secret tier named by {@code PLANEGUARD_TIER}
 * as every adapter does at startup. Exit 0 valid, 1 violations.
 */
final class CheckEnv {

  static final String USAGE = "check-env [--env-file FILE]... [--json]";

  private CheckEnv() {}

  static int run(List<String> argv, Map<String, String> processEnv, Output o) {
    Args args = Args.parse(argv, Set.of("env-file"), Set.of("json"));
    if (!args.positional().isEmpty()) {
      throw new UsageException("check-env takes no positional arguments");
    }
    Map<String, String> env =
        EnvFile.merge(processEnv, args.all("env-file").stream().map(Path::of).toList());
    // The rate-limit variables are part of the contract: checked the way every adapter checks them.
    List<Problem> limits = Admission.check(env);
    try {
      Contract contract = ContractSpec.standard().parse(env);
      if (!limits.isEmpty()) {
        throw new ConfigurationException("invalid rate limits", limits);
      }
      // The same tier check every adapter runs at startup (PLANEGUARD_TIER).
      List<Problem> warnings = new ArrayList<>(contract.warnings());
      warnings.addAll(SecretTiers.checkStartup(contract, env));
      if (o.json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ok", true);
        result.put("contract", describe(contract));
        result.put("warnings", Output.problems(warnings));
        result.put("violations", List.of());
        o.json(result);
      } else {
        o.out.println(
            "ok: AOS_MODE="
                + contract.mode()
                + " DB_AUTHORITY="
                + contract.dbAuthority()
                + " DB_ROLE="
                + (contract.dbRole() == null ? "(unset)" : contract.dbRole())
                + " sandbox="
                + (contract.sandboxAllowed() ? "allowed" : "forbidden")
                + " debug-routes="
                + (contract.debugRoutesEnabled() ? "enabled" : "404"));
        if (!warnings.isEmpty()) {
          o.problemLines("warnings (refused in preprod and prod):", warnings, o.out);
        }
      }
      return 0;
    } catch (ConfigurationException e) {
      List<Problem> violations = new ArrayList<>(e.problems());
      limits.stream().filter(p -> !violations.contains(p)).forEach(violations::add);
      if (o.json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ok", false);
        result.put("contract", null);
        result.put("warnings", List.of());
        result.put("violations", Output.problems(violations));
        o.json(result);
      } else {
        o.problemLines(
            "invalid environment contract (" + violations.size() + " violations):",
            violations,
            o.out);
      }
      return 1;
    }
  }

  private static Map<String, Object> describe(Contract c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", c.mode().id());
    m.put("dbAuthority", c.dbAuthority().name());
    m.put("dbRole", c.dbRole() == null ? null : c.dbRole().id());
    m.put("sandboxAllowed", c.sandboxAllowed());
    m.put("debugRoutesEnabled", c.debugRoutesEnabled());
    m.put("enforceTenancy", c.enforceTenancy());
    m.put("tenantHeader", c.tenantHeader());
    return m;
  }
}

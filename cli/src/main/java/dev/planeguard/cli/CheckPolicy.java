package dev.planeguard.cli;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Policy;
import dev.planeguard.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code check-policy POLICY_FILE [--json]}: validates a policy and prints its route table, sorted
 * by pattern, for review. Exit 0 valid, 1 problems.
 */
final class CheckPolicy {

  static final String USAGE = "check-policy POLICY_FILE [--json]";

  private CheckPolicy() {}

  static int run(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of(), Set.of("json"));
    if (args.positional().size() != 1) {
      throw new UsageException("check-policy needs exactly one POLICY_FILE");
    }
    Policy policy;
    try {
      policy = Policy.load(Path.of(args.positional().get(0)));
    } catch (ConfigurationException e) {
      if (o.json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ok", false);
        result.put("problems", Output.problems(e.problems()));
        o.json(result);
      } else {
        o.problemLines(
            "invalid policy (" + e.problems().size() + " problems):", e.problems(), o.out);
      }
      return 1;
    }
    if (o.json) {
      List<Map<String, Object>> rules = new ArrayList<>();
      for (Rule rule : policy.rules()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pattern", rule.pattern());
        m.put("access", rule.access().id());
        m.put("plane", rule.plane() == null ? null : rule.plane().id());
        m.put("methods", List.copyOf(rule.methods()));
        m.put("scopes", List.copyOf(rule.scopes()));
        m.put("origin", policy.origin(rule));
        m.put("carveOut", rule.carveOut());
        Rule from = policy.carvedFrom(rule);
        if (from != null) {
          Map<String, Object> carved = new LinkedHashMap<>();
          carved.put("rule", from.toPolicyLine());
          carved.put("origin", policy.origin(from));
          m.put("carvedFrom", carved);
        }
        rules.add(m);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ok", true);
      result.put("rules", rules);
      o.json(result);
    } else {
      o.out.print(table(policy));
      o.out.print(carveOuts(policy));
      o.out.println("ok: " + policy.rules().size() + " rules; anything else is denied");
    }
    return 0;
  }

  /**
   * Every carve-out (a public rule marked {@code carve-out=yes} inside a protected rule), with the
   * rule it takes requests from; empty if there is none.
   */
  static String carveOuts(Policy policy) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"CARVE-OUT", "METHODS", "ORIGIN", "INSIDE", "ORIGIN"});
    for (Rule rule : policy.rules()) {
      Rule from = policy.carvedFrom(rule);
      if (from != null) {
        rows.add(
            new String[] {
              rule.pattern(),
              rule.methods().isEmpty() ? "*" : String.join(",", rule.methods()),
              policy.origin(rule),
              from.toPolicyLine(),
              policy.origin(from)
            });
      }
    }
    if (rows.size() == 1) {
      return "";
    }
    return "\n"
        + (rows.size() - 1)
        + " carve-out(s): public routes inside protected rules, marked carve-out=yes\n"
        + Output.table(rows);
  }

  /** The route table: one rule a row, sorted by pattern, columns aligned. */
  static String table(Policy policy) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PATTERN", "ACCESS", "PLANE", "METHODS", "SCOPES", "ORIGIN"});
    for (Rule rule : policy.rules()) {
      rows.add(
          new String[] {
            rule.pattern(),
            rule.access().id(),
            rule.plane() == null ? "-" : rule.plane().id(),
            rule.methods().isEmpty() ? "*" : String.join(",", rule.methods()),
            rule.scopes().isEmpty() ? "-" : String.join(",", rule.scopes()),
            policy.origin(rule)
          });
    }
    return Output.table(rows);
  }
}

package dev.planeguard.cli;

import dev.planeguard.MigrationGate;
import dev.planeguard.Problem;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code check-migration [--jdbc-url URL] [--json]}: may migrations run? The contract comes from
 * the process environment ({@code AOS_MODE}, {@code DB_AUTHORITY}, {@code DB_ROLE}, {@code
 * CONFIRM_PROD_MIGRATIONS}). With {@code --jdbc-url} the server is asked too, and its fingerprint
 * printed. Exit 0 may migrate, 1 refused (including a server that cannot be reached), 2 usage.
 *
 * <p>The URL and the credentials are read as {@link JdbcTarget} describes; a violation of the
 * password's secret rules is a refusal.
 */
final class CheckMigration {

  static final String USAGE = "check-migration [--jdbc-url URL] [--json]";

  private CheckMigration() {}

  static int run(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, Set.of("jdbc-url"), Set.of("json"));
    if (!args.positional().isEmpty()) {
      throw new UsageException("check-migration takes no positional arguments");
    }
    MigrationGate gate = MigrationGate.of(env);
    String url = args.optional("jdbc-url");
    List<Problem> refusals;
    String fingerprint = null;
    if (url == null) {
      refusals = gate.refusals();
    } else {
      JdbcTarget target = JdbcTarget.of(url, env);
      if (!target.violations().isEmpty()) {
        refusals = new ArrayList<>(gate.refusals());
        refusals.addAll(target.violations());
        return report(o, refusals, null, env);
      }
      try (Connection c = target.connect()) {
        refusals = gate.refusals(c);
        try {
          fingerprint = MigrationGate.fingerprint(c);
        } catch (SQLException e) {
          fingerprint = null;
        }
      } catch (SQLException e) {
        refusals = new ArrayList<>(gate.refusals());
        refusals.add(
            new Problem(
                "database",
                "cannot connect (SQLState " + e.getSQLState() + ")",
                "check the URL and credentials; migrations are refused until the server can be"
                    + " asked"));
      }
    }
    return report(o, refusals, fingerprint, env);
  }

  private static int report(
      Output o, List<Problem> refusals, @Nullable String fingerprint, Map<String, String> env) {
    if (o.json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ok", refusals.isEmpty());
      result.put("fingerprint", fingerprint);
      result.put("refusals", Output.problems(refusals));
      o.json(result);
    } else if (refusals.isEmpty()) {
      o.out.println(
          "ok: migrations may run ("
              + env.getOrDefault("DB_ROLE", "?")
              + ")"
              + (fingerprint == null ? "" : "; target fingerprint " + fingerprint));
    } else {
      o.problemLines("migrations refused (" + refusals.size() + "):", refusals, o.out);
      if (fingerprint != null) {
        o.out.println("target fingerprint: " + fingerprint);
      }
    }
    return refusals.isEmpty() ? 0 : 1;
  }
}

package dev.planeguard.cli;

import dev.planeguard.ContractSpec;
import dev.planeguard.MigrationGate;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.Secret;
import dev.planeguard.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code check-migration [--jdbc-url URL] [--json]}: may migrations run? The contract comes from
 * the process environment ({@code AOS_MODE}, {@code DB_AUTHORITY}, {@code DB_ROLE}, {@code
 * CONFIRM_PROD_MIGRATIONS}). With {@code --jdbc-url} the server is asked too, and its fingerprint
 * printed. Exit 0 may migrate, 1 refused (including a server that cannot be reached), 2 usage.
 *
 * <p>The URL is a JDBC URL or a libpq URI ({@code postgresql://user@host:5432/db}). Keep passwords
 * off the command line: {@code PLANEGUARD_JDBC_USER}, {@code PLANEGUARD_JDBC_PASSWORD_FILE} or
 * {@code PLANEGUARD_JDBC_PASSWORD} supply credentials the URL does not; the password is resolved
 * and checked like every secret ({@link Secrets}: file first, strength and placeholder rules in
 * preprod and prod), and a violation is a refusal.
 */
final class CheckMigration {

  static final String PASSWORD_VARIABLE = "PLANEGUARD_JDBC_PASSWORD";
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
      // The password goes through the same resolution and strength checks as every secret; an
      // unreadable AOS_MODE is judged as prod, the strictest (the gate refuses it anyway).
      Mode mode = Mode.parse(env.get(ContractSpec.standard().modeVariable()));
      Secrets secrets = Secrets.of(mode == null ? Mode.PROD : mode, env);
      Target target = target(url, env, secrets.find(PASSWORD_VARIABLE).map(Secret::reveal).orElse(null));
      if (!secrets.violations().isEmpty()) {
        refusals = new ArrayList<>(gate.refusals());
        refusals.addAll(secrets.violations());
        return report(o, refusals, null, env);
      }
      try (Connection c = DriverManager.getConnection(target.url(), target.properties())) {
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
          "ok: migrations may run (" + env.getOrDefault("DB_ROLE", "?") + ")"
              + (fingerprint == null ? "" : "; target fingerprint " + fingerprint));
    } else {
      o.problemLines("migrations refused (" + refusals.size() + "):", refusals, o.out);
      if (fingerprint != null) {
        o.out.println("target fingerprint: " + fingerprint);
      }
    }
    return refusals.isEmpty() ? 0 : 1;
  }

  record Target(String url, Properties properties) {}

  /** A JDBC URL and connection properties from a JDBC URL or a libpq URI, plus the environment. */
  static Target target(String url, Map<String, String> env, @Nullable String password) {
    Properties props = new Properties();
    String jdbc;
    if (url.startsWith("jdbc:")) {
      jdbc = url;
    } else if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new UsageException("--jdbc-url is not a valid URI");
      }
      if (uri.getHost() == null) {
        throw new UsageException("--jdbc-url needs a host");
      }
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        props.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
        if (colon >= 0) {
          props.setProperty("password", decode(userInfo.substring(colon + 1)));
        }
      }
      jdbc =
          "jdbc:postgresql://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
              + (uri.getRawPath() == null ? "/" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    } else {
      throw new UsageException("--jdbc-url must be a jdbc: URL or a postgresql:// URI");
    }
    String user = env.get("PLANEGUARD_JDBC_USER");
    if (user != null && !props.containsKey("user")) {
      props.setProperty("user", user);
    }
    if (password != null && !props.containsKey("password")) {
      props.setProperty("password", password);
    }
    return new Target(jdbc, props);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}

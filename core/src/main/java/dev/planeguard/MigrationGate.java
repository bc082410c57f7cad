package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Text;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether database migrations may run: the database plane's only gate. Migrations never go
 * through HTTP; this gate is called by the migration tool's integration (Flyway in the Spring
 * starter) or from a shell with {@code planeguard check-migration && alembic upgrade head}.
 *
 * <p>Rules, all checked, every refusal listed:
 *
 * <ol>
 *   <li>the environment contract must be valid (mode, authority, and the mode/role table);
 *   <li>{@code DB_ROLE} is required;
 *   <li>{@code replica}: never;
 *   <li>{@code prod}: only with {@code CONFIRM_PROD_MIGRATIONS=true}, or with {@code
 *       CONFIRM_PROD_MIGRATIONS} set to the {@linkplain #fingerprint(Connection) fingerprint} of
 *       the target database, which then must match;
 *   <li>{@code staging}: yes;
 *   <li>given a connection, the server is asked, and a read-only target is refused whatever {@code
 *       DB_ROLE} says: PostgreSQL {@code pg_is_in_recovery()} (a standby) and {@code SHOW
 *       transaction_read_only}; {@link Connection#isReadOnly()} for other databases. If the server
 *       cannot be asked, migrations are refused.
 * </ol>
 *
 * <!-- example: MigrationGate.requireAllowed -->
 *
 * <pre>{@code
 * MigrationGate gate = MigrationGate.fromEnvironment();
 * try (Connection c = dataSource.getConnection()) {
 *   gate.requireAllowed(c);      // throws ConfigurationException listing every refusal
 * }
 * }</pre>
 */
public final class MigrationGate {

  private static final String FINGERPRINT_SQL =
      "SELECT system_identifier::text, current_database() FROM pg_control_system()";

  private final ContractSpec spec;
  private final Map<String, String> env;

  private MigrationGate(ContractSpec spec, Map<String, String> env) {
    this.spec = requireNonNull(spec, "spec");
    this.env = Map.copyOf(requireNonNull(env, "env"));
  }

  /** A gate over the process environment and the standard contract. */
  public static MigrationGate fromEnvironment() {
    return of(ContractSpec.standard(), System.getenv());
  }

  /** A gate over {@code env} and the standard contract. */
  public static MigrationGate of(Map<String, String> env) {
    return of(ContractSpec.standard(), env);
  }

  /** A gate over {@code env} and a custom contract. */
  public static MigrationGate of(ContractSpec spec, Map<String, String> env) {
    return new MigrationGate(spec, env);
  }

  /**
   * Why migrations may not run, judged from the environment alone; empty if they may. A fingerprint
   * in {@code CONFIRM_PROD_MIGRATIONS} cannot be checked without a connection and is a refusal
   * here.
   */
  public List<Problem> refusals() {
    return evaluate(null);
  }

  /**
   * Why migrations may not run against the database behind {@code connection}; empty if they may.
   */
  public List<Problem> refusals(Connection connection) {
    return evaluate(requireNonNull(connection, "connection"));
  }

  /**
   * Throws unless migrations may run, judged from the environment alone.
   *
   * @throws ConfigurationException listing every refusal
   */
  public void requireAllowed() {
    throwIfAny(refusals());
  }

  /**
   * Throws unless migrations may run against the database behind {@code connection}.
   *
   * @throws ConfigurationException listing every refusal
   */
  public void requireAllowed(Connection connection) {
    throwIfAny(refusals(connection));
  }

  /**
   * The fingerprint of a PostgreSQL database: {@code postgresql:<system_identifier>/<database>}.
   * The system identifier is fixed when the cluster is created ({@code initdb}) and survives
   * restarts and fail-overs to a physical replica; the database name tells databases of one cluster
   * apart. Reading it needs a role allowed to execute {@code pg_control_system()} (every role,
   * unless an administrator revoked it).
   *
   * @throws SQLException if the server cannot be asked, or is not PostgreSQL
   */
  public static String fingerprint(Connection connection) throws SQLException {
    if (!isPostgres(connection.getMetaData())) {
      throw new SQLException("fingerprints are defined for PostgreSQL only");
    }
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(FINGERPRINT_SQL)) {
      if (!rs.next()) {
        throw new SQLException("pg_control_system() returned no row");
      }
      return "postgresql:" + rs.getString(1) + "/" + rs.getString(2);
    }
  }

  private List<Problem> evaluate(@Nullable Connection connection) {
    List<Problem> refusals = new ArrayList<>();
    Contract contract = null;
    try {
      contract = spec.parse(env);
    } catch (ConfigurationException e) {
      refusals.addAll(e.problems());
    }
    String roleVariable = spec.roleVariable();
    String confirmVariable = spec.confirmVariable();
    String roleValue = env.get(roleVariable);
    DbRole role = contract != null ? contract.dbRole() : DbRole.parse(roleValue);
    if (roleValue == null || roleValue.isBlank()) {
      refusals.add(
          new Problem(
              roleVariable,
              "is required for migrations",
              "set " + roleVariable + " to staging (rehearsal) or prod (with confirmation)"));
    } else if (role == DbRole.REPLICA) {
      refusals.add(
          new Problem(
              roleVariable,
              roleVariable + "=replica: a read-only database is never migrated",
              "point the migration at the staging or prod database, not a replica"));
    } else if (role == DbRole.PROD) {
      confirmProd(connection, confirmVariable, refusals);
    }
    if (connection != null) {
      askServer(connection, roleVariable, refusals);
    }
    return refusals;
  }

  private void confirmProd(
      @Nullable Connection connection, String confirmVariable, List<Problem> refusals) {
    String confirm = env.get(confirmVariable);
    String value = confirm == null ? "" : confirm.trim();
    if (value.isEmpty()) {
      refusals.add(
          new Problem(
              confirmVariable,
              "is not set: production migrations need explicit confirmation",
              "set "
                  + confirmVariable
                  + "=true, or to the target's fingerprint"
                  + " (planeguard check-migration --jdbc-url URL prints it)"));
    } else if (value.equalsIgnoreCase("true")) {
      return;
    } else if (!value.startsWith("postgresql:")) {
      refusals.add(
          new Problem(
              confirmVariable,
              "must be true or a fingerprint postgresql:<system_identifier>/<database>, not "
                  + Text.quote(value, 80),
              "set " + confirmVariable + "=true, or to the target's fingerprint"));
    } else if (connection == null) {
      refusals.add(
          new Problem(
              confirmVariable,
              "holds a fingerprint, which can only be checked against a database connection",
              "run the check with a connection (check-migration --jdbc-url URL)"));
    } else {
      String actual;
      try {
        actual = fingerprint(connection);
      } catch (SQLException e) {
        refusals.add(
            new Problem(
                confirmVariable,
                "the target's fingerprint cannot be read (SQLState " + e.getSQLState() + ")",
                "let the migration role execute pg_control_system(), or use "
                    + confirmVariable
                    + "=true"));
        return;
      }
      if (!actual.equals(value)) {
        refusals.add(
            new Problem(
                confirmVariable,
                "confirms "
                    + Text.quote(value, 80)
                    + " but the target is "
                    + Text.quote(actual, 80),
                "check that the connection points at the database you meant to migrate"));
      }
    }
  }

  private static void askServer(
      Connection connection, String roleVariable, List<Problem> refusals) {
    try {
      if (isPostgres(connection.getMetaData())) {
        try (Statement s = connection.createStatement()) {
          try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            if (rs.next() && rs.getBoolean(1)) {
              refusals.add(
                  new Problem(
                      "database",
                      "the server is a standby (pg_is_in_recovery() is true), whatever "
                          + roleVariable
                          + " says",
                      "run migrations against the primary"));
            }
          }
          try (ResultSet rs = s.executeQuery("SHOW transaction_read_only")) {
            if (rs.next() && "on".equalsIgnoreCase(rs.getString(1))) {
              refusals.add(
                  new Problem(
                      "database",
                      "the session is read-only (transaction_read_only is on), whatever "
                          + roleVariable
                          + " says",
                      "connect with a role and database that allow writes"));
            }
          }
        }
      } else if (connection.isReadOnly()) {
        refusals.add(
            new Problem(
                "database",
                "the connection is read-only, whatever " + roleVariable + " says",
                "connect with a role and database that allow writes"));
      }
    } catch (SQLException e) {
      refusals.add(
          new Problem(
              "database",
              "the server could not be asked whether it accepts writes (SQLState "
                  + e.getSQLState()
                  + ")",
              "check the connection; migrations are refused until the server can be asked"));
    }
  }

  private static boolean isPostgres(DatabaseMetaData meta) throws SQLException {
    return meta.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgresql");
  }

  private static void throwIfAny(List<Problem> refusals) {
    if (!refusals.isEmpty()) {
      throw new ConfigurationException("Migrations refused", refusals);
    }
  }
}

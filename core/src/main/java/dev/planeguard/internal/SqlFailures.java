package dev.planeguard.internal;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * What the JDBC stores (keys, ledger) share about failures: what a SQLSTATE means for an operator,
 * whatever the table, and how to leave a broken connection without a second exception.
 */
public final class SqlFailures {

  private SqlFailures() {}

  /**
   * A short operator's reading of a SQLSTATE that means the same for every table (no connection,
   * credentials refused, read-only, timeout, shutdown, a check constraint), or {@code null}: the
   * store then gives its own reading, naming its schema.
   */
  public static @Nullable String commonHint(@Nullable String state) {
    if (state == null) {
      return null;
    }
    if (state.startsWith("08")) {
      return "cannot connect to the database";
    }
    if (state.startsWith("28")) {
      return "the database refused the credentials";
    }
    return switch (state) {
      case "25006" -> "the database is read-only here (a replica?)";
      case "57014" -> "the statement timed out or was cancelled";
      case "57P01", "57P02", "57P03" -> "the database is shutting down or starting up";
      case "23514" -> "a row failed a check constraint of the table";
      default -> null;
    };
  }

  /** Rolls back, ignoring a connection that is broken already. */
  public static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException ignored) {
      // The connection is broken: the server rolls the transaction back when it notices.
    }
  }

  /** Restores auto-commit, ignoring a connection that is broken already. */
  public static void restoreQuietly(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException | RuntimeException ignored) {
      // A broken connection; the pool discards it.
    }
  }
}

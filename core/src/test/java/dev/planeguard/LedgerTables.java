package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.testing.SharedPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** Test fixtures for the ledger in a table: databases with the shipped schema, rows, tampering. */
final class LedgerTables {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private LedgerTables() {}

  /** A database on a server, by name. */
  record Database(EmbeddedPostgres server, String name, DataSource owner) {

    /** The same database for another role. */
    DataSource as(String role, String password) {
      return server.getDatabase(
          role, name, Map.of("password", password, "connectTimeout", "5", "socketTimeout", "30"));
    }
  }

  /** A new database on the shared server with the shipped ledger schema, owned by postgres. */
  static Database newDatabase() throws IOException, SQLException {
    Database db = emptyDatabase(SharedPostgres.server());
    execute(db.owner(), schema());
    return db;
  }

  /** A new database on the shared server without any table. */
  static Database emptyDatabase(EmbeddedPostgres pg) throws SQLException {
    String name = "ledger_" + DATABASES.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return new Database(pg, name, dataSource(pg, name));
  }

  /**
   * A data source for {@code database} on {@code pg}'s port, with short connect and socket
   * timeouts. It keeps working across a restart of the server on the same port.
   */
  static DataSource dataSource(EmbeddedPostgres pg, String database) {
    return pg.getDatabase(
        "postgres", database, Map.of("connectTimeout", "5", "socketTimeout", "30"));
  }

  /** The shipped migration, read from the class path as a tool would. */
  static String schema() {
    try (InputStream in =
        AuditLedger.class.getClassLoader().getResourceAsStream(AuditLedger.SCHEMA_RESOURCE)) {
      assertThat(in).as(AuditLedger.SCHEMA_RESOURCE).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Runs {@code sql} with {@code params} as the table's owner would to tamper with it: with the
   * append-only trigger disabled, in one transaction.
   */
  static void tamper(DataSource ds, String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("ALTER TABLE planeguard_audit_ledger DISABLE TRIGGER USER");
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setObject(i + 1, params[i]);
        }
        ps.execute();
      }
      try (Statement s = c.createStatement()) {
        s.execute("ALTER TABLE planeguard_audit_ledger ENABLE TRIGGER USER");
      }
      c.commit();
    }
  }

  /** One row of the table. */
  record Row(String node, long seq, String entry) {}

  /** Every row, by node and seq. */
  static List<Row> rows(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT node, seq, entry FROM planeguard_audit_ledger ORDER BY 1, 2")) {
      List<Row> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new Row(rs.getString(1), rs.getLong(2), rs.getString(3)));
      }
      return rows;
    }
  }

  /** The entry of {@code node}'s row {@code seq}. */
  static String entry(DataSource ds, String node, long seq) throws SQLException {
    return rows(ds).stream()
        .filter(r -> r.node().equals(node) && r.seq() == seq)
        .findFirst()
        .orElseThrow()
        .entry();
  }
}

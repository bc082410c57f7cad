package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.AuditLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as rows of a table ({@link AuditLedger#SCHEMA_RESOURCE}): one row per entry, keyed by
 * node and sequence number, one chain per node. Each batch is inserted in one transaction, so it is
 * in the table whole or not at all. Plain JDBC; every call takes a connection from the data source
 * and gives it back.
 *
 * <p>Failures are {@link LedgerStore.Failure}s whose message is composed here: the table, the node,
 * what was being done and the SQLState. The driver's exception is not attached, because its message
 * may quote a statement with its parameters.
 */
public final class LedgerJdbcStore implements LedgerStore {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.audit.ledger");

  /** A node name: what the table's check and the ledger's settings accept. */
  public static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private static final String UNIQUE_VIOLATION = "23505";
  private static final int FETCH_SIZE = 1000;

  private final DataSource dataSource;
  private final String table;
  private final String node;
  private final int queryTimeoutSeconds;
  private final String insert;
  private final String selectTail;
  private final String selectRange;

  /**
   * The chain of {@code node} in {@code table}.
   *
   * @param table a name {@link JdbcKeyTable#checkName} accepts
   * @param node a name {@link #NODE} matches
   * @param queryTimeoutSeconds the timeout of every statement, at least 1
   * @throws IllegalArgumentException if the table, the node or the timeout is not acceptable
   */
  public LedgerJdbcStore(
      DataSource dataSource, String table, String node, int queryTimeoutSeconds) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.table = JdbcKeyTable.checkName(table);
    this.node = checkNode(node);
    if (queryTimeoutSeconds < 1) {
      throw new IllegalArgumentException("the query timeout must be at least 1 second");
    }
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.insert = "INSERT INTO " + table + " (node, seq, entry) VALUES (?, ?, ?)";
    this.selectTail =
        "SELECT seq, entry FROM " + table + " WHERE node = ? ORDER BY seq DESC LIMIT 1";
    this.selectRange =
        "SELECT seq, entry FROM " + table + " WHERE node = ? AND seq BETWEEN ? AND ? ORDER BY seq";
  }

  /**
   * Returns {@code node} if it is a node name: 1 to 64 characters of {@code A-Z a-z 0-9 . _ : -}.
   *
   * @throws IllegalArgumentException otherwise, without echoing it
   */
  public static String checkNode(String node) {
    requireNonNull(node, "node");
    if (!NODE.matcher(node).matches()) {
      throw new IllegalArgumentException(
          "the node must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
    }
    return node;
  }

  @Override
  public @Nullable Tail tail() throws IOException {
    try (Connection c = connect("read the end of the chain");
        PreparedStatement ps = prepare(c, selectTail)) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long seq = rs.getLong(1);
        String entry = rs.getString(2);
        Map<String, @Nullable Object> parsed =
            entry == null || entry.length() > LedgerFormat.MAX_LINE
                ? null
                : StrictJson.parseObject(entry);
        if (entry == null
            || parsed == null
            || !(parsed.get("seq") instanceof Long s)
            || s != seq
            || !(parsed.get("prev") instanceof String)) {
          throw new Failure(
              describe()
                  + ": the row with seq "
                  + seq
                  + " is not the ledger entry of that row; verify the chain (the table is"
                  + " evidence), and give this process another node name to start a new chain");
        }
        return new Tail(seq, LedgerFormat.hash(entry));
      }
    } catch (SQLException e) {
      throw failure("read the end of the chain", e);
    }
  }

  @Override
  public void append(List<String> lines, Instant now) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    long[] seqs = new long[lines.size()];
    for (int i = 0; i < seqs.length; i++) {
      seqs[i] = LedgerFormat.seq(lines.get(i));
    }
    String what = "append entries " + seqs[0] + " to " + seqs[seqs.length - 1];
    boolean committing = false;
    try (Connection c = connect(what)) {
      boolean autoCommit = c.getAutoCommit();
      try {
        c.setAutoCommit(false);
        try (PreparedStatement ps = prepare(c, insert)) {
          for (int i = 0; i < seqs.length; i++) {
            ps.setString(1, node);
            ps.setLong(2, seqs[i]);
            ps.setString(3, lines.get(i));
            ps.addBatch();
          }
          ps.executeBatch();
        }
        committing = true;
        c.commit();
      } catch (SQLException | RuntimeException e) {
        SqlFailures.rollbackQuietly(c);
        throw e;
      } finally {
        SqlFailures.restoreQuietly(c, autoCommit);
      }
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(state(e))) {
        if (written(lines, seqs[0], seqs[seqs.length - 1])) {
          // A retry of a batch whose COMMIT succeeded but whose acknowledgement was lost.
          LOG.info(
              "audit ledger {}: entries {} to {} were in the table already (their commit went"
                  + " through though the connection failed); continuing after them",
              describe(),
              seqs[0],
              seqs[seqs.length - 1]);
          return;
        }
        throw new Failure(
            describe()
                + ": a row of entries "
                + seqs[0]
                + " to "
                + seqs[seqs.length - 1]
                + " was written by another process, so two processes are writing the chain of"
                + " node "
                + node
                + "; give each process its own node name");
      }
      throw failure(what, e, committing);
    }
  }

  /** Whether the rows {@code first} to {@code last} of the node hold exactly {@code lines}. */
  private boolean written(List<String> lines, long first, long last) throws IOException {
    String what = "check entries " + first + " to " + last;
    try (Connection c = connect(what);
        PreparedStatement ps = prepare(c, selectRange)) {
      ps.setString(1, node);
      ps.setLong(2, first);
      ps.setLong(3, last);
      List<String> rows = new ArrayList<>(lines.size());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(String.valueOf(rs.getString(2)));
        }
      }
      return rows.equals(lines);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  @Override
  public String describe() {
    return "table " + table + " node=" + node;
  }

  @Override
  public void close() {
    // The data source is the application's.
  }

  @Override
  public String toString() {
    return "LedgerJdbcStore{" + describe() + "}";
  }

  /** Where the entry of {@code node} with sequence number {@code seq} is, for people. */
  public static String location(String table, String node, long seq) {
    return table + " node=" + node + " seq=" + seq;
  }

  /**
   * The rows of {@code node} in {@code table}, ordered by their seq column, read as one query with
   * a cursor (a chain of any length takes bounded memory). A read failure while iterating is an
   * {@link UncheckedIOException} around a {@link LedgerStore.Failure}. Close it.
   *
   * @throws IllegalArgumentException if the table or the node is not a name
   * @throws IOException if the query cannot start
   */
  public static Rows rows(DataSource dataSource, String table, String node) throws IOException {
    return new Rows(
        requireNonNull(dataSource, "dataSource"), JdbcKeyTable.checkName(table), checkNode(node));
  }

  /**
   * The nodes with rows in {@code table}, sorted.
   *
   * @throws IllegalArgumentException if the table is not a name
   * @throws IOException if the table cannot be read
   */
  public static List<String> nodes(DataSource dataSource, String table) throws IOException {
    JdbcKeyTable.checkName(table);
    requireNonNull(dataSource, "dataSource");
    try (Connection c = connect(dataSource, "list the nodes");
        PreparedStatement ps =
            c.prepareStatement("SELECT DISTINCT node FROM " + table + " ORDER BY node");
        ResultSet rs = ps.executeQuery()) {
      List<String> nodes = new ArrayList<>();
      while (rs.next()) {
        nodes.add(String.valueOf(rs.getString(1)));
      }
      return List.copyOf(nodes);
    } catch (SQLException e) {
      throw failure("table " + table, "list the nodes", e, false);
    }
  }

  /** One node's rows, oldest first: each one's location, entry and seq column. */
  public static final class Rows implements Iterator<LedgerChain.Located>, AutoCloseable {
    private final String table;
    private final String node;
    private final Connection connection;
    private final boolean autoCommit;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private LedgerChain.@Nullable Located next;
    private boolean done;

    private Rows(DataSource dataSource, String table, String node) throws IOException {
      this.table = table;
      this.node = node;
      Connection c = null;
      PreparedStatement ps = null;
      boolean started = false;
      try {
        c = connect(dataSource, "read the chain");
        this.autoCommit = c.getAutoCommit();
        // PostgreSQL streams a result with a cursor only inside a transaction.
        c.setAutoCommit(false);
        ps = c.prepareStatement("SELECT seq, entry FROM " + table + " WHERE node = ? ORDER BY seq");
        ps.setFetchSize(FETCH_SIZE);
        ps.setString(1, node);
        this.rows = ps.executeQuery();
        this.connection = c;
        this.statement = ps;
        started = true;
      } catch (SQLException e) {
        throw failure(where(table, node), "read the chain", e, false);
      } finally {
        if (!started) {
          closeQuietly(ps);
          if (c != null) {
            SqlFailures.rollbackQuietly(c);
            closeQuietly(c);
          }
        }
      }
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          if (rows.next()) {
            long seq = rows.getLong(1);
            String entry = rows.getString(2);
            next =
                new LedgerChain.Located(
                    location(table, node, seq), entry == null ? "" : entry, seq);
          } else {
            done = true;
          }
        } catch (SQLException e) {
          throw new UncheckedIOException(failure(where(table, node), "read the chain", e, false));
        }
      }
      return next != null;
    }

    @Override
    public LedgerChain.Located next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      LedgerChain.Located l = requireNonNull(next);
      next = null;
      return l;
    }

    @Override
    public void close() {
      closeQuietly(rows);
      closeQuietly(statement);
      SqlFailures.rollbackQuietly(connection);
      SqlFailures.restoreQuietly(connection, autoCommit);
      closeQuietly(connection);
    }
  }

  private Connection connect(String what) throws SQLException {
    return connect(dataSource, what);
  }

  private static Connection connect(DataSource dataSource, String what) throws SQLException {
    Connection c = dataSource.getConnection();
    if (c == null) {
      throw new SQLException("the data source returned no connection to " + what, "08001");
    }
    return c;
  }

  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      ps.setQueryTimeout(queryTimeoutSeconds);
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
    return ps;
  }

  private Failure failure(String what, SQLException e) {
    return failure(what, e, false);
  }

  private Failure failure(String what, SQLException e, boolean committing) {
    return failure(describe(), what, e, committing);
  }

  private static String where(String table, String node) {
    return "table " + table + " node=" + node;
  }

  private static Failure failure(String where, String what, SQLException e, boolean committing) {
    String state = state(e);
    StringBuilder sb =
        new StringBuilder(where)
            .append(": cannot ")
            .append(what)
            .append(" (SQLState ")
            .append(state == null ? "none" : state);
    String hint = hint(state);
    if (hint != null) {
      sb.append(": ").append(hint);
    }
    sb.append(')');
    if (committing) {
      sb.append(
          "; the connection failed during COMMIT: the next attempt finds out whether it went");
      sb.append(" through");
    }
    return new Failure(sb.toString());
  }

  /** The first SQLState of {@code e}, its batch's next exceptions and its causes. */
  private static @Nullable String state(SQLException e) {
    SQLException cur = e;
    for (int i = 0; cur != null && i < 10; i++, cur = cur.getNextException()) {
      Throwable t = cur;
      for (int j = 0; t != null && j < 10; j++, t = t.getCause()) {
        if (t instanceof SQLException s && s.getSQLState() != null) {
          return s.getSQLState();
        }
      }
    }
    return null;
  }

  private static @Nullable String hint(@Nullable String state) {
    String common = SqlFailures.commonHint(state);
    if (common != null || state == null) {
      return common;
    }
    if (state.startsWith("53")) {
      return "the database is out of resources (disk full?)";
    }
    return switch (state) {
      case "42P01" ->
          "the table does not exist; apply " + AuditLedger.SCHEMA_RESOURCE + " (see docs/audit.md)";
      case "42703" -> "the table lacks a column; apply " + AuditLedger.SCHEMA_RESOURCE;
      case "42501" -> "the database role may not do this: it needs SELECT and INSERT on the table";
      case "40001", "40P01" -> "a concurrent transaction conflicted; trying again";
      default -> null;
    };
  }

  private static void closeQuietly(@Nullable AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Nothing to do: the connection goes back to the pool, or is discarded.
    }
  }
}

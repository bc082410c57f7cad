package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Mode;
import dev.planeguard.RateLimit;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyUsage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL behind {@link JdbcKeyStore}: the key table, read and written with plain JDBC, without a
 * cache. Every lookup and every change takes a connection from the data source and gives it back.
 *
 * <p>Writes run in one transaction each and lock the row they change ({@code SELECT … FOR UPDATE}),
 * so concurrent writers in several processes take turns on a key and never lose a change; unique
 * constraints on id and hash settle concurrent inserts. Nothing read from the database is trusted:
 * each row is validated as a {@link KeyRecord}, and a row that is not valid makes the lookup fail
 * (the verifier answers 503), never pass.
 *
 * <p>Exceptions are {@link JdbcKeyStore.UnavailableException}s whose message is composed here: the
 * table, what was being done and the SQLState. The driver's exception is not attached, because its
 * message may quote a row (PostgreSQL's "Failing row contains …" or "Key (hash)=(…)").
 */
public final class JdbcKeyTable implements KeyStore.Writable {

  /**
   * A table name: a lower-case SQL identifier of at most 63 characters, optionally qualified by a
   * schema of the same form. Nothing else can reach the SQL text.
   */
  private static final Pattern NAME =
      Pattern.compile("(?:[a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

  private static final String COLUMNS =
      "id, kind, mode, hash, tenant, scopes, status, not_after, legacy, created_at";

  // The limits a key may carry (V4); read only where the table has them.
  private static final String LIMIT_COLUMNS = COLUMNS + ", rate_limit, uses, uses_refill";

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  private final DataSource dataSource;
  private final String table;
  private final int queryTimeoutSeconds;
  private final String selectById;
  private final String selectLegacyByHash;
  private final String selectAll;
  private final String selectForUpdate;
  private final String selectIdByHash;
  private final String insert;
  private final String revoke;
  private final String retire;
  private final String recordUse;
  private final String selectUsage;
  private final String selectByIdWithLimits;
  private final String selectLegacyByHashWithLimits;
  private final String selectAllWithLimits;
  private final String insertWithLimits;
  private final String probeLimits;
  // Whether the table has V4's limit columns: unknown (null) until first asked.
  private volatile @Nullable Boolean limitColumns;

  /**
   * The table {@code table} in the database behind {@code dataSource}.
   *
   * @param table a table name {@link #checkName} accepts
   * @param queryTimeoutSeconds the timeout of every statement, at least 1
   * @throws IllegalArgumentException if the name or the timeout is not acceptable
   */
  public JdbcKeyTable(DataSource dataSource, String table, int queryTimeoutSeconds) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.table = checkName(table);
    if (queryTimeoutSeconds < 1) {
      throw new IllegalArgumentException("the query timeout must be at least 1 second");
    }
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.selectById = "SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?";
    this.selectLegacyByHash =
        "SELECT " + COLUMNS + " FROM " + table + " WHERE hash = ? AND legacy = TRUE";
    this.selectAll = "SELECT " + COLUMNS + " FROM " + table + " ORDER BY created_at, id";
    this.selectForUpdate = selectById + " FOR UPDATE";
    this.selectIdByHash = "SELECT id FROM " + table + " WHERE hash = ?";
    // A record without a creation time is created now, by the database's clock.
    this.insert =
        "INSERT INTO "
            + table
            + " ("
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP))";
    this.revoke =
        "UPDATE " + table + " SET status = 'revoked', updated_at = CURRENT_TIMESTAMP WHERE id = ?";
    this.retire =
        "UPDATE " + table + " SET not_after = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?";
    this.recordUse =
        "UPDATE "
            + table
            + " SET first_used_at = COALESCE(first_used_at, ?),"
            + " last_used_at = GREATEST(last_used_at, ?) WHERE id = ?";
    this.selectUsage = "SELECT id, created_at, first_used_at, last_used_at FROM " + table;
    this.selectByIdWithLimits = "SELECT " + LIMIT_COLUMNS + " FROM " + table + " WHERE id = ?";
    this.selectLegacyByHashWithLimits =
        "SELECT " + LIMIT_COLUMNS + " FROM " + table + " WHERE hash = ? AND legacy = TRUE";
    this.selectAllWithLimits =
        "SELECT " + LIMIT_COLUMNS + " FROM " + table + " ORDER BY created_at, id";
    this.insertWithLimits =
        "INSERT INTO "
            + table
            + " ("
            + LIMIT_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP), ?, ?, ?)";
    this.probeLimits = "SELECT rate_limit, uses, uses_refill FROM " + table + " WHERE false";
  }

  /**
   * Whether the table has the limit columns of {@code V4__planeguard_rate_limits.sql}, asked once.
   * Without them keys work as before and none has limits of its own; creating a key with limits
   * fails with the migration to apply.
   */
  private boolean hasLimitColumns(String what) throws SQLException {
    Boolean known = limitColumns;
    if (known != null) {
      return known;
    }
    try (Connection c = connect(what);
        PreparedStatement ps = prepare(c, probeLimits)) {
      ps.executeQuery().close();
      limitColumns = true;
      return true;
    } catch (SQLException e) {
      if (!"42703".equals(e.getSQLState())) {
        throw e;
      }
      // Not a fault: limits of keys' own are a feature the table has not been given yet.
      LOG.info(
          "planeguard key table {} has no limit columns: keys work, but none can have a rate"
              + " limit or uses of its own until {} is applied (then restart)",
          table,
          LIMITS_SCHEMA_RESOURCE);
      limitColumns = false;
      return false;
    }
  }

  /** The migration that adds the limit columns. */
  public static final String LIMITS_SCHEMA_RESOURCE =
      "dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql";

  /**
   * Returns {@code table} if it is a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most
   * 63 characters), optionally {@code schema.table}: the only text of the configuration that
   * reaches SQL, so nothing else is accepted.
   *
   * @throws IllegalArgumentException for anything else (quotes, upper case, spaces, …), without
   *     echoing it
   */
  public static String checkName(String table) {
    requireNonNull(table, "table");
    if (!NAME.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "the table must be a lower-case SQL identifier [a-z_][a-z0-9_]* of at most 63"
              + " characters, optionally schema.table");
    }
    return table;
  }

  /** The table, as configured. */
  public String table() {
    return table;
  }

  @Override
  public @Nullable KeyRecord findById(String id) {
    requireNonNull(id, "id");
    return lookup("look up a key", selectByIdWithLimits, selectById, id);
  }

  @Override
  public @Nullable KeyRecord findByHash(String hash) {
    requireNonNull(hash, "hash");
    KeyRecord r =
        lookup("look up a legacy key", selectLegacyByHashWithLimits, selectLegacyByHash, hash);
    return r != null && r.legacy() ? r : null;
  }

  /**
   * The record found with {@code value} as the one parameter of {@code withLimits}, or of {@code
   * without} where the table has no limit columns; {@code null} if none.
   */
  private @Nullable KeyRecord lookup(String what, String withLimits, String without, String value) {
    try {
      String sql = hasLimitColumns(what) ? withLimits : without;
      try (Connection c = connect(what);
          PreparedStatement ps = prepare(c, sql)) {
        ps.setString(1, value);
        return single(ps);
      }
    } catch (SQLException e) {
      throw failure(what, e, false);
    }
  }

  /** Every record, oldest first. */
  @Override
  public List<KeyRecord> records() {
    String sql;
    try {
      sql = hasLimitColumns("list the keys") ? selectAllWithLimits : selectAll;
    } catch (SQLException e) {
      throw failure("list the keys", e, false);
    }
    try (Connection c = connect("list the keys");
        PreparedStatement ps = prepare(c, sql);
        ResultSet rs = ps.executeQuery()) {
      List<KeyRecord> records = new ArrayList<>();
      while (rs.next()) {
        records.add(record(rs));
      }
      return List.copyOf(records);
    } catch (SQLException e) {
      throw failure("list the keys", e, false);
    }
  }

  @Override
  public void add(KeyRecord record) {
    requireNonNull(record, "record");
    inTransaction(
        "add a key",
        c -> {
          checkNew(c, record);
          insert(c, record);
          return record;
        });
  }

  @Override
  public KeyRecord revoke(String id) {
    requireNonNull(id, "id");
    return inTransaction(
        "revoke a key",
        c -> {
          KeyRecord current = lockRow(c, id);
          if (current.status() == KeyRecord.Status.REVOKED) {
            return current;
          }
          try (PreparedStatement ps = prepare(c, revoke)) {
            ps.setString(1, id);
            ps.executeUpdate();
          }
          return current.revoked();
        });
  }

  @Override
  public KeyRecord rotate(String id, Instant retireAt, KeyRecord successor) {
    requireNonNull(id, "id");
    requireNonNull(retireAt, "retireAt");
    requireNonNull(successor, "successor");
    return inTransaction(
        "rotate a key",
        c -> {
          KeyRecord current = lockRow(c, id);
          KeyRecord retired = KeyIndex.retire(current, retireAt);
          checkNew(c, successor);
          if (!retired.equals(current)) {
            try (PreparedStatement ps = prepare(c, retire)) {
              ps.setObject(1, timestamp(requireNonNull(retired.notAfter())));
              ps.setString(2, id);
              ps.executeUpdate();
            }
          }
          insert(c, successor);
          return retired;
        });
  }

  /**
   * Records uses in one transaction, rows in id order (so that processes recording together lock
   * them in the same order): a first use is set once, a last use only moves forward. Needs the
   * usage columns of {@link JdbcKeyStore#USAGE_SCHEMA_RESOURCE}.
   */
  public void recordUsage(Map<String, KeyUsage> uses) {
    requireNonNull(uses, "uses");
    if (uses.isEmpty()) {
      return;
    }
    inTransaction(
        RECORD_USAGE,
        c -> {
          try (PreparedStatement ps = prepare(c, recordUse)) {
            for (Map.Entry<String, KeyUsage> use : new TreeMap<>(uses).entrySet()) {
              ps.setObject(1, timestamp(requireNonNull(use.getValue().firstUsed(), "firstUsed")));
              ps.setObject(2, timestamp(requireNonNull(use.getValue().lastUsed(), "lastUsed")));
              ps.setString(3, use.getKey());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return uses;
        });
  }

  /** Creation and recorded use of every key, by id. */
  public Map<String, KeyUsage> usage() {
    try (Connection c = connect(READ_USAGE);
        PreparedStatement ps = prepare(c, selectUsage);
        ResultSet rs = ps.executeQuery()) {
      Map<String, KeyUsage> usage = new HashMap<>();
      while (rs.next()) {
        usage.put(
            String.valueOf(rs.getString(1)),
            new KeyUsage(instant(rs, 2), instant(rs, 3), instant(rs, 4)));
      }
      return Map.copyOf(usage);
    } catch (SQLException e) {
      throw failure(READ_USAGE, e, false);
    }
  }

  private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  @Override
  public String toString() {
    return "JdbcKeyTable{" + table + "}";
  }

  /** One unit of work on a connection in a transaction. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. The
   * connection's auto-commit mode is restored before it goes back to the pool.
   */
  private <T> T inTransaction(String what, Work<T> work) {
    boolean committing = false;
    try (Connection c = connect(what)) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        committing = true;
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        if (!committing) {
          SqlFailures.rollbackQuietly(c);
        }
        throw e;
      } finally {
        SqlFailures.restoreQuietly(c, autoCommit);
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        // A concurrent writer inserted the same id or hash between our check and our insert.
        throw new IllegalArgumentException("a key with the same id or hash exists");
      }
      throw failure(what, e, committing);
    }
  }

  private Connection connect(String what) throws SQLException {
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

  private @Nullable KeyRecord single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? record(rs) : null;
    }
  }

  /** The row with this id, locked until the transaction ends. */
  private KeyRecord lockRow(Connection c, String id) throws SQLException {
    String sql =
        hasLimitColumns("lock a key") ? selectByIdWithLimits + " FOR UPDATE" : selectForUpdate;
    try (PreparedStatement ps = prepare(c, sql)) {
      ps.setString(1, id);
      KeyRecord r = single(ps);
      if (r == null) {
        throw new NoSuchElementException("no key with id " + Text.quote(id, 64));
      }
      return r;
    }
  }

  /** Refuses a record whose id or hash is taken, with the messages of the other stores. */
  private void checkNew(Connection c, KeyRecord record) throws SQLException {
    try (PreparedStatement ps = prepare(c, selectById)) {
      ps.setString(1, record.id());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new IllegalArgumentException("duplicate id " + record.id());
        }
      }
    }
    try (PreparedStatement ps = prepare(c, selectIdByHash)) {
      ps.setString(1, record.hash());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new IllegalArgumentException(
              "key "
                  + record.id()
                  + " has the same hash as key "
                  + Text.quote(rs.getString(1), 64));
        }
      }
    }
  }

  private void insert(Connection c, KeyRecord r) throws SQLException {
    boolean withLimits = !r.limits().none();
    if (withLimits && !hasLimitColumns("add a key")) {
      throw new MissingLimitColumns();
    }
    try (PreparedStatement ps = prepare(c, withLimits ? insertWithLimits : insert)) {
      ps.setString(1, r.id());
      ps.setString(2, r.kind().code());
      ps.setString(3, r.mode().id());
      ps.setString(4, r.hash());
      if (r.tenant() == null) {
        ps.setNull(5, Types.VARCHAR);
      } else {
        ps.setString(5, r.tenant());
      }
      ps.setString(6, String.join(" ", r.scopes()));
      ps.setString(7, r.status().id());
      Instant notAfter = r.notAfter();
      if (notAfter == null) {
        ps.setNull(8, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        ps.setObject(8, timestamp(notAfter));
      }
      ps.setBoolean(9, r.legacy());
      Instant created = r.created();
      if (created == null) {
        ps.setNull(10, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        ps.setObject(10, timestamp(created));
      }
      if (withLimits) {
        KeyLimits limits = r.limits();
        RateLimit rate = limits.rateLimit();
        Long uses = limits.uses();
        Duration refill = limits.usesRefill();
        ps.setString(
            11, rate == null ? null : RateLimit.of(rate.requests(), rate.period()).toString());
        if (uses == null) {
          ps.setNull(12, Types.BIGINT);
        } else {
          ps.setLong(12, uses);
        }
        ps.setString(13, refill == null ? null : KeyLimits.formatRefill(refill));
      }
      ps.executeUpdate();
    }
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * The record of the current row, validated like a line of a key file.
   *
   * @throws InvalidRow naming the row's id if it is not a valid record (never quoting its hash)
   */
  private KeyRecord record(ResultSet rs) throws SQLException {
    String id = rs.getString(1);
    try {
      ApiKey.Kind kind = ApiKey.Kind.fromCode(String.valueOf(rs.getString(2)));
      if (kind == null) {
        throw new IllegalArgumentException("kind must be mk or sk");
      }
      String modeValue = String.valueOf(rs.getString(3));
      Mode mode = Mode.parse(modeValue);
      if (mode == null || !mode.id().equals(modeValue)) {
        throw new IllegalArgumentException("mode must be local, test, preprod or prod");
      }
      String statusValue = String.valueOf(rs.getString(7));
      KeyRecord.Status status =
          switch (statusValue) {
            case "active" -> KeyRecord.Status.ACTIVE;
            case "revoked" -> KeyRecord.Status.REVOKED;
            default -> throw new IllegalArgumentException("status must be active or revoked");
          };
      String scopesValue = rs.getString(6);
      Set<String> scopes = new TreeSet<>();
      if (scopesValue == null) {
        throw new IllegalArgumentException("scopes must not be NULL");
      }
      if (!scopesValue.isEmpty()) {
        scopes.addAll(List.of(scopesValue.split(" ", -1)));
      }
      OffsetDateTime notAfter = rs.getObject(8, OffsetDateTime.class);
      boolean legacy = rs.getBoolean(9);
      if (rs.wasNull()) {
        throw new IllegalArgumentException("legacy must not be NULL");
      }
      OffsetDateTime created = rs.getObject(10, OffsetDateTime.class);
      return new KeyRecord(
          String.valueOf(id),
          kind,
          mode,
          String.valueOf(rs.getString(4)),
          rs.getString(5),
          scopes,
          status,
          notAfter == null ? null : notAfter.toInstant(),
          legacy,
          limits(rs),
          created == null ? null : created.toInstant());
    } catch (IllegalArgumentException e) {
      // KeyRecord's messages name the field, never its value.
      throw new InvalidRow(
          "the row with id "
              + Text.quote(String.valueOf(id), 64)
              + " is not a valid key record: "
              + e.getMessage());
    }
  }

  /** The limit columns of a row read with them; none for a row read without. */
  private static KeyLimits limits(ResultSet rs) throws SQLException {
    if (rs.getMetaData().getColumnCount() < 13) {
      return KeyLimits.NONE;
    }
    String rate = rs.getString(11);
    long uses = rs.getLong(12);
    boolean noUses = rs.wasNull();
    String refill = rs.getString(13);
    RateLimit rateLimit = null;
    if (rate != null) {
      rateLimit = RateLimit.tryParse(rate);
      if (rateLimit == null) {
        throw new IllegalArgumentException("rate_limit must be requests/period such as 100/1m");
      }
    }
    return new KeyLimits(
        rateLimit, noUses ? null : uses, refill == null ? null : KeyLimits.parseRefill(refill));
  }

  /** A key with limits for a table without V4's columns; the message is ours. */
  private static final class MissingLimitColumns extends SQLException {
    private static final long serialVersionUID = 1L;

    MissingLimitColumns() {
      super(
          "the table has no limit columns (SQLState 42703); apply "
              + LIMITS_SCHEMA_RESOURCE
              + " to give keys limits of their own",
          "42703");
    }
  }

  /** A row that is not a valid key record; the message is ours and safe to show. */
  private static final class InvalidRow extends SQLException {
    private static final long serialVersionUID = 1L;

    InvalidRow(String message) {
      super(message, "22000");
    }
  }

  private static final String RECORD_USAGE = "record key usage";
  private static final String READ_USAGE = "read key usage";

  private JdbcKeyStore.UnavailableException failure(
      String what, SQLException e, boolean committing) {
    String state = e.getSQLState();
    StringBuilder sb =
        new StringBuilder("key table ").append(table).append(": cannot ").append(what);
    if (e instanceof InvalidRow || e instanceof MissingLimitColumns) {
      // Our own message (record(ResultSet)): safe, and the most useful thing to say.
      sb.append(": ").append(e.getMessage());
    } else {
      sb.append(" (SQLState ").append(state == null ? "none" : state);
      String hint = what.equals(RECORD_USAGE) || what.equals(READ_USAGE) ? usageHint(state) : null;
      hint = hint != null ? hint : hint(state);
      if (hint != null) {
        sb.append(": ").append(hint);
      }
      sb.append(')');
    }
    if (committing) {
      sb.append(
          "; the connection failed during COMMIT, so the change may or may not be applied:"
              + " check with keys list");
    }
    return new JdbcKeyStore.UnavailableException(sb.toString(), state);
  }

  /** What to do when key usage cannot be recorded or read: the usual causes differ. */
  private @Nullable String usageHint(@Nullable String state) {
    if ("42703".equals(state)) {
      return "the table lacks the usage columns; apply " + JdbcKeyStore.USAGE_SCHEMA_RESOURCE;
    }
    if ("42501".equals(state)) {
      return "the database role may not record key usage; GRANT UPDATE (first_used_at,"
          + " last_used_at) ON "
          + table
          + " to it, or turn key usage recording off";
    }
    return null;
  }

  private @Nullable String hint(@Nullable String state) {
    String common = SqlFailures.commonHint(state);
    if (common != null || state == null) {
      return common;
    }
    return switch (state) {
      case "42P01" ->
          "the table does not exist; apply " + JdbcKeyStore.SCHEMA_RESOURCE + " (see docs/keys.md)";
      case "42703" -> "the table lacks a column; apply " + JdbcKeyStore.SCHEMA_RESOURCE;
      case "42501" -> "the database role lacks a privilege on the table";
      case "40001", "40P01" -> "a concurrent change conflicted; try again";
      case "55P03" -> "the key is locked by another writer; try again";
      default -> null;
    };
  }
}

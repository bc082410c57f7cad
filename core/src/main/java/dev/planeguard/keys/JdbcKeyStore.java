package dev.planeguard.keys;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.CachingKeyStore;
import dev.planeguard.internal.JdbcKeyTable;
import dev.planeguard.internal.KeyChangeListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The fleet key store: key records in a database table that every instance of a service reads, so a
 * key revoked once is refused by all of them within a known bound. Plain JDBC, no ORM; the schema
 * for PostgreSQL ships in this jar as {@value #SCHEMA_RESOURCE} and {@value #USAGE_SCHEMA_RESOURCE}
 * (valid Flyway migrations).
 * <!-- example: JdbcKeyStore.builder -->
 *
 * <pre>{@code
 * JdbcKeyStore keys = JdbcKeyStore.builder(dataSource)
 *     .revocationBound(Duration.ofSeconds(5))   // the default
 *     .listenForChanges()                       // PostgreSQL LISTEN/NOTIFY: evict at once
 *     .build();
 * KeyVerifier verifier = KeyVerifier.of(keys);
 * }</pre>
 *
 * <h2>Reads: cached, with a revocation bound</h2>
 *
 * <p>Lookups go through {@link KeyStore#cached}: every answer, "no such key" included, is used for
 * at most the {@linkplain Builder#revocationBound revocation bound} (default 5 seconds) and never
 * longer. A key revoked on any instance, or directly in the table, is therefore refused by every
 * instance at most one bound after the change commits; the instance that made the change refuses it
 * at once. With {@link Builder#listenForChanges()}, each instance also evicts a changed key as soon
 * as PostgreSQL announces the change (a trigger of the shipped schema sends {@code NOTIFY
 * planeguard_keys, '<id>'}); the bound still holds if a notification is lost.
 *
 * <p>While the database is down, a key whose answer is cached keeps that answer until it is one
 * bound old; after that, and for keys without a cached answer, the store throws {@link
 * UnavailableException} and requests get 503 {@code VERIFIER_UNAVAILABLE} (detail {@code
 * KEY_STORE_UNAVAILABLE}) — never an allow on an answer older than the bound. Failures are not
 * cached: the first lookup after the database is back answers, without a restart.
 *
 * <h2>Writes: transactional, safe with several writers</h2>
 *
 * <p>{@link #add}, {@link #revoke} and {@link #rotate} (what {@link KeyLifecycle} and {@code
 * planeguard keys --jdbc-url} use) each run in one transaction that locks the row it changes, so
 * concurrent writers on several hosts take turns and never lose a change; a rotation updates the
 * old key and inserts its successor atomically. Unique constraints on id and hash settle concurrent
 * inserts. Only the hash of a key is ever written.
 *
 * <h2>Usage</h2>
 *
 * <p>As a {@link KeyStore.UsageRecording}, the store keeps each key's first and last use in the
 * columns {@code first_used_at} and {@code last_used_at} (added by {@value
 * #USAGE_SCHEMA_RESOURCE}). {@link dev.planeguard.PlaneGuard#assemble} updates a row at most once a
 * minute per process, from a background thread; such an update neither moves {@code updated_at} nor
 * notifies listeners.
 *
 * <p>Instances are thread-safe. {@link #close()} stops the listener; the data source is the
 * caller's to close.
 */
public final class JdbcKeyStore
    implements KeyStore.Writable, KeyStore.UsageRecording, AutoCloseable {

  /** The table unless configured otherwise: {@value}. */
  public static final String DEFAULT_TABLE = "planeguard_keys";

  /** The revocation bound unless configured otherwise: 5 seconds. */
  public static final Duration DEFAULT_REVOCATION_BOUND = Duration.ofSeconds(5);

  /** The timeout of every statement unless configured otherwise: 2 seconds. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);

  /**
   * The class-path resource holding the PostgreSQL schema (table {@value #DEFAULT_TABLE}, its
   * checks, and the triggers that maintain {@code updated_at} and send notifications). Its name
   * follows Flyway's {@code V<version>__<description>.sql}.
   */
  public static final String SCHEMA_RESOURCE =
      "dev/planeguard/sql/postgresql/V1__planeguard_keys.sql";

  /**
   * The class-path resource adding the usage columns ({@code first_used_at}, {@code last_used_at})
   * to the schema of {@link #SCHEMA_RESOURCE}, to apply after it. Without it lookups work but
   * {@link #recordUsage} and {@link #usage} fail, naming this resource.
   */
  public static final String USAGE_SCHEMA_RESOURCE =
      "dev/planeguard/sql/postgresql/V2__planeguard_keys_usage.sql";

  private final JdbcKeyTable table;
  private final CachingKeyStore cache;
  private final @Nullable KeyChangeListener listener;

  private JdbcKeyStore(Builder b) {
    this.table = new JdbcKeyTable(b.dataSource, b.table, b.queryTimeoutSeconds);
    this.cache = new CachingKeyStore(table, b.revocationBound, b.ticker);
    DataSource listenerSource = b.listenerDataSource;
    if (listenerSource == null) {
      this.listener = null;
    } else {
      try {
        this.listener =
            new KeyChangeListener(listenerSource, channel(b.table), cache, b.listenerEvents);
      } catch (LinkageError e) {
        throw new IllegalStateException(
            "listenForChanges needs the PostgreSQL JDBC driver (org.postgresql:postgresql) on the"
                + " class path",
            e);
      }
      this.listener.start();
    }
  }

  /**
   * A builder for a store over {@code dataSource}. Lookups take a connection for each query that is
   * not answered from the cache; give the pool short connection and socket timeouts (a lookup that
   * waits holds a request).
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The configuration of a {@link JdbcKeyStore}. Not thread-safe; build once. */
  public static final class Builder {

    private final DataSource dataSource;
    private String table = DEFAULT_TABLE;
    private Duration revocationBound = DEFAULT_REVOCATION_BOUND;
    private int queryTimeoutSeconds = (int) DEFAULT_QUERY_TIMEOUT.toSeconds();
    private LongSupplier ticker = System::nanoTime;
    private @Nullable DataSource listenerDataSource;
    private KeyChangeListener.Events listenerEvents = KeyChangeListener.Events.NONE;

    private Builder(DataSource dataSource) {
      this.dataSource = requireNonNull(dataSource, "dataSource");
    }

    /**
     * The table, default {@value #DEFAULT_TABLE}: a lower-case SQL identifier ({@code
     * [a-z_][a-z0-9_]*}, at most 63 characters), optionally {@code schema.table}. The shipped
     * schema names no schema: applied with another schema first on the {@code search_path} (as
     * Flyway's {@code schemas} setting does), it creates {@code that_schema.planeguard_keys}. For
     * another table name, apply a copy with the name changed. The notification channel is the
     * table's unqualified name.
     *
     * @throws IllegalArgumentException for anything else (quotes, upper case, spaces, …)
     */
    public Builder table(String table) {
      this.table = JdbcKeyTable.checkName(table);
      return this;
    }

    /**
     * How long an answer of the database may be used, default 5 seconds: the longest delay before a
     * change (a revocation) made elsewhere is enforced here, and how long a cached key keeps
     * working while the database is down.
     *
     * @param revocationBound from 1 millisecond to 1 hour
     * @throws IllegalArgumentException if out of range
     */
    public Builder revocationBound(Duration revocationBound) {
      this.revocationBound = CachingKeyStore.checkBound(revocationBound);
      return this;
    }

    /**
     * The timeout of every statement ({@link java.sql.Statement#setQueryTimeout}), default 2
     * seconds, rounded up to whole seconds. Connection and socket timeouts are the data source's.
     *
     * @param timeout from 1 second to 1 minute
     * @throws IllegalArgumentException if out of range
     */
    public Builder queryTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "the query timeout must be between 1 second and 1 minute");
      }
      this.queryTimeoutSeconds = (int) timeout.plusNanos(999_999_999).toSeconds();
      return this;
    }

    /**
     * PostgreSQL only: evict a key from the cache as soon as the database announces a change to it,
     * instead of waiting out the revocation bound. A daemon thread holds one connection of the
     * store's data source with {@code LISTEN} on the table's channel, reconnecting with backoff if
     * it fails; the bound holds meanwhile. Needs the PostgreSQL JDBC driver and the triggers of the
     * shipped schema; not through a transaction-mode pooler (PgBouncer, Neon's {@code -pooler}
     * endpoints), which does not deliver notifications — use {@link #listenForChanges(DataSource)}
     * with a direct connection there.
     */
    public Builder listenForChanges() {
      return listenForChanges(dataSource);
    }

    /**
     * {@link #listenForChanges()} with the listener's connection taken from {@code
     * listenerDataSource}, for example a direct connection when lookups go through a pooler.
     */
    public Builder listenForChanges(DataSource listenerDataSource) {
      this.listenerDataSource = requireNonNull(listenerDataSource, "listenerDataSource");
      return this;
    }

    /** The time source of the cache, nanoseconds as {@link System#nanoTime()}; for tests. */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** What the listener does, observed; for tests. */
    Builder listenerEvents(KeyChangeListener.Events events) {
      this.listenerEvents = requireNonNull(events, "events");
      return this;
    }

    /**
     * The store. Does not connect: a database that is down at startup gives 503 for keys until it
     * answers, like one that goes down later.
     *
     * @throws IllegalStateException if {@link #listenForChanges} is set and the PostgreSQL driver
     *     is not on the class path
     */
    public JdbcKeyStore build() {
      return new JdbcKeyStore(this);
    }
  }

  /**
   * The key store cannot answer now: the database is unreachable or refused the statement, or a row
   * is not a valid key record. Lookups that throw it make the verifier answer 503 {@code
   * VERIFIER_UNAVAILABLE}; a change that throws it was rolled back, unless the message says that
   * the connection failed during the commit.
   *
   * <p>The message names the table, what was being done and the SQLState (and the id of an invalid
   * row), never a key, a hash or any other value from the database; for that reason the driver's
   * exception is not attached as the cause.
   */
  public static final class UnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final @Nullable String sqlState;

    /**
     * Creates the exception.
     *
     * @param message what failed; must not contain a key, a hash or data from the database
     * @param sqlState the SQLState reported by the driver, or {@code null}
     */
    public UnavailableException(String message, @Nullable String sqlState) {
      super(requireNonNull(message, "message"));
      this.sqlState = sqlState;
    }

    /** The SQLState reported by the driver ({@code 08001}: cannot connect, …), or {@code null}. */
    public @Nullable String sqlState() {
      return sqlState;
    }
  }

  /**
   * The record with this id, from the cache if it was looked up less than one revocation bound ago,
   * else from the table.
   *
   * @throws UnavailableException if the table must be asked and cannot answer
   */
  @Override
  public @Nullable KeyRecord findById(String id) {
    return cache.findById(id);
  }

  /**
   * The legacy record with this hash, cached like {@link #findById}.
   *
   * @throws UnavailableException if the table must be asked and cannot answer
   */
  @Override
  public @Nullable KeyRecord findByHash(String hash) {
    return cache.findByHash(hash);
  }

  /**
   * Every record in the table, oldest first, read now (not cached).
   *
   * @throws UnavailableException if the table cannot answer, or holds an invalid row
   */
  @Override
  public List<KeyRecord> records() {
    return table.records();
  }

  /**
   * Inserts a record.
   *
   * @throws IllegalArgumentException if a record with the same id or hash exists
   * @throws UnavailableException if the table cannot take the change
   */
  @Override
  public void add(KeyRecord record) {
    table.add(record);
    cache.evict(record.id());
  }

  /**
   * Marks the record with this id revoked, in one transaction. This instance refuses the key at
   * once; the others within the revocation bound, or at once when they listen for changes.
   *
   * @throws java.util.NoSuchElementException if there is no record with this id
   * @throws UnavailableException if the table cannot take the change
   */
  @Override
  public KeyRecord revoke(String id) {
    KeyRecord revoked = table.revoke(id);
    cache.evict(id);
    return revoked;
  }

  /**
   * Rotates a key in one transaction: the old record's {@code notAfter} becomes the earlier of its
   * own and {@code retireAt}, and {@code successor} is inserted.
   *
   * @throws java.util.NoSuchElementException if there is no record with this id
   * @throws IllegalStateException if that record is revoked
   * @throws IllegalArgumentException if the successor's id or hash exists
   * @throws UnavailableException if the table cannot take the change
   */
  @Override
  public KeyRecord rotate(String id, Instant retireAt, KeyRecord successor) {
    KeyRecord retired = table.rotate(id, retireAt, successor);
    cache.evict(id);
    cache.evict(successor.id());
    return retired;
  }

  /**
   * Records uses in one transaction: {@code first_used_at} is set once, {@code last_used_at} only
   * moves forward. The cache is left as it is, and the shipped triggers neither move {@code
   * updated_at} nor notify listeners for such an update: a use is not a change of the key.
   *
   * @throws UnavailableException if the table cannot take the change, for example because {@link
   *     #USAGE_SCHEMA_RESOURCE} is not applied or the role may not update the usage columns
   */
  @Override
  public void recordUsage(Map<String, KeyUsage> uses) {
    table.recordUsage(uses);
  }

  /**
   * Every key's {@code created_at}, {@code first_used_at} and {@code last_used_at}, read now.
   *
   * @throws UnavailableException if the table cannot answer, for example because {@link
   *     #USAGE_SCHEMA_RESOURCE} is not applied
   */
  @Override
  public Map<String, KeyUsage> usage() {
    return table.usage();
  }

  /** The table, as configured. */
  public String table() {
    return table.table();
  }

  /** The revocation bound. */
  public Duration revocationBound() {
    return cache.revocationBound();
  }

  /** Stops listening for changes, if the store listens. Lookups and writes keep working. */
  @Override
  public void close() {
    KeyChangeListener l = listener;
    if (l != null) {
      l.close();
    }
  }

  /**
   * The table, the bound and whether the store is listening for changes now; never a connection
   * detail.
   */
  @Override
  public String toString() {
    KeyChangeListener l = listener;
    return "JdbcKeyStore{table="
        + table.table()
        + ", revocationBound="
        + cache.revocationBound()
        + ", listening="
        + (l != null && l.isRunning())
        + "}";
  }

  /** The notification channel of a table: its unqualified name, as the trigger's TG_TABLE_NAME. */
  private static String channel(String table) {
    return table.substring(table.indexOf('.') + 1);
  }
}

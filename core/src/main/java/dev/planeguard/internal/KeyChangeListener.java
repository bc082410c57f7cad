package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evicts keys from a {@link CachingKeyStore} as soon as PostgreSQL announces a change: {@code
 * LISTEN <channel>} on a connection of its own, on a daemon thread, and {@link
 * CachingKeyStore#evict} for each {@code NOTIFY <channel>, '<id>'} ({@code '*'}: {@link
 * CachingKeyStore#evictAll}). The trigger of the shipped schema sends them for every change of the
 * key table, whoever makes it.
 *
 * <p>The listener only shortens the revocation delay; the cache's bound holds without it. If its
 * connection fails, it evicts nothing until it has reconnected (with exponential backoff, 100 ms to
 * 5 s, with jitter), and then evicts everything once, since notifications sent meanwhile are lost.
 * The first failure of an outage is logged at WARN, the recovery at INFO (logger {@code
 * planeguard.keys}); neither message contains more than the SQLState.
 *
 * <p>This is the only class of planeguard that uses the PostgreSQL driver's own API ({@link
 * PGConnection#getNotifications(int)}); JDBC has no standard way to receive notifications.
 */
public final class KeyChangeListener implements AutoCloseable {

  /** What the listener does, for tests and health checks. Called on the listener's thread. */
  public interface Events {
    /** {@code LISTEN} succeeded (at start, or again after a failure) and the cache was emptied. */
    default void listening() {}

    /** A notification with this payload was received and acted upon. */
    default void notified(String payload) {}

    /** The connection failed or could not be made; the listener will try again. */
    default void lost() {}

    /**
     * The listener has stopped: {@link KeyChangeListener#close()}, or the database is no
     * PostgreSQL.
     */
    default void stopped() {}

    /** No events. */
    Events NONE = new Events() {};
  }

  /** The payload that evicts everything (sent after {@code TRUNCATE}). */
  public static final String EVERYTHING = "*";

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.keys");
  private static final long MIN_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /** How long one wait for notifications lasts; also how soon {@link #close()} is noticed. */
  private static final int POLL_MILLIS = 250;

  /** How often an idle connection is checked, to notice a peer that vanished without a word. */
  private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(15);

  private static final int CHECK_TIMEOUT_SECONDS = 5;

  private final DataSource dataSource;
  private final String channel;
  private final CachingKeyStore cache;
  private final Events events;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;

  /**
   * A listener on {@code channel}, not yet started.
   *
   * @throws NoClassDefFoundError if the PostgreSQL JDBC driver is not on the class path
   * @param channel a safe SQL identifier (checked by the caller): the key table's unqualified name
   */
  public KeyChangeListener(
      DataSource dataSource, String channel, CachingKeyStore cache, Events events) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.channel = requireNonNull(channel, "channel");
    this.cache = requireNonNull(cache, "cache");
    this.events = requireNonNull(events, "events");
    // Fails here, with NoClassDefFoundError, when the PostgreSQL driver is absent: at build time,
    // not later on the listener's thread.
    requireNonNull(PGConnection.class.getName());
    this.thread = new Thread(this::run, "planeguard-key-listener");
    this.thread.setDaemon(true);
  }

  /** Starts listening on a daemon thread. */
  public void start() {
    thread.start();
  }

  /** Whether {@link #close()} was called. */
  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void run() {
    try {
      listenUntilClosed();
    } finally {
      events.stopped();
    }
  }

  private void listenUntilClosed() {
    long backoff = MIN_BACKOFF_MILLIS;
    boolean failing = false;
    while (!isClosed()) {
      try (Connection c = dataSource.getConnection()) {
        if (!c.isWrapperFor(PGConnection.class)) {
          LOG.error(
              "planeguard key listener stopped: the data source is not PostgreSQL, which"
                  + " LISTEN/NOTIFY needs; revocations reach this node within the revocation"
                  + " bound ({})",
              cache.revocationBound());
          return;
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        // Changes before LISTEN were not announced to us: forget everything once.
        cache.evictAll();
        if (failing) {
          LOG.info("planeguard key listener is listening again on channel {}", channel);
          failing = false;
        }
        backoff = MIN_BACKOFF_MILLIS;
        events.listening();
        listen(c, pg);
      } catch (SQLException | RuntimeException e) {
        if (isClosed()) {
          return;
        }
        if (!failing) {
          failing = true;
          LOG.warn(
              "planeguard key listener lost its database connection ({}); revocations reach this"
                  + " node within the revocation bound ({}) until it reconnects",
              e instanceof SQLException sql ? "SQLState " + sql.getSQLState() : Text.describe(e),
              cache.revocationBound());
        }
        events.lost();
      }
      long jitter = ThreadLocalRandom.current().nextLong(backoff / 4 + 1);
      if (pause(backoff - jitter)) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  /** Receives notifications until the connection fails (throws) or the listener is closed. */
  private void listen(Connection c, PGConnection pg) throws SQLException {
    long lastHeard = System.nanoTime();
    while (!isClosed()) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null && notifications.length > 0) {
        lastHeard = System.nanoTime();
        for (PGNotification n : notifications) {
          if (!channel.equals(n.getName())) {
            continue;
          }
          String payload = n.getParameter();
          if (payload.equals(EVERYTHING)) {
            cache.evictAll();
          } else {
            cache.evict(payload);
          }
          events.notified(payload);
        }
      } else if (System.nanoTime() - lastHeard > CHECK_NANOS) {
        if (!c.isValid(CHECK_TIMEOUT_SECONDS)) {
          throw new SQLException("the listener's connection is no longer valid", "08006");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  /** Waits, or returns {@code true} at once when closed meanwhile. */
  private boolean pause(long millis) {
    try {
      return closed.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * Stops listening: the thread ends within a quarter of a second and gives its connection back.
   * Waits for that, at most {@code wait}.
   */
  public void close(Duration wait) {
    closed.countDown();
    try {
      thread.join(Math.max(1, wait.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(1));
  }

  /** Whether the listener's thread is running: started, and neither closed nor given up. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  @Override
  public String toString() {
    return "KeyChangeListener{channel=" + channel + ", running=" + thread.isAlive() + "}";
  }
}

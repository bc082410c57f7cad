package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The token buckets of admission: in this process (Bucket4j's local buckets), or shared by a fleet
 * in a PostgreSQL table (Bucket4j's PostgreSQL backend) with a local allowance. Either way the
 * bucket objects of this process are held in a Caffeine cache: bounded in number, and each dropped
 * only once idle for longer than its bucket takes to fill up again, so that dropping one never
 * gives a caller more than waiting would have.
 */
public final class Buckets {

  /**
   * One bucket: what it limits and how. Two ids with different shapes are different buckets, so
   * that a key whose limit changed starts a bucket of its new limit.
   *
   * @param kind what the id names: {@code k} a key's own limit, {@code p} a caller's default limit,
   *     {@code s} a sandbox key, {@code t} a tenant, {@code u} a key's uses, {@code b} a tenant's
   *     budget of one UTC day
   * @param id the key id, caller, tenant (with the day, for budgets)
   * @param shape the bucket's capacity and refill
   */
  public record Id(char kind, String id, Shape shape) {
    /** The primary key of the shared table: readable, and unique for kind, id and shape. */
    String key() {
      return kind + ":" + id + ":" + shape;
    }
  }

  /**
   * A bucket's capacity and refill: {@code refill} tokens every {@code period}, smoothly ({@code
   * greedy}) or all at once at the end of each period.
   */
  public record Shape(long capacity, long refill, Duration period, boolean greedy) {
    Bandwidth bandwidth() {
      return greedy
          ? Bandwidth.builder().capacity(capacity).refillGreedy(refill, period).build()
          : Bandwidth.builder().capacity(capacity).refillIntervally(refill, period).build();
    }

    /**
     * Nanoseconds an idle bucket takes to fill up from empty; it can be dropped after that. Plain
     * arithmetic: the cache asks on every read.
     */
    long fillNanos() {
      long p = period.toNanos();
      long times = greedy ? Math.max(1, capacity / refill) : 1;
      return p > Long.MAX_VALUE / times ? Long.MAX_VALUE : p * times;
    }

    @Override
    public String toString() {
      return capacity + "/" + refill + "/" + period.toSeconds() + (greedy ? "g" : "i");
    }
  }

  private final Cache<Id, Bucket> buckets;
  private final @Nullable ProxyManager<String> shared;
  private final @Nullable DelayParameters allowance;
  private final TimeMeter time;
  private final AtomicLong lastSweep = new AtomicLong();

  private Buckets(
      long maxBuckets,
      TimeMeter time,
      @Nullable ProxyManager<String> shared,
      @Nullable DelayParameters allowance) {
    this.time = time;
    this.shared = shared;
    this.allowance = allowance;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxBuckets)
            // Maintenance on the request thread, amortised by Caffeine's buffers: handing it to
            // the common pool woke a thread (unpark) often enough to double the cost of a limit.
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<Id, Bucket>() {
                  @Override
                  public long expireAfterCreate(Id id, Bucket bucket, long currentTime) {
                    return idle(id);
                  }

                  @Override
                  public long expireAfterUpdate(
                      Id id, Bucket bucket, long currentTime, long currentDuration) {
                    return idle(id);
                  }

                  @Override
                  public long expireAfterRead(
                      Id id, Bucket bucket, long currentTime, long currentDuration) {
                    return idle(id);
                  }
                })
            .build();
  }

  private static final long MIN_IDLE_NANOS = Duration.ofMinutes(1).toNanos();

  private static long idle(Id id) {
    // Never less than a minute, so that a busy caller's bucket is not made again and again.
    return Math.max(id.shape.fillNanos(), MIN_IDLE_NANOS);
  }

  /** Buckets of this process, on {@code clock}. */
  public static Buckets local(long maxBuckets, Clock clock) {
    // The system clock read without an Instant per request; a test's clock as it is.
    TimeMeter meter =
        clock.equals(Clock.systemUTC()) ? TimeMeter.SYSTEM_MILLISECONDS : meter(clock);
    return new Buckets(maxBuckets, meter, null, null);
  }

  /**
   * Buckets shared through {@code table} of {@code dataSource}, each node spending up to {@code
   * allowance} tokens of a bucket, or for up to {@code maxDelay}, before it writes them to the
   * table. They run on the system clock.
   */
  public static Buckets shared(
      DataSource dataSource, String table, long maxBuckets, long allowance, Duration maxDelay) {
    // The wall clock, never a test's: the rows are shared with other processes, and each row's
    // expiry is an instant the database and every node must agree on.
    TimeMeter meter = TimeMeter.SYSTEM_MILLISECONDS;
    PostgreSQLSelectForUpdateBasedProxyManager<String> manager =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(requireNonNull(dataSource))
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table(table)
            .idColumn("id")
            .stateColumn("state")
            .expiresAtColumn("expires_at")
            .clientClock(meter)
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                    Duration.ofMinutes(1)))
            .build();
    return new Buckets(
        maxBuckets,
        meter,
        manager,
        allowance <= 0 ? null : new DelayParameters(allowance, maxDelay));
  }

  /**
   * Why {@code table} of {@code dataSource} cannot hold shared counts, or {@code null} if it can:
   * one query at startup, so that a missing table or privilege stops the process rather than
   * refusing every limited request later.
   */
  public static @Nullable String checkTable(DataSource dataSource, String table) {
    try {
      JdbcKeyTable.checkName(table);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.Statement st = c.createStatement()) {
      st.setQueryTimeout(10);
      // Reads nothing, but needs the table, its columns and the SELECT privilege.
      st.executeQuery("SELECT id, state, expires_at FROM " + table + " WHERE false").close();
      return null;
    } catch (java.sql.SQLException e) {
      String state = e.getSQLState();
      String hint = SqlFailures.commonHint(state);
      return "cannot read the shared rate-limit table "
          + table
          + " (SQLState "
          + (state == null ? "none" : state)
          + ("42P01".equals(state)
              ? ": the table does not exist"
              : "42703".equals(state)
                  ? ": the table lacks a column"
                  : "42501".equals(state)
                      ? ": the database role lacks a privilege on the table"
                      : hint == null ? "" : ": " + hint)
          + ")";
    }
  }

  /** Whether the buckets are shared through a table. */
  public boolean isShared() {
    return shared != null;
  }

  /**
   * The bucket of {@code id}. A shared bucket may reach the database when used.
   *
   * @throws RuntimeException (from Bucket4j) if the shared table cannot be reached
   */
  public Bucket get(Id id) {
    Bucket b = buckets.getIfPresent(id);
    if (b != null) {
      return b;
    }
    return buckets.get(id, this::make);
  }

  private Bucket make(Id id) {
    ProxyManager<String> manager = shared;
    if (manager == null) {
      // One or two buckets per request, rarely contended: a monitor costs less than the lock-free
      // strategy's copy of the state on every consumption.
      return Bucket.builder()
          .addLimit(id.shape.bandwidth())
          .withCustomTimePrecision(time)
          .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
          .build();
    }
    sweep(manager);
    BucketConfiguration config =
        BucketConfiguration.builder().addLimit(id.shape.bandwidth()).build();
    var builder = manager.builder();
    DelayParameters delay = allowance;
    if (delay != null) {
      builder = builder.withOptimization(Optimizations.delaying(delay));
    }
    return builder.build(id.key(), () -> config);
  }

  /** Removes expired rows of the shared table now and then (at most every ten minutes). */
  private void sweep(ProxyManager<String> manager) {
    long now = time.currentTimeNanos();
    long last = lastSweep.get();
    if (now - last > Duration.ofMinutes(10).toNanos() && lastSweep.compareAndSet(last, now)) {
      if (manager instanceof PostgreSQLSelectForUpdateBasedProxyManager<String> pg) {
        try {
          pg.removeExpired(1000);
        } catch (RuntimeException e) {
          // Expired rows are only clutter; the next sweep tries again.
        }
      }
    }
  }

  /** How many buckets this process holds now (for tests and metrics). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private static TimeMeter meter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }
}

package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyUsage;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the first and last use of each key in a {@link KeyStore.UsageRecording} store without
 * slowing a request: {@link #noteUse} (on the request thread) only updates memory, at most once a
 * minute per key; {@link #flush} (on one background thread, every minute) writes what was noted.
 *
 * <p>A key is handed to the store at most once a minute, counted from the previous attempt, so a
 * database row is updated at most once a minute per key by each process, whatever the traffic. A
 * failed write keeps its uses for the next flush and is logged once per run of failures, without
 * the store's data; it never reaches the verifier's decision.
 */
public final class KeyUsageRecorder implements AutoCloseable {

  /** How often a key's use is noted, and how often a key is written to the store, at most. */
  public static final Duration INTERVAL = Duration.ofMinutes(1);

  /** Keys tracked at most; a store holds fewer keys than this in practice. */
  static final int MAX_KEYS = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.keys");
  private static final long INTERVAL_NANOS = INTERVAL.toNanos();
  private static final long NEVER = Long.MIN_VALUE;

  private final KeyStore.UsageRecording store;
  private final Clock clock;
  private final LongSupplier ticker;
  private final ConcurrentHashMap<String, Use> uses = new ConcurrentHashMap<>();
  private final Object flushLock = new Object();
  private volatile @Nullable ScheduledExecutorService flusher;

  /** The failure last logged, while writes fail; {@code null} while they succeed. */
  private @Nullable String failing;

  /**
   * A recorder that flushes only when {@link #flush} or {@link #close} is called; {@link #start}
   * flushes every minute on a thread of its own.
   *
   * @param clock the instants recorded
   * @param ticker nanoseconds, as {@link System#nanoTime()}, for the once-a-minute limits
   */
  public KeyUsageRecorder(KeyStore.UsageRecording store, Clock clock, LongSupplier ticker) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.ticker = requireNonNull(ticker, "ticker");
  }

  /** A recorder with the system clock that flushes every minute on a daemon thread. */
  @SuppressWarnings("FutureReturnValueIgnored") // flush() never throws; close() ends the task
  public static KeyUsageRecorder start(KeyStore.UsageRecording store) {
    KeyUsageRecorder recorder = new KeyUsageRecorder(store, Clock.systemUTC(), System::nanoTime);
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "planeguard-key-usage");
              t.setDaemon(true);
              return t;
            });
    long millis = INTERVAL.toMillis();
    executor.scheduleWithFixedDelay(recorder::flush, millis, millis, TimeUnit.MILLISECONDS);
    recorder.flusher = executor;
    return recorder;
  }

  /**
   * Notes that the key with this id was accepted now. Memory only: a map lookup and, at most once a
   * minute per key, a short lock on that key's entry.
   */
  public void noteUse(String id) {
    long now = ticker.getAsLong();
    Use use = uses.get(id);
    if (use == null) {
      if (uses.size() >= MAX_KEYS) {
        return;
      }
      use = uses.computeIfAbsent(id, k -> new Use());
    }
    use.note(now, clock);
  }

  /**
   * Writes the uses noted since the last write of each key, for the keys last written a minute ago
   * or more. Never throws.
   *
   * @return whether nothing is left to write that was due
   */
  public boolean flush() {
    synchronized (flushLock) {
      long now = ticker.getAsLong();
      Map<String, KeyUsage> batch = new HashMap<>();
      Map<String, Use> taken = new HashMap<>();
      uses.forEach(
          (id, use) -> {
            KeyUsage pending = use.takeIfDue(now);
            if (pending != null) {
              batch.put(id, pending);
              taken.put(id, use);
            }
          });
      if (batch.isEmpty()) {
        return true;
      }
      try {
        store.recordUsage(Map.copyOf(batch));
      } catch (RuntimeException e) {
        taken.forEach((id, use) -> use.putBack(requireNonNull(batch.get(id))));
        failed(batch.size(), e);
        return false;
      }
      if (failing != null) {
        failing = null;
        LOG.info("planeguard records key usage in {} again", describe(store));
      }
      return true;
    }
  }

  private void failed(int keys, RuntimeException e) {
    String why = message(e);
    if (!why.equals(failing)) {
      LOG.warn(
          "planeguard cannot record the use of {} keys in {}; decisions are unaffected and the"
              + " uses are kept for the next attempt in a minute: {}",
          keys,
          describe(store),
          why);
    } else {
      LOG.debug("planeguard still cannot record key usage in {}", describe(store));
    }
    failing = why;
  }

  /**
   * The failure, as it can be logged: the messages of planeguard's own stores are composed to be
   * shown (a table and SQLState, a path and the fix); another store's message might quote a key.
   */
  private String message(RuntimeException e) {
    if (e instanceof JdbcKeyStore.UnavailableException
        || (store instanceof KeyFile && e instanceof UncheckedIOException)) {
      return String.valueOf(e.getMessage());
    }
    return Text.describe(e);
  }

  private static String describe(Object store) {
    return store instanceof JdbcKeyStore || store instanceof KeyFile
        ? store.toString()
        : store.getClass().getName();
  }

  /** Stops the minute flush and writes what is due one last time. */
  @Override
  public void close() {
    ScheduledExecutorService executor = flusher;
    if (executor != null) {
      executor.shutdown();
      try {
        // A flush under way ends within the store's own timeouts.
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flush();
  }

  @Override
  public String toString() {
    return "KeyUsageRecorder{" + describe(store) + ", " + uses.size() + " keys}";
  }

  /** What is known of one key's use in this process. */
  private static final class Use {

    /** When a use was last noted (ticker nanoseconds), or {@link #NEVER}. */
    private volatile long notedAt = NEVER;

    /** Uses noted and not yet written, guarded by {@code this}. */
    private @Nullable Instant first;

    private @Nullable Instant last;

    /** When this key was last handed to the store, guarded by {@code this}. */
    private long attemptedAt = NEVER;

    void note(long now, Clock clock) {
      long noted = notedAt;
      if (noted != NEVER && now - noted < INTERVAL_NANOS) {
        return; // the request path's common case: one volatile read
      }
      synchronized (this) {
        noted = notedAt;
        if (noted != NEVER && now - noted < INTERVAL_NANOS) {
          return;
        }
        notedAt = now;
        Instant at = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        if (first == null || at.isBefore(first)) {
          first = at;
        }
        if (last == null || at.isAfter(last)) {
          last = at;
        }
      }
    }

    /** The uses to write now, cleared here, or {@code null} if none or written too recently. */
    synchronized @Nullable KeyUsage takeIfDue(long now) {
      Instant f = first;
      Instant l = last;
      if (f == null || l == null || (attemptedAt != NEVER && now - attemptedAt < INTERVAL_NANOS)) {
        return null;
      }
      attemptedAt = now;
      first = null;
      last = null;
      return new KeyUsage(null, f, l);
    }

    /** Keeps uses whose write failed, merged with those noted meanwhile. */
    synchronized void putBack(KeyUsage failed) {
      Instant f = requireNonNull(failed.firstUsed());
      Instant l = requireNonNull(failed.lastUsed());
      first = first == null || f.isBefore(first) ? f : first;
      last = last == null || l.isAfter(last) ? l : last;
    }
  }
}

package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.JdbcKeyTable;
import dev.planeguard.internal.LedgerChain;
import dev.planeguard.internal.LedgerFileStore;
import dev.planeguard.internal.LedgerFormat;
import dev.planeguard.internal.LedgerJdbcStore;
import dev.planeguard.internal.LedgerStore;
import dev.planeguard.internal.StrictJson;
import dev.planeguard.internal.Text;
import dev.planeguard.keys.KeyRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit ledger: every decision and key event as one entry of an append-only, hash-chained JSON
 * Lines file, or of a database table for a fleet ({@link #jdbc}). Each entry carries a sequence
 * number and the SHA-256 of the entry before it, so {@link #verify} (and {@code planeguard audit
 * verify}) finds an entry that was edited, removed, reordered or inserted.
 * <!-- example: AuditLedger.file -->
 *
 * <pre>{@code
 * AuditLedger ledger = AuditLedger.file(Path.of("/var/lib/app/audit/ledger.jsonl")).open();
 * Enforcer enforcer = Enforcer.builder()
 *     .contract(contract)
 *     .policy(policy)
 *     .machineKeyVerifier(keyVerifier)
 *     .auditLedger(ledger)   // every decision, allows included
 *     .build();
 * // on shutdown: ledger.close() writes what is queued
 * }</pre>
 *
 * <p>Writing never blocks a request on I/O: {@link #record} puts the event in a bounded queue and
 * returns; one writer thread writes the queue in batches, forced to disk, at most every {@link
 * Builder#flushInterval flush interval} (200 ms by default). When the queue is full, or writes have
 * failed for longer than the {@link Builder#failureBound failure bound}, the ledger stops {@link
 * #accepting()} new requests: the {@link Enforcer} then refuses requests that would be allowed with
 * 503 {@link Reason#AUDIT_UNAVAILABLE} in preprod and prod (decision row 16), and logs a warning in
 * local and test. The writer keeps retrying; what was accepted into the queue is written when
 * writes succeed again and on {@link #close()}. A crash loses at most the last flush interval, and
 * never breaks the chain of what was written.
 *
 * <p>In a table, each process writes the chain of its node (one row per entry, keyed by node and
 * sequence number), each batch in one transaction. The ledger connects for the first time on its
 * writer thread, not in {@link Builder#open()}: a database that is down, or a table not created
 * yet, is a failing write like one later (retried, and past the failure bound refusing allowed
 * requests in preprod and prod), and the ledger goes on by itself once it answers.
 *
 * <p>Thread-safe. One process writes one ledger: two processes appending to the same file break
 * each other's chain. In a table, its primary key keeps two processes from mixing one node's chain:
 * the one that finds its next sequence number taken by the other stops writing, saying why, and
 * fails closed like any ledger that cannot write.
 */
public final class AuditLedger implements AuditSink, AutoCloseable {

  /** The table of a ledger in a database unless configured otherwise: {@value}. */
  public static final String DEFAULT_TABLE = "planeguard_audit_ledger";

  /**
   * The class-path resource holding the PostgreSQL schema of the ledger table ({@value
   * #DEFAULT_TABLE}, append-only by trigger). Its name follows Flyway's {@code
   * V<version>__<description>.sql}, after the key store's migrations in the same directory.
   */
  public static final String SCHEMA_RESOURCE =
      "dev/planeguard/sql/postgresql/V3__planeguard_audit_ledger.sql";

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.audit.ledger");
  private static final int MAX_BATCH = 8192;
  // The timeout of each statement of a ledger in a table.
  private static final int QUERY_TIMEOUT_SECONDS = 5;
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final LedgerStore store;
  private final Clock clock;
  private final @Nullable String node;
  private final long flushNanos;
  private final long failureBoundNanos;
  private final int capacity;
  // One permit per entry the queue may still take; an entry gives its permit back once written.
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final Thread writer;
  private final Thread shutdownHook;
  private final AtomicLong dropped = new AtomicLong();
  private final Set<String> expiredSeen = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastRefusalWarning =
      new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  // Written by the writer thread only (and by the constructor, for a store read at opening).
  private boolean positioned;
  private long nextSeq;
  private String prevHash = LedgerFormat.GENESIS;
  // Entries queued and written since opening, for flush().
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  private volatile boolean failing;
  private volatile boolean unavailable;
  private volatile boolean closing;
  private volatile boolean flushAsked;
  private volatile @Nullable String lastFailure;

  private AuditLedger(Builder b, LedgerStore store, boolean positionNow) throws IOException {
    this.store = store;
    this.clock = b.clock;
    this.node = b.node;
    this.flushNanos = b.flushInterval.toNanos();
    this.failureBoundNanos = b.failureBound.toNanos();
    this.capacity = b.queueCapacity;
    this.permits = new Semaphore(capacity);
    if (positionNow) {
      position();
    }
    this.writer = new Thread(this::writeLoop, "planeguard-audit-ledger");
    this.writer.setDaemon(true);
    this.shutdownHook = new Thread(this::close, "planeguard-audit-ledger-shutdown");
  }

  /**
   * A ledger in the JSON Lines file {@code path} (created {@code 0600} if missing; an existing
   * ledger is continued). Rotated files sit beside it as {@code <name>.<first sequence number>}.
   */
  public static Builder file(Path path) {
    return new Builder(requireNonNull(path, "path"), null, null);
  }

  /**
   * A ledger in a table of {@code dataSource} ({@value #DEFAULT_TABLE} unless {@link Builder#table}
   * says otherwise; create it with {@value #SCHEMA_RESOURCE}), as the chain of {@code node}: every
   * process of a fleet writes its own chain in the same table, so {@code node} must be unique to
   * this process and should stay the same across its restarts (then the chain is continued), such
   * as the host or pod name. The rotation settings do not apply to a table.
   * <!-- example: AuditLedger.jdbc -->
   *
   * <pre>{@code
   * AuditLedger ledger = AuditLedger.jdbc(dataSource, "web-1").open(); // connects when writing
   * Enforcer enforcer = Enforcer.builder()
   *     .contract(contract)
   *     .policy(policy)
   *     .machineKeyVerifier(keyVerifier)
   *     .auditLedger(ledger)
   *     .build();
   * // later, anywhere: AuditLedger.verify(dataSource, "web-1")
   * }</pre>
   *
   * <p>The application's role needs {@code SELECT} and {@code INSERT} on the table, nothing more.
   * Each batch takes a connection from {@code dataSource}: give the pool a short connection
   * timeout, since a write waiting for a connection counts as failing only once it gives up; every
   * statement times out after 5 seconds.
   *
   * @param node 1 to 64 characters of {@code A-Z a-z 0-9 . _ : -}; checked by {@link
   *     Builder#open()}
   */
  public static Builder jdbc(DataSource dataSource, String node) {
    return new Builder(
        null, requireNonNull(dataSource, "dataSource"), requireNonNull(node, "node"));
  }

  /** Records a decision. Never blocks and never throws; see the class description. */
  @Override
  public void record(AuditEvent event) {
    record(event, false);
  }

  /**
   * Takes a place in the queue for an allowed request's event, or answers {@code false} if the
   * ledger cannot take it now (queue full, writes failing past the bound, closed).
   */
  boolean reserve() {
    if (unavailable || closing || !permits.tryAcquire()) {
      warnRefusal();
      return false;
    }
    return true;
  }

  /** Gives back a place {@link #reserve() reserved} for an event that will not be recorded. */
  void release() {
    permits.release();
  }

  /** Records {@code event}, in a place {@link #reserve() reserved} for it or in a new one. */
  void record(AuditEvent event, boolean reserved) {
    enqueue(new DecisionEntry(event), reserved);
  }

  /** {@code KEY_CREATED}: the new key's attributes (never the key or its hash). */
  public void keyCreated(KeyRecord key, @Nullable String rotatedFrom) {
    Map<String, @Nullable Object> f = new LinkedHashMap<>();
    f.put("key_id", key.id());
    f.put("kind", key.kind().code());
    f.put("mode", key.mode().id());
    f.put("tenant", key.tenant());
    f.put("scopes", List.copyOf(key.scopes()));
    f.put("not_after", key.notAfter() == null ? null : String.valueOf(key.notAfter()));
    f.put("legacy", key.legacy());
    f.put("rotated_from", rotatedFrom);
    keyEvent("KEY_CREATED", f);
  }

  /** {@code KEY_ROTATED}: the old key, its successor and when the old key stops working. */
  public void keyRotated(KeyRecord old, KeyRecord successor) {
    Map<String, @Nullable Object> f = new LinkedHashMap<>();
    f.put("key_id", old.id());
    f.put("successor_id", successor.id());
    f.put("not_after", old.notAfter() == null ? null : String.valueOf(old.notAfter()));
    keyEvent("KEY_ROTATED", f);
  }

  /** {@code KEY_REVOKED}. */
  public void keyRevoked(KeyRecord key) {
    Map<String, @Nullable Object> f = new LinkedHashMap<>();
    f.put("key_id", key.id());
    keyEvent("KEY_REVOKED", f);
  }

  /**
   * {@code KEY_EXPIRED}, the first time this process refuses the key as past its {@code notAfter}
   * (later refusals are decisions only). Remembers up to 10,000 keys; past that, each first refusal
   * after a reset is recorded again.
   */
  void keyExpired(String keyId, Instant time) {
    if (expiredSeen.size() >= 10_000) {
      expiredSeen.clear();
    }
    if (expiredSeen.add(keyId)) {
      Map<String, @Nullable Object> f = new LinkedHashMap<>();
      f.put("key_id", keyId);
      enqueue(
          new KeyEntry(time, "KEY_EXPIRED", Collections.unmodifiableMap(withoutNulls(f))), false);
    }
  }

  private void keyEvent(String type, Map<String, @Nullable Object> fields) {
    // Kept in the order given: Map.copyOf would shuffle the members of the line.
    enqueue(
        new KeyEntry(clock.instant(), type, Collections.unmodifiableMap(withoutNulls(fields))),
        false);
  }

  private static Map<String, Object> withoutNulls(Map<String, @Nullable Object> fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    fields.forEach(
        (k, v) -> {
          if (v != null) {
            m.put(k, v);
          }
        });
    return m;
  }

  private void enqueue(Pending entry, boolean reserved) {
    if (!reserved && (closing || !permits.tryAcquire())) {
      long n = dropped.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1) {
        LOG.error(
            "audit ledger {} is full or closed: {} entries could not be recorded so far",
            store.describe(),
            n);
      }
      return;
    }
    queue.add(entry);
    queued.incrementAndGet();
    if (permits.availablePermits() < capacity / 2) {
      LockSupport.unpark(writer);
    }
  }

  /**
   * Whether the ledger takes new entries now: false while the queue is full, after writes have
   * failed for longer than the failure bound, and once closed.
   */
  public boolean accepting() {
    return !unavailable && !closing && permits.availablePermits() > 0;
  }

  /** Entries that could not be queued (queue full or closed) since the ledger was opened. */
  public long dropped() {
    return dropped.get();
  }

  /** Where the ledger is written. */
  public String describe() {
    return store.describe();
  }

  private void warnRefusal() {
    long now = System.nanoTime();
    long last = lastRefusalWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastRefusalWarning.compareAndSet(last, now)) {
      String cause = lastFailure;
      LOG.warn(
          "audit ledger {} cannot take entries ({}); in preprod and prod requests that would be"
              + " allowed are refused with 503 AUDIT_UNAVAILABLE until it can",
          store.describe(),
          closing ? "closed" : cause == null ? "the queue is full" : cause);
    }
  }

  /** Reads where the chain ends, to continue it. */
  private void position() throws IOException {
    LedgerStore.Tail tail = store.tail();
    nextSeq = tail == null ? 0 : tail.seq() + 1;
    prevHash = tail == null ? LedgerFormat.GENESIS : tail.hash();
    positioned = true;
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    long failingSince = 0;
    long lastWrite = System.nanoTime();
    while (true) {
      if (!positioned) {
        if (closing && queue.isEmpty()) {
          return;
        }
      } else if (batch.isEmpty()) {
        if (closing && queue.isEmpty()) {
          return;
        }
        awaitDue(lastWrite);
        Pending p;
        while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
          batch.add(p);
        }
        if (batch.isEmpty()) {
          continue;
        }
      }
      try {
        if (!positioned) {
          position();
        }
        if (!batch.isEmpty()) {
          List<String> lines = new ArrayList<>(batch.size());
          long seq = nextSeq;
          String prev = prevHash;
          for (Pending p : batch) {
            String line = p.line(seq++, prev, node);
            lines.add(line);
            prev = LedgerFormat.hash(line);
          }
          store.append(lines, clock.instant());
          nextSeq = seq;
          prevHash = prev;
          written.addAndGet(batch.size());
          permits.release(batch.size());
          batch.clear();
          lastWrite = System.nanoTime();
        }
        if (failingSince != 0) {
          LOG.info(
              "audit ledger {} writes again after {} ms; every queued entry is kept",
              store.describe(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSince));
          failingSince = 0;
          lastFailure = null;
          failing = false;
          unavailable = false;
        }
      } catch (IOException | RuntimeException e) {
        long now = System.nanoTime();
        if (failingSince == 0) {
          failingSince = now;
          failing = true;
          lastFailure = "writing failed: " + failureText(e);
          LOG.warn(
              "audit ledger {} cannot write ({}); retrying every {} ms, nothing queued is dropped",
              store.describe(),
              failureText(e),
              TimeUnit.NANOSECONDS.toMillis(flushNanos));
        }
        if (now - failingSince > failureBoundNanos) {
          unavailable = true;
        }
        if (closing && now - failingSince > TimeUnit.SECONDS.toNanos(10)) {
          LOG.error(
              "audit ledger {}: closed while writes fail; {} queued entries are lost",
              store.describe(),
              batch.size() + queue.size());
          return;
        }
        LockSupport.parkNanos(this, flushNanos);
      }
    }
  }

  /**
   * Waits until the next batch is due: a flush interval after the last write (one batch, one force
   * to disk, per interval however busy the service is), or sooner when the queue is half full, a
   * {@link #flush} is asked for or the ledger is closing. With nothing queued when the interval is
   * up, it waits another interval.
   */
  private void awaitDue(long lastWrite) {
    long due = lastWrite + flushNanos;
    while (!closing && !flushAsked && permits.availablePermits() >= capacity / 2) {
      long wait = due - System.nanoTime();
      if (wait <= 0) {
        if (!queue.isEmpty()) {
          break;
        }
        due = System.nanoTime() + flushNanos;
        wait = flushNanos;
      }
      LockSupport.parkNanos(this, wait);
    }
    flushAsked = false;
  }

  /** A store's own account of a failure as it is; anything else without its message. */
  private static String failureText(Throwable e) {
    return e instanceof LedgerStore.Failure f ? String.valueOf(f.getMessage()) : Text.describe(e);
  }

  /**
   * Waits until every entry queued before this call is written and forced to disk (committed, in a
   * table), for at most {@code timeout}: for a backup or a check of the ledger while the process
   * runs.
   *
   * @return whether they were written within {@code timeout}
   */
  public boolean flush(Duration timeout) {
    long target = queued.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    flushAsked = true;
    LockSupport.unpark(writer);
    while (written.get() < target) {
      if (System.nanoTime() - deadline > 0 || !writer.isAlive()) {
        return written.get() >= target;
      }
      flushAsked = true;
      LockSupport.unpark(writer);
      LockSupport.parkNanos(100_000);
    }
    return true;
  }

  /** Whether writes are failing now (the ledger may still be accepting, within the bound). */
  public boolean failing() {
    return failing;
  }

  /**
   * Stops taking entries, writes everything queued (retrying for up to 10 seconds while writes
   * fail) and closes the file (the data source of a table is the caller's). Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook is what called us.
    }
    store.close();
    LOG.info("audit ledger {} closed: {} entries written", store.describe(), written.get());
  }

  @Override
  public String toString() {
    return "AuditLedger{" + store.describe() + "}";
  }

  /**
   * Verifies the chain of the ledger whose active file is {@code path}, with the files it was
   * rotated into (oldest first): every entry must name the hash of the one before it, and the chain
   * must start at entry 0.
   *
   * @throws IOException if a file cannot be read
   */
  public static LedgerVerification verify(Path path) throws IOException {
    try (Lines lines = new Lines(LedgerFileStore.files(path))) {
      LedgerVerification v = LedgerChain.verify(lines, 0);
      if (v instanceof LedgerVerification.Intact i && lines.cutShort > 0) {
        return new LedgerVerification.Intact(
            i.entries(), i.lastSeq(), i.headHash(), lines.cutShort);
      }
      return v;
    } catch (UncheckedReadException e) {
      throw e.getCause();
    }
  }

  /**
   * Reads every entry of the ledger whose active file is {@code path} (rotated files first), oldest
   * first. Lines that are not entries are skipped: {@link #verify} reports them.
   *
   * @throws IOException if a file cannot be read
   */
  public static void scan(Path path, Consumer<LedgerEntry> consumer) throws IOException {
    try (Lines lines = new Lines(LedgerFileStore.files(path))) {
      while (lines.hasNext()) {
        entry(lines.next(), consumer);
      }
    } catch (UncheckedReadException e) {
      throw e.getCause();
    }
  }

  /**
   * Verifies the chain of {@code node} in the ledger table {@value #DEFAULT_TABLE} of {@code
   * dataSource}; see {@link #verify(DataSource, String, String)}.
   *
   * @throws IOException if the table cannot be read
   */
  public static LedgerVerification verify(DataSource dataSource, String node) throws IOException {
    return verify(dataSource, DEFAULT_TABLE, node);
  }

  /**
   * Verifies the chain of {@code node} in the ledger table {@code table} of {@code dataSource}: its
   * rows ordered by their seq column, every row must hold the entry of that sequence number, every
   * entry must name the hash of the one before it, and the chain must start at entry 0. Locations
   * read {@code <table> node=<node> seq=<seq column>}. One query, read with a cursor: the chain may
   * be of any length, and rows written meanwhile are not read.
   *
   * @param table a lower-case SQL identifier, optionally {@code schema.table}
   * @param node a node name (1 to 64 characters of {@code A-Z a-z 0-9 . _ : -})
   * @throws IllegalArgumentException if {@code table} or {@code node} is not a name
   * @throws IOException if the table cannot be read
   */
  public static LedgerVerification verify(DataSource dataSource, String table, String node)
      throws IOException {
    try (LedgerJdbcStore.Rows rows = LedgerJdbcStore.rows(dataSource, table, node)) {
      return LedgerChain.verify(rows, 0);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Reads every entry of {@code node} in the ledger table {@value #DEFAULT_TABLE}; see {@link
   * #scan(DataSource, String, String, Consumer)}.
   *
   * @throws IOException if the table cannot be read
   */
  public static void scan(DataSource dataSource, String node, Consumer<LedgerEntry> consumer)
      throws IOException {
    scan(dataSource, DEFAULT_TABLE, node, consumer);
  }

  /**
   * Reads every entry of {@code node} in the ledger table {@code table}, ordered by the seq column.
   * Rows that hold no entry are skipped: {@link #verify(DataSource, String, String)} reports them.
   *
   * @throws IllegalArgumentException if {@code table} or {@code node} is not a name
   * @throws IOException if the table cannot be read
   */
  public static void scan(
      DataSource dataSource, String table, String node, Consumer<LedgerEntry> consumer)
      throws IOException {
    requireNonNull(consumer, "consumer");
    try (LedgerJdbcStore.Rows rows = LedgerJdbcStore.rows(dataSource, table, node)) {
      while (rows.hasNext()) {
        entry(rows.next(), consumer);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * The nodes that have entries in the ledger table {@code table} of {@code dataSource}, sorted:
   * the chains to verify.
   *
   * @throws IllegalArgumentException if {@code table} is not a name
   * @throws IOException if the table cannot be read
   */
  public static List<String> nodes(DataSource dataSource, String table) throws IOException {
    return LedgerJdbcStore.nodes(dataSource, table);
  }

  private static void entry(LedgerChain.Located l, Consumer<LedgerEntry> consumer) {
    Map<String, @Nullable Object> m =
        l.line().length() > LedgerFormat.MAX_LINE ? null : StrictJson.parseObject(l.line());
    if (m != null) {
      consumer.accept(new LedgerEntry(l.location(), l.line(), m));
    }
  }

  /** The lines of several files in order; bytes after a file's last line end are not a line. */
  private static final class Lines implements Iterator<LedgerChain.Located>, AutoCloseable {
    private final Iterator<Path> files;
    private @Nullable BufferedReader reader;
    private @Nullable Path file;
    private long lineNumber;
    private LedgerChain.@Nullable Located next;
    long cutShort;

    Lines(List<Path> files) {
      this.files = files.iterator();
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public LedgerChain.Located next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      LedgerChain.Located l = Objects.requireNonNull(next);
      next = null;
      return l;
    }

    private LedgerChain.@Nullable Located advance() {
      try {
        while (true) {
          BufferedReader r = reader;
          if (r == null) {
            if (!files.hasNext()) {
              return null;
            }
            file = files.next();
            InputStream in = Files.newInputStream(Objects.requireNonNull(file));
            r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            reader = r;
            lineNumber = 0;
          }
          StringBuilder line = new StringBuilder(512);
          int c;
          boolean ended = false;
          while ((c = r.read()) >= 0) {
            if (c == '\n') {
              ended = true;
              break;
            }
            line.append((char) c);
          }
          if (ended) {
            lineNumber++;
            return new LedgerChain.Located(
                Objects.requireNonNull(file).getFileName() + ":" + lineNumber, line.toString());
          }
          // End of this file: what follows the last line end is a write cut short.
          cutShort += line.length();
          r.close();
          reader = null;
        }
      } catch (IOException e) {
        throw new UncheckedReadException(e);
      }
    }

    @Override
    public void close() throws IOException {
      BufferedReader r = reader;
      if (r != null) {
        r.close();
      }
    }
  }

  private static final class UncheckedReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedReadException(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) Objects.requireNonNull(super.getCause());
    }
  }

  /** An entry waiting to be written; its line is made on the writer thread. */
  private interface Pending {
    String line(long seq, String prev, @Nullable String node);
  }

  private record DecisionEntry(AuditEvent event) implements Pending {
    @Override
    public String line(long seq, String prev, @Nullable String node) {
      return LedgerFormat.decision(seq, prev, node, event);
    }
  }

  private record KeyEntry(Instant time, String type, Map<String, Object> fields)
      implements Pending {
    @Override
    public String line(long seq, String prev, @Nullable String node) {
      return LedgerFormat.keyEvent(seq, prev, node, time, type, new LinkedHashMap<>(fields));
    }
  }

  /**
   * Opens an {@link AuditLedger}; every setting has a default, except the node of a ledger in a
   * table.
   */
  public static final class Builder {
    private final @Nullable Path path;
    private final @Nullable DataSource dataSource;
    private String table = DEFAULT_TABLE;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration failureBound = Duration.ofSeconds(2);
    private int queueCapacity = 100_000;
    private long rotateBytes = 256L * 1024 * 1024;
    private boolean rotateDaily = true;
    private @Nullable String node;
    private Clock clock = Clock.systemUTC();
    private @Nullable LedgerStore store;

    private Builder(@Nullable Path path, @Nullable DataSource dataSource, @Nullable String node) {
      this.path = path;
      this.dataSource = dataSource;
      this.node = node;
    }

    /** How often queued entries are written and forced to disk: 10 ms to 10 s, default 200 ms. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = requireNonNull(interval, "interval");
      return this;
    }

    /**
     * How long writes may fail before new requests are refused: 0 to 5 minutes, default 2 s.
     * Entries keep being queued meanwhile (up to the queue capacity).
     */
    public Builder failureBound(Duration bound) {
      this.failureBound = requireNonNull(bound, "bound");
      return this;
    }

    /** Most entries queued and not yet written: 1,000 to 10,000,000, default 100,000. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Rotate the file when it reaches this size: 0 (never) or at least 1 MiB; default 256 MiB. A
     * ledger in a table ignores it.
     */
    public Builder rotateBytes(long bytes) {
      this.rotateBytes = bytes;
      return this;
    }

    /** Rotate the file when the UTC day changes (default true). A ledger in a table ignores it. */
    public Builder rotateDaily(boolean daily) {
      this.rotateDaily = daily;
      return this;
    }

    /**
     * A name for this process in each entry (a fleet writing one ledger per node); default none.
     * For a ledger in a table, the name of its chain there: required, and unique to this process.
     */
    public Builder node(@Nullable String node) {
      this.node = node;
      return this;
    }

    /**
     * The table of a ledger in a database, default {@value AuditLedger#DEFAULT_TABLE}: a lower-case
     * SQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters), optionally {@code
     * schema.table}. The shipped schema creates {@value AuditLedger#DEFAULT_TABLE}; for another
     * name, apply a copy with the name changed. A ledger in a file ignores it. Checked by {@link
     * #open()}.
     */
    public Builder table(String table) {
      this.table = requireNonNull(table, "table");
      return this;
    }

    /** The clock of entry times (for tests). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Another store than the file, for tests of failing writes. */
    Builder store(LedgerStore store) {
      this.store = requireNonNull(store, "store");
      return this;
    }

    /**
     * Checks the settings, reads the end of an existing ledger file to continue its chain (removing
     * a last entry cut short by a crash) and starts the writer. A ledger in a table is read by the
     * writer, which continues the node's chain from its last row once the database answers.
     *
     * @throws ConfigurationException listing every setting out of range, with its fix
     * @throws IOException if the ledger file cannot be read or its last entry is not an entry
     */
    public AuditLedger open() throws IOException {
      List<Problem> problems = new ArrayList<>();
      if (flushInterval.compareTo(Duration.ofMillis(10)) < 0
          || flushInterval.compareTo(Duration.ofSeconds(10)) > 0) {
        problems.add(
            new Problem(
                "flushInterval",
                "a flush interval of " + flushInterval.toMillis() + " ms is out of range",
                "use 10 ms to 10 s; 200 ms is the default"));
      }
      if (failureBound.isNegative() || failureBound.compareTo(Duration.ofMinutes(5)) > 0) {
        problems.add(
            new Problem(
                "failureBound",
                "a failure bound of " + failureBound.toMillis() + " ms is out of range",
                "use 0 to 5 minutes; 2 s is the default"));
      }
      if (queueCapacity < 1_000 || queueCapacity > 10_000_000) {
        problems.add(
            new Problem(
                "queueCapacity",
                "a queue capacity of " + queueCapacity + " entries is out of range",
                "use 1000 to 10000000; 100000 is the default"));
      }
      if (rotateBytes != 0 && rotateBytes < 1024 * 1024) {
        problems.add(
            new Problem(
                "rotateBytes",
                "a rotation size of " + rotateBytes + " bytes is too small",
                "use 0 (never rotate by size) or at least 1048576 (1 MiB)"));
      }
      String n = node;
      if (n != null && !LedgerJdbcStore.NODE.matcher(n).matches()) {
        problems.add(
            new Problem(
                "node",
                "the node name " + Problem.quote(n, 64) + " is not a name",
                "use 1 to 64 characters of A-Z a-z 0-9 . _ : -, such as the host name"));
      } else if (n == null && dataSource != null) {
        problems.add(
            new Problem(
                "node",
                "a ledger in a table needs a node name: each process writes the chain of its node",
                "name this process, uniquely and the same across its restarts, such as the host or"
                    + " pod name"));
      }
      if (dataSource != null) {
        try {
          JdbcKeyTable.checkName(table);
        } catch (IllegalArgumentException e) {
          problems.add(
              new Problem(
                  "table",
                  String.valueOf(e.getMessage()),
                  "use the default " + DEFAULT_TABLE + ", or a name such as audit.ledger"));
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid audit ledger settings", problems);
      }
      LedgerStore s = store;
      boolean positionNow = true;
      if (s == null) {
        DataSource ds = dataSource;
        if (ds != null) {
          s = new LedgerJdbcStore(ds, table, requireNonNull(n), QUERY_TIMEOUT_SECONDS);
          positionNow = false;
        } else {
          s = new LedgerFileStore(requireNonNull(path), rotateBytes, rotateDaily);
        }
      }
      AuditLedger ledger = new AuditLedger(this, s, positionNow);
      ledger.writer.start();
      Runtime.getRuntime().addShutdownHook(ledger.shutdownHook);
      return ledger;
    }
  }
}

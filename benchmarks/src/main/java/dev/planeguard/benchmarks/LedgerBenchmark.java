package dev.planeguard.benchmarks;

import dev.planeguard.AuditLedger;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the audit ledger adds to a decision. Each operation is a burst of {@value #BURST}
 * machine-key decisions (about a third of a second of the end-to-end run's traffic, near the
 * ledger's default flush interval), reported per decision:
 *
 * <ul>
 *   <li>{@code withoutLedger}: the same decisions with no ledger, the baseline of the same run;
 *   <li>{@code ledgerQueued}: with the ledger, timing the request thread only (the event is queued;
 *       the burst is written between operations, untimed);
 *   <li>{@code ledgerWritten}: with the ledger, until the burst is written and forced to disk: the
 *       whole cost, the writer thread's included (on a second core it overlaps the decisions).
 * </ul>
 *
 * <p>With {@code -prof gc}, allocation per decision counts every thread, so the writer's lines and
 * hashes are in it. Each iteration writes to a new ledger, deleted after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH calls setUp() before any benchmark method
public class LedgerBenchmark {

  static final int BURST = 10_000;

  @Nullable Fixture fixture;
  Enforcer plain;
  Enforcer withLedger;
  @Nullable AuditLedger ledger;
  @Nullable Path ledgerDirectory;
  InboundRequest machineKey;

  @Setup
  public void setUp() {
    Fixture f = new Fixture(Clock.systemUTC());
    fixture = f;
    plain = f.enforcer(f.jwtVerifier(1024), f.keyVerifier(), UnaryOperator.identity(), x -> x);
    machineKey = Fixture.request("GET", "/api/v1/runs", "X-AOS-Key", f.machineKey.value());
  }

  @Setup(Level.Iteration)
  public void openLedger() throws IOException {
    Fixture f = fixture();
    Path dir = Files.createTempDirectory(f.directory, "ledger");
    ledgerDirectory = dir;
    AuditLedger l = AuditLedger.file(dir.resolve("ledger.jsonl")).open();
    ledger = l;
    withLedger =
        Enforcer.builder()
            .contract(f.contract)
            .policy(f.policy)
            .tokenVerifier(f.jwtVerifier(1024))
            .machineKeyVerifier(f.keyVerifier())
            .auditLedger(l)
            .build();
  }

  /** Writes what {@code ledgerQueued} left queued, untimed. */
  @TearDown(Level.Invocation)
  public void drain() {
    AuditLedger l = ledger;
    if (l != null && !l.flush(Duration.ofMinutes(1))) {
      throw new IllegalStateException("the ledger did not write its queue within a minute");
    }
  }

  @TearDown(Level.Iteration)
  public void closeLedger() {
    AuditLedger l = ledger;
    if (l != null) {
      l.close();
    }
    Path dir = ledgerDirectory;
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @TearDown
  public void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private Fixture fixture() {
    Fixture f = fixture;
    if (f == null) {
      throw new IllegalStateException("setUp() has not run");
    }
    return f;
  }

  /** The baseline: the burst without a ledger. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void withoutLedger(Blackhole bh) {
    for (int i = 0; i < BURST; i++) {
      bh.consume(plain.decide(machineKey));
    }
  }

  /** The burst with the ledger, the request thread's share: each event is queued. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void ledgerQueued(Blackhole bh) {
    for (int i = 0; i < BURST; i++) {
      bh.consume(withLedger.decide(machineKey));
    }
  }

  /** The burst with the ledger, until every entry is written and forced to disk. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void ledgerWritten(Blackhole bh) {
    for (int i = 0; i < BURST; i++) {
      bh.consume(withLedger.decide(machineKey));
    }
    AuditLedger l = ledger;
    if (l == null || !l.flush(Duration.ofMinutes(1))) {
      throw new IllegalStateException("the ledger did not write the burst within a minute");
    }
  }

  /** One decision with the ledger, for the test that checks what is measured. */
  Decision decideWithLedger() {
    return withLedger.decide(machineKey);
  }
}

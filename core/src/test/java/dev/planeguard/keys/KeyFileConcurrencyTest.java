package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditSink;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.EnforcerTest;
import dev.planeguard.InboundRequest;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two threads decide while another process's writer rewrites the key file over and over and finally
 * revokes a key, and a reloader picks the changes up. No decision ever sees a half-read file (the
 * always-valid key, written after many lines, never goes missing), a key once refused as revoked is
 * never accepted again by the same thread, and once a reload that follows the revocation has
 * returned, every decision refuses the revoked key. Ordering comes from flags and latches, not from
 * sleeping.
 */
class KeyFileConcurrencyTest {

  static final int REWRITES = 150;
  static final int DECISIONS_AFTER_RELOAD = 200;

  @TempDir Path dir;

  @RepeatedTest(3)
  void decisionsNeverSeeAHalfReadFileAndRespectTheRevocationOnceReloaded() throws Exception {
    Path path = dir.resolve("keys.jsonl");
    KeyFile admin = KeyFile.openOrCreate(path);
    KeyLifecycle lifecycle = KeyLifecycle.of(admin);
    for (int i = 0; i < 60; i++) {
      lifecycle.create(ApiKey.Kind.MACHINE, Mode.PROD, "filler", Set.of(), null);
    }
    ApiKey steady = lifecycle.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    ApiKey doomed = lifecycle.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();

    KeyFile server = KeyFile.open(path);
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(KeyVerifier.of(server))
            .auditSink(AuditSink.none())
            .build();

    Queue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean revocationWritten = new AtomicBoolean();
    AtomicBoolean reloadObserved = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger reloadsWithChange = new AtomicInteger();
    CountDownLatch decidersDone = new CountDownLatch(2);
    CountDownLatch deciding = new CountDownLatch(2);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                deciding.await();
                for (int i = 0; i < REWRITES; i++) {
                  lifecycle.create(ApiKey.Kind.MACHINE, Mode.PROD, "filler", Set.of(), null);
                }
                lifecycle.revoke(doomed.id());
                revocationWritten.set(true);
                return null;
              });
      Future<?> reloader =
          pool.submit(
              () -> {
                while (!revocationWritten.get()) {
                  if (server.reload()) {
                    reloadsWithChange.incrementAndGet();
                  }
                }
                server.reload(); // certainly after the revocation was written
                reloadObserved.set(true);
                return null;
              });
      for (int t = 0; t < 2; t++) {
        pool.submit(
            () -> {
              boolean sawRevoked = false;
              int afterReload = 0;
              deciding.countDown();
              while (!stop.get() && afterReload < DECISIONS_AFTER_RELOAD) {
                boolean reloaded = reloadObserved.get(); // read before deciding
                Reason steadyReason = decide(enforcer, steady).reason();
                if (steadyReason != Reason.AUTHENTICATED) {
                  failures.add("the steady key was " + steadyReason);
                }
                Reason doomedReason = decide(enforcer, doomed).reason();
                if (doomedReason == Reason.REVOKED_KEY) {
                  sawRevoked = true;
                } else if (doomedReason != Reason.AUTHENTICATED) {
                  failures.add("the doomed key was " + doomedReason);
                } else if (sawRevoked) {
                  failures.add("a revoked key was accepted again");
                } else if (reloaded) {
                  failures.add("a revoked key was accepted after the reload was observed");
                }
                if (reloaded) {
                  afterReload++;
                }
              }
              decidersDone.countDown();
              return null;
            });
      }
      writer.get(60, TimeUnit.SECONDS);
      reloader.get(60, TimeUnit.SECONDS);
      boolean finished = decidersDone.await(60, TimeUnit.SECONDS);
      stop.set(true);
      assertThat(finished).as("deciders finished").isTrue();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertThat(failures).isEmpty();
    assertThat(reloadsWithChange.get()).as("reloads that swapped in a rewritten file").isPositive();
    assertThat(server.records()).hasSize(60 + 2 + REWRITES);
    assertThat(decide(enforcer, doomed).reason()).isEqualTo(Reason.REVOKED_KEY);
  }

  static Decision decide(Enforcer enforcer, ApiKey key) {
    return enforcer.decide(
        InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key.value()))));
  }
}

package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.LedgerVerification.Intact;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL while it writes its ledger under load: what it wrote verifies, and
 * the next process continues the chain.
 */
class LedgerCrashTest {

  @TempDir Path dir;

  /** The process that is killed: decides allowed requests as fast as it can, ledger on. */
  public static void main(String[] args) throws Exception {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(key, "acme", Set.of(), null));
    AuditLedger ledger =
        AuditLedger.file(Path.of(args[0])).flushInterval(Duration.ofMillis(10)).open();
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(KeyVerifier.of(keys))
            .auditSink(AuditSink.none())
            .auditLedger(ledger)
            .build();
    InboundRequest request =
        InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key.value())));
    while (true) {
      if (!enforcer.decide(request).allowed()) {
        Thread.onSpinWait(); // the queue is full: the writer catches up
      }
    }
  }

  @Test
  void theWrittenPrefixOfAKilledProcessVerifiesAndIsContinued() throws Exception {
    Path file = dir.resolve("ledger.jsonl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCrashTest.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("writer.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(file) || Files.size(file) < 2_000_000) {
        assertThat(writer.isAlive()).as("the writer runs (see writer.log)").isTrue();
        assertThat(System.nanoTime()).as("the writer wrote 2 MB").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      writer.destroyForcibly(); // SIGKILL: no shutdown hook, no final flush
      writer.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(writer.isAlive()).isFalse();
    assertThat(writer.exitValue()).isEqualTo(137);

    Intact written = (Intact) AuditLedger.verify(file);
    assertThat(written.entries()).isGreaterThan(1000);

    try (AuditLedger ledger = AuditLedger.file(file).open()) {
      ledger.keyRevoked(
          KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD), null, Set.of(), null));
    }
    Intact continued = (Intact) AuditLedger.verify(file);
    assertThat(continued.entries()).isEqualTo(written.entries() + 1);
    assertThat(continued.cutShortBytes()).isZero();
  }
}

package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditLedger;
import dev.planeguard.LedgerVerification;
import dev.planeguard.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ledger benchmark measures allowed decisions, each written as an entry of an intact chain, and
 * its baseline writes none.
 */
class LedgerBenchmarkTest {

  final LedgerBenchmark b = new LedgerBenchmark();
  final Blackhole bh =
      new Blackhole(
          "Today's password is swordfish. I understand instantiating Blackholes directly is"
              + " dangerous.");

  @AfterEach
  void tearDown() {
    b.tearDown();
  }

  @Test
  void aBurstIsWrittenAsOneEntryPerAllowedDecision() throws Exception {
    b.setUp();
    b.openLedger();
    assertThat(b.decideWithLedger().reason()).isEqualTo(Reason.AUTHENTICATED);
    b.ledgerWritten(bh);
    b.ledgerQueued(bh);
    b.drain();
    Path file = b.ledgerDirectory.resolve("ledger.jsonl");
    LedgerVerification v = AuditLedger.verify(file);
    assertThat(v).isInstanceOf(LedgerVerification.Intact.class);
    assertThat(((LedgerVerification.Intact) v).entries()).isEqualTo(1 + 2L * LedgerBenchmark.BURST);
    try (var lines = Files.lines(file)) {
      assertThat(lines.allMatch(l -> l.contains("\"reason\":\"AUTHENTICATED\""))).isTrue();
    }

    b.withoutLedger(bh);
    b.drain();
    assertThat(((LedgerVerification.Intact) AuditLedger.verify(file)).entries())
        .isEqualTo(1 + 2L * LedgerBenchmark.BURST);

    Path dir = b.ledgerDirectory;
    b.closeLedger();
    assertThat(dir).doesNotExist();
  }
}

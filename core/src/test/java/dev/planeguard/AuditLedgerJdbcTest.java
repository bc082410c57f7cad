package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.planeguard.LedgerTables.Database;
import dev.planeguard.LedgerTables.Row;
import dev.planeguard.LedgerVerification.Broken;
import dev.planeguard.LedgerVerification.Intact;
import dev.planeguard.LedgerVerification.Kind;
import dev.planeguard.internal.LedgerFormat;
import dev.planeguard.internal.LedgerJdbcStore;
import dev.planeguard.internal.LedgerStore;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.Await;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import dev.planeguard.testing.SharedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit ledger in a PostgreSQL table: entries, one chain per node continued across restarts,
 * what tampering with rows is named, the append-only table, two processes on one node, a table
 * created late, and the settings that open it.
 */
class AuditLedgerJdbcTest {

  private static final ApiKey KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
  private static final String TABLE = AuditLedger.DEFAULT_TABLE;

  @TempDir Path dir;
  Database db;

  @BeforeEach
  void database() throws Exception {
    db = LedgerTables.newDatabase();
  }

  static Enforcer enforcer(@Nullable AuditLedger ledger) {
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(KEY, "acme", Set.of(), null));
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(EnforcerTest.POLICY)
        .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
        .machineKeyVerifier(KeyVerifier.of(keys))
        .auditSink(AuditSink.none())
        .auditLedger(ledger)
        .build();
  }

  static InboundRequest keyed(String key) {
    return InboundRequest.of("GET", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key)));
  }

  /** {@code n} decisions (every third an allow) written as the chain of {@code node}. */
  void writeDecisions(String node, int n) throws IOException {
    try (AuditLedger ledger =
        AuditLedger.jdbc(db.owner(), node).flushInterval(Duration.ofMillis(10)).open()) {
      Enforcer enforcer = enforcer(ledger);
      for (int i = 0; i < n; i++) {
        enforcer.decide(
            i % 3 == 0
                ? keyed(KEY.value())
                : InboundRequest.of("GET", "/nope/" + i, Map.of("X-Request-Id", List.of("r" + i))));
      }
    }
  }

  static String location(String node, long seq) {
    return TABLE + " node=" + node + " seq=" + seq;
  }

  // ---- entries and the chain ----

  @Test
  void everyDecisionIsARowOfTheNodesChainAndTheChainVerifies() throws Exception {
    writeDecisions("web-1", 30);

    List<Row> rows = LedgerTables.rows(db.owner());
    assertThat(rows).hasSize(30);
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      assertThat(row.node()).isEqualTo("web-1");
      assertThat(row.seq()).isEqualTo(i);
      assertThat(row.entry()).startsWith("{\"seq\":" + i + ",\"prev\":\"");
      assertThat(row.entry()).contains(",\"node\":\"web-1\",");
    }
    assertThat(rows.get(1).entry())
        .contains("\"prev\":\"" + LedgerFormat.hash(rows.get(0).entry()) + "\"");

    Intact intact = (Intact) AuditLedger.verify(db.owner(), "web-1");
    assertThat(intact.entries()).isEqualTo(30);
    assertThat(intact.lastSeq()).isEqualTo(29);
    assertThat(intact.headHash()).isEqualTo(LedgerFormat.hash(rows.get(29).entry()));
    assertThat(AuditLedger.verify(db.owner(), TABLE, "web-1")).isEqualTo(intact);

    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(db.owner(), "web-1", entries::add);
    assertThat(entries).hasSize(30);
    LedgerEntry allow = entries.get(0);
    assertThat(allow.location()).isEqualTo(location("web-1", 0));
    assertThat(allow.line()).isEqualTo(rows.get(0).entry());
    assertThat(allow.allowed()).isTrue();
    assertThat(allow.text("reason")).isEqualTo("AUTHENTICATED");
    assertThat(allow.text("key_id")).isEqualTo(KEY.id());
    assertThat(allow.text("node")).isEqualTo("web-1");
    LedgerEntry deny = entries.get(1);
    assertThat(deny.location()).isEqualTo(location("web-1", 1));
    assertThat(deny.text("reason")).isEqualTo("UNMAPPED_ROUTE");
    assertThat(deny.text("path")).isEqualTo("/nope/1");

    LeakCheck.create()
        .apiKey("machine key", KEY.value())
        .text("ledger table", rows.stream().map(Row::entry).collect(Collectors.joining("\n")))
        .assertClean();
  }

  @Test
  void eachNodeHasItsOwnChainContinuedAcrossRestarts() throws Exception {
    writeDecisions("web-1", 5);
    writeDecisions("web-2", 3);
    writeDecisions("web-1", 4);

    assertThat(((Intact) AuditLedger.verify(db.owner(), "web-1")).entries()).isEqualTo(9);
    assertThat(((Intact) AuditLedger.verify(db.owner(), "web-2")).entries()).isEqualTo(3);
    assertThat(AuditLedger.nodes(db.owner(), TABLE)).containsExactly("web-1", "web-2");
    // A node without rows is an empty chain.
    assertThat(AuditLedger.verify(db.owner(), "web-3"))
        .isEqualTo(new Intact(0, -1, LedgerFormat.GENESIS, 0));
    List<LedgerEntry> web1 = new ArrayList<>();
    AuditLedger.scan(db.owner(), TABLE, "web-1", web1::add);
    assertThat(web1)
        .extracting(LedgerEntry::seq)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  @Test
  void aTableInASchemaOfItsOwn() throws Exception {
    LedgerTables.execute(
        db.owner(),
        "CREATE SCHEMA audit; SET search_path TO audit; "
            + LedgerTables.schema()
            + "; ALTER TABLE audit.planeguard_audit_ledger RENAME TO ledger");
    try (AuditLedger ledger = AuditLedger.jdbc(db.owner(), "web-1").table("audit.ledger").open()) {
      ledger.keyRevoked(KeyRecord.of(KEY, null, Set.of(), null));
      assertThat(ledger.describe()).isEqualTo("table audit.ledger node=web-1");
    }
    Intact v = (Intact) AuditLedger.verify(db.owner(), "audit.ledger", "web-1");
    assertThat(v.entries()).isEqualTo(1);
    assertThat(LedgerTables.rows(db.owner())).isEmpty();
  }

  // ---- tampering, named by row and kind ----

  @Test
  void anUpdatedEntryIsNamed() throws Exception {
    writeDecisions("web-1", 20);
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET entry = replace(entry, 'UNMAPPED_ROUTE', 'PUBLIC')"
            + " WHERE node = 'web-1' AND seq = 5");

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.EDITED);
    assertThat(b.location()).isEqualTo(location("web-1", 5));
    assertThat(b.seq()).isEqualTo(5);
    assertThat(b.intactEntries()).isEqualTo(5);
    assertThat(b.explanation()).contains("entry 5 was changed");
  }

  @Test
  void aDeletedRowIsNamed() throws Exception {
    writeDecisions("web-1", 20);
    LedgerTables.tamper(
        db.owner(), "DELETE FROM planeguard_audit_ledger WHERE node = 'web-1' AND seq = 7");

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.REMOVED);
    assertThat(b.location()).isEqualTo(location("web-1", 8));
    assertThat(b.seq()).isEqualTo(7);
    assertThat(b.explanation()).contains("entry 7 is missing");
  }

  @Test
  void swappedEntriesOfTwoRowsAreNamed() throws Exception {
    writeDecisions("web-1", 20);
    swap(10, 11);
    Broken adjacent = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(adjacent.kind()).isEqualTo(Kind.REORDERED);
    assertThat(adjacent.location()).isEqualTo(location("web-1", 10));
    assertThat(adjacent.seq()).isEqualTo(11);
    assertThat(adjacent.explanation())
        .isEqualTo("the row with seq 10 holds entry 11: entries were moved between rows");

    swap(10, 11);
    assertThat(AuditLedger.verify(db.owner(), "web-1").intact()).isTrue();
    swap(0, 12);
    Broken apart = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(apart.kind()).isEqualTo(Kind.REORDERED);
    assertThat(apart.location()).isEqualTo(location("web-1", 0));
    assertThat(apart.seq()).isEqualTo(12);
    assertThat(apart.intactEntries()).isZero();
  }

  private void swap(long a, long b) throws SQLException {
    String ea = LedgerTables.entry(db.owner(), "web-1", a);
    String eb = LedgerTables.entry(db.owner(), "web-1", b);
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET entry = CASE seq WHEN ? THEN ? ELSE ? END"
            + " WHERE node = 'web-1' AND seq IN (?, ?)",
        a,
        eb,
        ea,
        a,
        b);
  }

  @Test
  void aRowInsertedAfterTheLastCopyingAnEntryIsNamed() throws Exception {
    writeDecisions("web-1", 20);
    LedgerTables.tamper(
        db.owner(),
        "INSERT INTO planeguard_audit_ledger (node, seq, entry)"
            + " SELECT node, 20, entry FROM planeguard_audit_ledger"
            + " WHERE node = 'web-1' AND seq = 12");

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.INSERTED);
    assertThat(b.location()).isEqualTo(location("web-1", 20));
    assertThat(b.seq()).isEqualTo(12);
    assertThat(b.intactEntries()).isEqualTo(20);
    assertThat(b.explanation())
        .isEqualTo(
            "this row holds entry 12, which the row with seq 12 holds already: one of them was"
                + " inserted");
  }

  @Test
  void aRowPushedInBetweenIsNamed() throws Exception {
    writeDecisions("web-1", 20);
    // Rows 13 and later move up by one, and a forged row takes seq 13: a copy of entry 12 that
    // allows what was refused, with entry 12's number and predecessor.
    String forged =
        LedgerTables.entry(db.owner(), "web-1", 12).replace("UNMAPPED_ROUTE", "AUTHENTICATED");
    shiftFrom(13);
    LedgerTables.tamper(
        db.owner(),
        "INSERT INTO planeguard_audit_ledger (node, seq, entry) VALUES ('web-1', 13, ?)",
        forged);

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.INSERTED);
    assertThat(b.location()).isEqualTo(location("web-1", 13));
    assertThat(b.seq()).isEqualTo(12);
  }

  @Test
  void aWellForgedRowPushedInBetweenIsNamedWhereTheEntryItDisplacedIsFound() throws Exception {
    writeDecisions("web-1", 20);
    // A forgery that links: entry 13 naming entry 12's hash. Only the genuine entry 13, now one row
    // further, gives it away.
    String twelve = LedgerTables.entry(db.owner(), "web-1", 12);
    String forged =
        LedgerFormat.keyEvent(
            13,
            LedgerFormat.hash(twelve),
            "web-1",
            Instant.parse("2026-12-06T10:00:00Z"),
            "KEY_REVOKED",
            new java.util.LinkedHashMap<>(Map.of("key_id", KEY.id())));
    shiftFrom(13);
    LedgerTables.tamper(
        db.owner(),
        "INSERT INTO planeguard_audit_ledger (node, seq, entry) VALUES ('web-1', 13, ?)",
        forged);

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.INSERTED);
    assertThat(b.location()).isEqualTo(location("web-1", 14));
    assertThat(b.seq()).isEqualTo(13);
    assertThat(b.intactEntries()).isEqualTo(13);
  }

  private void shiftFrom(long seq) throws SQLException {
    // In two steps, so that no two rows share a key in between.
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET seq = seq + 1000000 WHERE node = 'web-1' AND seq >= ?",
        seq);
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET seq = seq - 999999 WHERE node = 'web-1' AND seq >= ?",
        1_000_000L);
  }

  @Test
  void aDeletedFirstRowIsATruncatedStart() throws Exception {
    writeDecisions("web-1", 20);
    LedgerTables.tamper(
        db.owner(), "DELETE FROM planeguard_audit_ledger WHERE node = 'web-1' AND seq = 0");

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.TRUNCATED_START);
    assertThat(b.location()).isEqualTo(location("web-1", 1));
    assertThat(b.seq()).isEqualTo(1);
    assertThat(b.intactEntries()).isZero();
  }

  @Test
  void aChangedSeqColumnIsNamed() throws Exception {
    writeDecisions("web-1", 20);
    // The newest row renumbered: every entry still links, but the row is not where it says.
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET seq = 25 WHERE node = 'web-1' AND seq = 19");

    Broken b = (Broken) AuditLedger.verify(db.owner(), "web-1");
    assertThat(b.kind()).isEqualTo(Kind.EDITED);
    assertThat(b.location()).isEqualTo(location("web-1", 25));
    assertThat(b.seq()).isEqualTo(19);
    assertThat(b.explanation())
        .isEqualTo("this row holds entry 19 but its seq column says 25: it was changed");
  }

  // ---- the table is append-only ----

  @Test
  void theTableRefusesUpdatesAndDeletesEvenToItsOwnerAndTheApplicationRoleOnlyAppends()
      throws Exception {
    writeDecisions("web-1", 3);
    for (String change :
        List.of(
            "UPDATE planeguard_audit_ledger SET entry = entry || ' ' WHERE seq = 1",
            "DELETE FROM planeguard_audit_ledger WHERE seq = 2",
            "TRUNCATE planeguard_audit_ledger")) {
      SQLException e =
          catchThrowableOfType(SQLException.class, () -> LedgerTables.execute(db.owner(), change));
      assertThat((Object) e).as(change).isNotNull();
      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("planeguard_audit_ledger is append-only");
    }

    String password = "ledger-app-password-7c41";
    LedgerTables.execute(
        db.owner(),
        "CREATE ROLE ledger_app_"
            + db.name()
            + " LOGIN PASSWORD '"
            + password
            + "'; GRANT SELECT, INSERT ON planeguard_audit_ledger TO ledger_app_"
            + db.name());
    DataSource app = db.as("ledger_app_" + db.name(), password);
    try (AuditLedger ledger = AuditLedger.jdbc(app, "web-1").open()) {
      enforcer(ledger).decide(keyed(KEY.value()));
      assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(((Intact) AuditLedger.verify(app, "web-1")).entries()).isEqualTo(4);
    SQLException refused =
        catchThrowableOfType(
            SQLException.class,
            () -> LedgerTables.execute(app, "DELETE FROM planeguard_audit_ledger"));
    assertThat(refused.getSQLState()).isEqualTo("42501");
    assertThat(refused.getMessage()).contains("permission denied");
  }

  // ---- two processes, one node ----

  @Test
  void aProcessWhoseNextEntryAnotherOnTheSameNodeWroteFailsSayingSo() throws Exception {
    AuditLedger first =
        AuditLedger.jdbc(db.owner(), "web-1")
            .flushInterval(Duration.ofMillis(10))
            .failureBound(Duration.ZERO)
            .open();
    AuditLedger second = null;
    OutputCapture output = OutputCapture.start();
    try {
      Enforcer one = enforcer(first);
      one.decide(keyed(KEY.value()));
      assertThat(first.flush(Duration.ofSeconds(30))).isTrue();
      // A second process started with the same node name continues the chain: entry 1.
      second = AuditLedger.jdbc(db.owner(), "web-1").flushInterval(Duration.ofMillis(10)).open();
      Enforcer two = enforcer(second);
      two.decide(keyed(KEY.value()));
      assertThat(second.flush(Duration.ofSeconds(30))).isTrue();
      // The first process's entry 1 finds its row taken: it stops writing, and fails closed.
      one.decide(keyed(KEY.value()));
      AuditLedger failing = first;
      Await.until(() -> !failing.accepting());
      assertThat(failing.failing()).isTrue();
      assertThat(one.decide(keyed(KEY.value())).reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE);
      assertThat(second.accepting()).isTrue();
    } finally {
      output.close();
      if (second != null) {
        second.close();
      }
    }
    assertThat(output.err())
        .contains(
            "audit ledger table planeguard_audit_ledger node=web-1 cannot write (table"
                + " planeguard_audit_ledger node=web-1: a row of entries 1 to 1 was written by"
                + " another process, so two processes are writing the chain of node web-1; give"
                + " each process its own node name)");
    // Each row is the entry its writer linked: the chain is intact, the refused batch is not in it.
    assertThat(((Intact) AuditLedger.verify(db.owner(), "web-1")).entries()).isEqualTo(2);
    OutputCapture closing = OutputCapture.during(first::close);
    assertThat(closing.err()).contains("closed while writes fail; 2 queued entries are lost");
  }

  @Test
  void aBatchWhoseCommitWentThroughIsNotWrittenTwice() throws Exception {
    LedgerJdbcStore store = new LedgerJdbcStore(db.owner(), TABLE, "web-1", 5);
    List<String> lines = new ArrayList<>();
    String prev = LedgerFormat.GENESIS;
    for (long seq = 0; seq < 3; seq++) {
      String line =
          LedgerFormat.keyEvent(
              seq,
              prev,
              "web-1",
              Instant.parse("2026-12-06T10:00:00Z"),
              "KEY_REVOKED",
              new java.util.LinkedHashMap<>(Map.of("key_id", KEY.id())));
      lines.add(line);
      prev = LedgerFormat.hash(line);
    }
    store.append(lines, Instant.now());
    // The same batch again, as after a COMMIT whose acknowledgement was lost.
    store.append(lines, Instant.now());
    assertThat(LedgerTables.rows(db.owner())).extracting(Row::entry).isEqualTo(lines);
    assertThat(store.tail()).isEqualTo(new LedgerStore.Tail(2, prev));

    List<String> other = List.of(lines.get(2).replace("2026-12-06", "2026-12-07"));
    assertThatThrownBy(() -> store.append(other, Instant.now()))
        .isInstanceOf(LedgerStore.Failure.class)
        .hasMessage(
            "table planeguard_audit_ledger node=web-1: a row of entries 2 to 2 was written by"
                + " another process, so two processes are writing the chain of node web-1; give"
                + " each process its own node name")
        .hasNoCause();
  }

  @Test
  void aLastRowThatIsNotItsEntryIsNotContinued() throws Exception {
    writeDecisions("web-1", 3);
    LedgerTables.tamper(
        db.owner(),
        "UPDATE planeguard_audit_ledger SET entry = '{\"seq\":7}' WHERE node = 'web-1' AND seq = 2");
    LedgerJdbcStore store = new LedgerJdbcStore(db.owner(), TABLE, "web-1", 5);
    assertThatThrownBy(store::tail)
        .isInstanceOf(LedgerStore.Failure.class)
        .hasMessage(
            "table planeguard_audit_ledger node=web-1: the row with seq 2 is not the ledger entry"
                + " of that row; verify the chain (the table is evidence), and give this process"
                + " another node name to start a new chain");
  }

  // ---- opening ----

  @Test
  void aMissingTableIsAFailingWriteUntilItIsCreated() throws Exception {
    Database empty = LedgerTables.emptyDatabase(SharedPostgres.server());
    AuditLedger ledger;
    OutputCapture output = OutputCapture.start();
    try {
      ledger =
          AuditLedger.jdbc(empty.owner(), "web-1")
              .flushInterval(Duration.ofMillis(10))
              .failureBound(Duration.ZERO)
              .open();
      AuditLedger l = ledger;
      Await.until(() -> !l.accepting());
      assertThat(enforcer(ledger).decide(keyed(KEY.value())).reason())
          .isEqualTo(Reason.AUDIT_UNAVAILABLE);
      LedgerTables.execute(empty.owner(), LedgerTables.schema());
      Await.until(l::accepting);
      assertThat(enforcer(ledger).decide(keyed(KEY.value())).reason())
          .isEqualTo(Reason.AUTHENTICATED);
      ledger.close();
    } finally {
      output.close();
    }
    assertThat(output.err())
        .contains(
            "audit ledger table planeguard_audit_ledger node=web-1 cannot write (table"
                + " planeguard_audit_ledger node=web-1: cannot read the end of the chain (SQLState"
                + " 42P01: the table does not exist; apply"
                + " dev/planeguard/sql/postgresql/V3__planeguard_audit_ledger.sql (see"
                + " docs/audit.md)))")
        .contains("audit ledger table planeguard_audit_ledger node=web-1 writes again");
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(empty.owner(), "web-1", entries::add);
    assertThat(entries)
        .extracting(e -> e.text("reason"))
        .containsExactly("AUDIT_UNAVAILABLE", "AUTHENTICATED");
    assertThat(AuditLedger.verify(empty.owner(), "web-1").intact()).isTrue();
  }

  @Test
  void settingsOfALedgerInATableAreListedWithTheirFix() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> AuditLedger.jdbc(db.owner(), "web-1").node(null).table("Audit Ledger").open());
    assertThat(e.problems()).extracting(Problem::subject).containsExactly("node", "table");
    assertThat(e.problems().get(0).message())
        .isEqualTo(
            "a ledger in a table needs a node name: each process writes the chain of its node");
    assertThatThrownBy(() -> AuditLedger.verify(db.owner(), "web 1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditLedger.verify(db.owner(), "x; DROP TABLE y", "web-1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readingATableThatIsNotThereSaysWhatToApply() throws Exception {
    Database empty = LedgerTables.emptyDatabase(SharedPostgres.server());
    assertThatThrownBy(() -> AuditLedger.verify(empty.owner(), "web-1"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "table planeguard_audit_ledger node=web-1: cannot read the chain (SQLState 42P01: the"
                + " table does not exist; apply"
                + " dev/planeguard/sql/postgresql/V3__planeguard_audit_ledger.sql (see"
                + " docs/audit.md))")
        .hasNoCause();
  }

  // ---- the settings every adapter fills ----

  static Map<String, String> env(String mode) {
    return Map.of("AOS_MODE", mode, "DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
  }

  static PlaneGuardSettings.Builder settings(PlaneGuardSettings.Audit audit) {
    return PlaneGuardSettings.builder()
        .environment(env("prod"))
        .policy(Policy.parse("public /healthz\n", "p"))
        .audit(audit);
  }

  static List<Problem> problems(PlaneGuardSettings settings) {
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> PlaneGuard.assemble(settings));
    assertThat(e).as("assembly must fail").isNotNull();
    return e.problems();
  }

  @Test
  void theSettingsOpenTheLedgerInTheApplicationsDatabase() throws Exception {
    try (PlaneGuard planeguard =
        PlaneGuard.assemble(settings(PlaneGuardSettings.Audit.of(db.owner(), "web-1")).build())) {
      AuditLedger ledger = planeguard.ledger();
      assertThat(ledger).isNotNull();
      assertThat(ledger.describe()).isEqualTo("table planeguard_audit_ledger node=web-1");
      planeguard.enforcer().decide(InboundRequest.of("GET", "/healthz", Map.of()));
    }
    assertThat(((Intact) AuditLedger.verify(db.owner(), "web-1")).entries()).isEqualTo(1);
  }

  @Test
  void aFileAndATableAreOneTooManyAndATableNeedsADataSourceAndANode() {
    PlaneGuardSettings.Audit both =
        new PlaneGuardSettings.Audit(
            dir.resolve("ledger.jsonl"),
            null,
            null,
            null,
            null,
            null,
            "web-1",
            new PlaneGuardSettings.AuditJdbc(db.owner(), null));
    assertThat(problems(settings(both).build()))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("planeguard.audit.ledger");
              assertThat(p.message())
                  .isEqualTo(
                      "both a ledger file (planeguard.audit.ledger) and the ledger table"
                          + " (planeguard.audit.jdbc.enabled) are configured");
              assertThat(p.fix())
                  .isEqualTo(
                      "choose one place for the audit ledger: remove planeguard.audit.ledger, or"
                          + " turn planeguard.audit.jdbc.enabled off");
            });

    PlaneGuardSettings.Audit nothing =
        new PlaneGuardSettings.Audit(
            null,
            null,
            null,
            null,
            null,
            null,
            "web-1",
            new PlaneGuardSettings.AuditJdbc(null, null));
    PlaneGuardSettings.Audit noNode =
        new PlaneGuardSettings.Audit(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new PlaneGuardSettings.AuditJdbc(db.owner(), "Bad"));
    assertThat(problems(settings(nothing).build()))
        .extracting(Problem::subject)
        .containsExactly("planeguard.audit.jdbc.enabled");
    List<Problem> noName =
        problems(settings(noNode).naming(PlaneGuardSettings.Naming.ENVIRONMENT).build());
    assertThat(noName).extracting(Problem::subject).containsExactly("PLANEGUARD_AUDIT_NODE");
    assertThat(noName.get(0).fix())
        .isEqualTo(
            "set PLANEGUARD_AUDIT_NODE to a name unique to this process that stays the same across"
                + " its restarts, such as the host or pod name ($HOSTNAME)");
    PlaneGuardSettings.Audit badTable =
        new PlaneGuardSettings.Audit(
            null,
            null,
            null,
            null,
            null,
            null,
            "web-1",
            new PlaneGuardSettings.AuditJdbc(db.owner(), "Bad"));
    assertThat(problems(settings(badTable).build()))
        .extracting(Problem::subject)
        .containsExactly("planeguard.audit.jdbc.table");
    assertThat(
            problems(
                settings(
                        new PlaneGuardSettings.Audit(
                            null, null, null, null, null, null, null, null))
                    .build()))
        .extracting(Problem::subject)
        .containsExactly("planeguard.audit.ledger");
  }

  @Test
  void aLongChainVerifies() throws Exception {
    try (AuditLedger ledger = AuditLedger.jdbc(db.owner(), "web-1").open()) {
      Enforcer enforcer = enforcer(ledger);
      for (int i = 0; i < 20_000; i++) {
        enforcer.decide(keyed(KEY.value()));
      }
    }
    Intact v = (Intact) AuditLedger.verify(db.owner(), "web-1");
    assertThat(v.entries()).isEqualTo(20_000);
    long[] count = {0};
    AuditLedger.scan(db.owner(), "web-1", e -> count[0]++);
    assertThat(count[0]).isEqualTo(20_000);
  }
}

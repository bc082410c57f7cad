package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.LedgerVerification.Intact;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.Await;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import dev.planeguard.testing.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database of a ledger in a table goes down under load and comes back on the same port and data
 * directory: decisions keep coming the whole time, allows are refused with 503 {@code
 * AUDIT_UNAVAILABLE} in prod once writes have failed past the bound, and after the database is back
 * the ledger writes again by itself and every decision made, allowed or refused, is a row of an
 * intact chain. The application connects as its own role with a password, which no output shows.
 */
class AuditLedgerJdbcOutageTest {

  static final String PASSWORD = "ledger-role-password-3b8e0d61";
  static final ApiKey KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);

  @TempDir Path dir;
  EmbeddedPostgres pg;
  int port;

  /** The application's connections: role {@code app}, password authentication. */
  DataSource app;

  @BeforeEach
  void startServer() throws Exception {
    pg = server().start();
    port = pg.getPort();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE audit");
    }
    DataSource owner = LedgerTables.dataSource(pg, "audit");
    LedgerTables.execute(
        owner, LedgerTables.schema() + "; GRANT SELECT, INSERT ON planeguard_audit_ledger TO app");
    app =
        pg.getDatabase(
            "app",
            "audit",
            Map.of("password", PASSWORD, "connectTimeout", "5", "socketTimeout", "30"));
  }

  /** A server on this test's data directory, which survives a stop. */
  EmbeddedPostgres.Builder server() {
    return PasswordPostgres.builder()
        .setDataDirectory(dir.resolve("data"))
        .setCleanDataDirectory(false);
  }

  @AfterEach
  void stop() throws IOException {
    pg.close();
  }

  static Enforcer enforcer(AuditLedger ledger) {
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

  /** A request with an id of its own, found again in the ledger. */
  static InboundRequest request(String target, @Nullable String key, String id) {
    InboundRequest base =
        InboundRequest.of(
            "GET", target, key == null ? Map.of() : Map.of("X-AOS-Key", List.of(key)));
    return new InboundRequest() {
      @Override
      public String method() {
        return base.method();
      }

      @Override
      public String path() {
        return base.path();
      }

      @Override
      public @Nullable String query() {
        return base.query();
      }

      @Override
      public List<String> headers(String name) {
        return base.headers(name);
      }

      @Override
      public String requestId() {
        return id;
      }
    };
  }

  /** Decisions, one after the other, until stopped: every fourth is refused for its path. */
  static final class Load implements Runnable {
    final Enforcer enforcer;
    final Map<String, Reason> decided = new ConcurrentHashMap<>();
    final AtomicInteger count = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

    Load(Enforcer enforcer) {
      this.enforcer = enforcer;
    }

    @Override
    public void run() {
      try {
        for (int i = 0; !stop.get(); i++) {
          String id = "load-" + i;
          Decision d =
              i % 4 == 3
                  ? enforcer.decide(request("/nope/" + i, null, id))
                  : enforcer.decide(request("/api/v1/runs", KEY.value(), id));
          decided.put(id, d.reason());
          count.incrementAndGet();
          Thread.sleep(1);
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }

    /** Waits until {@code n} more decisions were made. */
    void awaitMore(int n) throws InterruptedException {
      int target = count.get() + n;
      Await.until(() -> count.get() >= target || failure.get() != null);
      assertThat(failure.get()).isNull();
    }
  }

  @Test
  void theDatabaseStoppedAndRestartedUnderLoadLosesNothingAndRefusesAllowsMeanwhile()
      throws Exception {
    AuditLedger ledger =
        AuditLedger.jdbc(app, "web-1")
            .flushInterval(Duration.ofMillis(20))
            .failureBound(Duration.ofMillis(300))
            .open();
    Enforcer enforcer = enforcer(ledger);
    Load load = new Load(enforcer);
    Thread loader = new Thread(load, "ledger-load");
    Map<String, Reason> direct = new HashMap<>();
    List<Object> shown = new ArrayList<>();

    OutputCapture output = OutputCapture.start();
    try {
      loader.start();
      load.awaitMore(100);
      assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(load.decided.values()).containsOnly(Reason.AUTHENTICATED, Reason.UNMAPPED_ROUTE);

      pg.close();
      Await.until(() -> !ledger.accepting());
      // Down past the bound: allows are refused, refusals stay what they are, and load goes on.
      Decision refused = enforcer.decide(request("/api/v1/runs", KEY.value(), "down-allow"));
      assertThat(refused.reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.retryAfterSeconds()).isPositive();
      direct.put("down-allow", refused.reason());
      Decision denied = enforcer.decide(request("/nope", null, "down-deny"));
      assertThat(denied.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
      direct.put("down-deny", denied.reason());
      load.awaitMore(100);
      assertThat(ledger.accepting()).isFalse();
      assertThat(load.decided).containsValue(Reason.AUDIT_UNAVAILABLE);

      pg = server().setPort(port).start();
      Await.until(ledger::accepting);
      Decision after = enforcer.decide(request("/api/v1/runs", KEY.value(), "up-allow"));
      assertThat(after.reason()).isEqualTo(Reason.AUTHENTICATED);
      direct.put("up-allow", after.reason());
      load.awaitMore(100);
      load.stop.set(true);
      loader.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(load.failure.get()).isNull();
      ledger.close();
      shown.addAll(List.of(ledger, refused, denied, after));
    } finally {
      load.stop.set(true);
      output.close();
      ledger.close();
    }

    assertThat(ledger.dropped()).as("entries that found no place in the queue").isZero();
    Map<String, Reason> decided = new HashMap<>(load.decided);
    decided.putAll(direct);
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(app, "web-1", entries::add);
    Map<String, String> recorded =
        entries.stream()
            .collect(Collectors.toMap(e -> String.valueOf(e.text("request_id")), e -> reason(e)));
    assertThat(recorded)
        .as("every decision, allowed or refused, is a row")
        .isEqualTo(
            decided.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().name())));
    Intact v = (Intact) AuditLedger.verify(app, "web-1");
    assertThat(v.entries()).isEqualTo(decided.size());

    assertThat(output.err())
        .contains(
            "audit ledger table planeguard_audit_ledger node=web-1 cannot write (table"
                + " planeguard_audit_ledger node=web-1: cannot append entries")
        .contains("audit ledger table planeguard_audit_ledger node=web-1 writes again after");
    LeakCheck.create()
        .apiKey("machine key", KEY.value())
        .secret("database password", PASSWORD)
        .output(output)
        .text(
            "ledger table",
            entries.stream().map(LedgerEntry::line).collect(Collectors.joining("\n")))
        .objects(shown.toArray())
        .assertClean();
  }

  private static String reason(LedgerEntry e) {
    return String.valueOf(e.text("reason"));
  }
}

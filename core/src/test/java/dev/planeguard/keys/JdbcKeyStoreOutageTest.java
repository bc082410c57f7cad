package dev.planeguard.keys;

import static dev.planeguard.EnforcerTest.assertDecision;
import static dev.planeguard.EnforcerTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.Enforcer;
import dev.planeguard.EnforcerTest;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import dev.planeguard.testing.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes down under a running {@link JdbcKeyStore} and comes back on the same port and
 * data directory: decisions through the {@link Enforcer} during and after the outage, on a fake
 * cache ticker, with every line of output searched for the keys and the database password.
 */
class JdbcKeyStoreOutageTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final Duration BOUND = JdbcKeyStore.DEFAULT_REVOCATION_BOUND;
  static final String PASSWORD = "app-role-password-5f1c9e2a7d";

  @TempDir Path dir;
  EmbeddedPostgres pg;
  int port;

  /** The application's connections: role {@code app}, password authentication. */
  DataSource app;

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final List<JdbcKeyStore> stores = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    pg = server().start();
    port = pg.getPort();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE keys OWNER app");
    }
    app =
        pg.getDatabase(
            "app",
            "keys",
            Map.of("password", PASSWORD, "connectTimeout", "5", "socketTimeout", "30"));
    PostgresKeyTables.execute(app, PostgresKeyTables.schema());
  }

  /** A server on this test's data directory, which survives a stop. */
  EmbeddedPostgres.Builder server() {
    return PasswordPostgres.builder()
        .setDataDirectory(dir.resolve("data"))
        .setCleanDataDirectory(false);
  }

  void stopServer() throws IOException {
    pg.close();
  }

  void restartServer() throws IOException {
    pg = server().setPort(port).start();
  }

  @AfterEach
  void stop() throws IOException {
    stores.forEach(JdbcKeyStore::close);
    pg.close();
  }

  JdbcKeyStore store(JdbcKeyStore.Builder builder) {
    JdbcKeyStore store = builder.ticker(nanos::get).build();
    stores.add(store);
    return store;
  }

  static Enforcer enforcer(KeyStore store) {
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(EnforcerTest.POLICY)
        .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
        .machineKeyVerifier(KeyVerifier.of(store, Clock.fixed(NOW, ZoneOffset.UTC)))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .build();
  }

  static Decision decide(Enforcer enforcer, ApiKey key) {
    return enforcer.decide(request("GET", "/api/v1/runs/7", "X-AOS-Key: " + key.value()));
  }

  static void assertUnavailable(Decision d) {
    assertDecision(d, 503, Reason.VERIFIER_UNAVAILABLE, Detail.KEY_STORE_UNAVAILABLE);
    assertThat(d.retryAfterSeconds()).as("Retry-After").isPositive();
  }

  @Test
  void decisionsDuringAnOutageAndRecoveryWithoutARestartOfTheStore() throws Exception {
    JdbcKeyStore writer = store(JdbcKeyStore.builder(app));
    KeyLifecycle keys = KeyLifecycle.of(writer, Clock.fixed(NOW, ZoneOffset.UTC));
    ApiKey cached = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    ApiKey cold = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    PostgresKeyTables.Events events = new PostgresKeyTables.Events();
    JdbcKeyStore store = store(JdbcKeyStore.builder(app).listenForChanges().listenerEvents(events));
    events.await("listening");
    Enforcer enforcer = enforcer(store);
    List<Object> shown = new ArrayList<>();
    Throwable writeFailure;

    OutputCapture output = OutputCapture.start();
    try {
      assertDecision(decide(enforcer, cached), 200, Reason.AUTHENTICATED, null);

      stopServer();
      events.await("lost");
      Decision coldDuringOutage = decide(enforcer, cold);
      assertUnavailable(coldDuringOutage);
      nanos.addAndGet(BOUND.minusNanos(1).toNanos());
      Decision cachedWithinBound = decide(enforcer, cached);
      assertDecision(cachedWithinBound, 200, Reason.AUTHENTICATED, null);
      nanos.addAndGet(1);
      Decision cachedBeyondBound = decide(enforcer, cached);
      assertUnavailable(cachedBeyondBound);
      // A store built while the database is down starts anyway, and refuses with 503.
      JdbcKeyStore bornDuringOutage = store(JdbcKeyStore.builder(app));
      Enforcer second = enforcer(bornDuringOutage);
      assertUnavailable(decide(second, cached));
      writeFailure = catchThrowable(() -> keys.revoke(cached.id()));
      assertThat(writeFailure)
          .isInstanceOf(JdbcKeyStore.UnavailableException.class)
          .hasMessageStartingWith("key table planeguard_keys: cannot revoke a key (SQLState 08")
          .hasNoCause();

      restartServer();
      Decision coldAfter = decide(enforcer, cold);
      assertDecision(coldAfter, 200, Reason.AUTHENTICATED, null);
      assertDecision(decide(enforcer, cached), 200, Reason.AUTHENTICATED, null);
      assertDecision(decide(second, cold), 200, Reason.AUTHENTICATED, null);
      events.await("listening");
      keys.revoke(cached.id());
      events.await("notified " + cached.id());
      assertDecision(decide(enforcer, cached), 401, Reason.REVOKED_KEY, null);

      assertThat(output.err())
          .as("the outage is logged, with what failed and no more")
          .contains(
              "planeguard key store dev.planeguard.keys.JdbcKeyStore cannot answer; key requests are"
                  + " refused with 503 until it can: key table planeguard_keys: cannot look up a"
                  + " key (SQLState 08001: cannot connect to the database)")
          .contains("planeguard key listener lost its database connection")
          .contains("event=KEY_REVOKED key_id=" + cached.id());
      shown.addAll(
          List.of(store, writer, enforcer, coldDuringOutage, cachedBeyondBound, coldAfter));
    } finally {
      output.close();
    }
    LeakCheck.create()
        .apiKey("cached key", cached.value())
        .apiKey("cold key", cold.value())
        .secret("database password", PASSWORD)
        .output(output)
        .throwable("write failure", writeFailure)
        .objects(shown.toArray())
        .assertClean();
  }
}

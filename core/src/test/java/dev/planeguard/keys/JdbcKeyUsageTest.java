package dev.planeguard.keys;

import static dev.planeguard.keys.PostgresKeyTables.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Mode;
import dev.planeguard.Verification;
import dev.planeguard.internal.KeyUsageRecorder;
import dev.planeguard.internal.StoreKeyVerifier;
import dev.planeguard.testing.ManualClock;
import dev.planeguard.testing.OutputCapture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key usage in the {@link JdbcKeyStore} on a real PostgreSQL with the shipped migrations: what the
 * columns hold, how often a row is written, that a use is not announced as a change, and what
 * happens without the second migration or without the privilege to write. Time is a {@link
 * ManualClock}; the database counts its own UPDATEs.
 */
class JdbcKeyUsageTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final AtomicInteger ROLES = new AtomicInteger();

  final ManualClock time = new ManualClock(T0);
  final List<AutoCloseable> closing = new ArrayList<>();
  DataSource ds;
  JdbcKeyStore store;

  @BeforeEach
  void database() throws Exception {
    ds = PostgresKeyTables.newDatabase();
    store = store(JdbcKeyStore.builder(ds));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  JdbcKeyStore store(JdbcKeyStore.Builder builder) {
    JdbcKeyStore s = builder.ticker(time::nanoTime).build();
    closing.add(s);
    return s;
  }

  ApiKey create(JdbcKeyStore in) {
    return KeyLifecycle.of(in, Clock.fixed(T0, ZoneOffset.UTC))
        .create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null)
        .key();
  }

  static Map<String, KeyUsage> use(String id, Instant first, Instant last) {
    return Map.of(id, new KeyUsage(null, first, last));
  }

  /** Counts every UPDATE of a key row, in the database itself. */
  void countUpdates(DataSource in) throws SQLException {
    execute(
        in,
        """
        CREATE TABLE updates_counted (id text NOT NULL);
        CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO updates_counted VALUES (NEW.id);
          RETURN NULL;
        END
        $$;
        CREATE TRIGGER count_update AFTER UPDATE ON planeguard_keys
          FOR EACH ROW EXECUTE FUNCTION count_update();
        """);
  }

  int updates(String id) throws SQLException {
    return Integer.parseInt(
        query("SELECT count(*) FROM updates_counted WHERE id = '" + id + "'").get(0));
  }

  Instant createdAt(String id) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT created_at FROM planeguard_keys WHERE id = '" + id + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  List<String> query(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  @Test
  void theFirstUseIsSetOnceAndTheLastOnlyMovesForward() throws SQLException {
    ApiKey key = create(store);
    ApiKey unused = create(store);
    assertThat(store.usage().get(key.id()).firstUsed()).isNull();

    store.recordUsage(use(key.id(), T0.plusSeconds(60), T0.plusSeconds(90)));
    store.recordUsage(use(key.id(), T0, T0.plusSeconds(30)));
    store.recordUsage(use(key.id(), T0.plusSeconds(120), T0.plusSeconds(150)));
    store.recordUsage(use("nokeyhasthisidxx", T0, T0));

    Map<String, KeyUsage> usage = store.usage();
    assertThat(usage.get(key.id()).firstUsed()).isEqualTo(T0.plusSeconds(60));
    assertThat(usage.get(key.id()).lastUsed()).isEqualTo(T0.plusSeconds(150));
    assertThat(usage.get(unused.id()).firstUsed()).isNull();
    assertThat(usage.get(unused.id()).lastUsed()).isNull();
    assertThat(usage.get(key.id()).created()).as("created_at").isEqualTo(createdAt(key.id()));
    assertThat(usage).containsOnlyKeys(key.id(), unused.id());
  }

  @Test
  void aRowIsUpdatedAtMostOnceAMinuteWhateverTheTraffic() throws Exception {
    countUpdates(ds);
    ApiKey busy = create(store);
    ApiKey quiet = create(store);
    KeyUsageRecorder recorder = new KeyUsageRecorder(store, time, time::nanoTime);
    KeyVerifier verifier = new StoreKeyVerifier(store, time, recorder);
    // Three minutes of 20 requests a second, flushed every 10 seconds.
    for (int second = 0; second < 180; second++) {
      for (int i = 0; i < 20; i++) {
        assertThat(verifier.verify(busy.value(), ApiKey.Kind.MACHINE, Mode.PROD))
            .isInstanceOf(Verification.Verified.class);
      }
      if (second == 100) {
        verifier.verify(quiet.value(), ApiKey.Kind.MACHINE, Mode.PROD);
      }
      if (second % 10 == 0) {
        recorder.flush();
        assertThat(updates(busy.id())).isLessThanOrEqualTo(second / 60 + 1);
      }
      time.advance(Duration.ofSeconds(1));
    }
    recorder.close();

    assertThat(updates(busy.id())).isEqualTo(3);
    assertThat(updates(quiet.id())).isEqualTo(1);
    Map<String, KeyUsage> usage = store.usage();
    assertThat(usage.get(busy.id()).firstUsed()).isEqualTo(T0);
    assertThat(usage.get(busy.id()).lastUsed()).isEqualTo(T0.plusSeconds(120));
    assertThat(usage.get(quiet.id()).firstUsed()).isEqualTo(T0.plusSeconds(100));
  }

  @Test
  void aUseIsNotAChangeOfTheKey() throws Exception {
    PostgresKeyTables.Events events = new PostgresKeyTables.Events();
    JdbcKeyStore listening =
        store(JdbcKeyStore.builder(ds).listenForChanges().listenerEvents(events));
    events.await("listening");
    ApiKey used = create(store);
    ApiKey revoked = create(store);
    events.await("notified " + revoked.id());
    String stamps = "SELECT created_at || ' ' || updated_at FROM planeguard_keys WHERE id = '";
    String before = query(stamps + used.id() + "'").get(0);
    KeyRecord cached = listening.findById(used.id());

    store.recordUsage(use(used.id(), T0, T0));
    store.revoke(revoked.id());

    assertThat(events.awaitAfter("notified " + revoked.id()))
        .as("announced before the revocation, which committed after the use")
        .doesNotContain("notified " + used.id());
    assertThat(query(stamps + used.id() + "'").get(0))
        .as("created_at and updated_at")
        .isEqualTo(before);
    assertThat(listening.findById(used.id())).as("still cached").isSameAs(cached);

    // A real change of the same row is still announced and stamped.
    store.revoke(used.id());
    events.await("notified " + used.id());
    assertThat(query(stamps + used.id() + "'").get(0)).isNotEqualTo(before);
  }

  @Test
  void withoutTheSecondMigrationKeysWorkAndTheLogNamesIt() throws Exception {
    ds = PostgresKeyTables.newDatabaseBeforeUsage();
    JdbcKeyStore v1 = store(JdbcKeyStore.builder(ds));
    ApiKey key = create(v1);
    KeyUsageRecorder recorder = new KeyUsageRecorder(v1, time, time::nanoTime);
    KeyVerifier verifier = new StoreKeyVerifier(v1, time, recorder);

    List<Verification> answers = new ArrayList<>();
    OutputCapture log =
        OutputCapture.during(
            () -> {
              for (int minute = 0; minute < 3; minute++) {
                answers.add(verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
                recorder.flush();
                time.advance(Duration.ofSeconds(61));
              }
            });

    assertThat(answers).hasSize(3).allMatch(a -> a instanceof Verification.Verified);
    assertThat(log.err().lines().filter(l -> l.contains("WARN")))
        .singleElement()
        .asString()
        .contains(
            "planeguard cannot record the use of 1 keys in JdbcKeyStore{table=planeguard_keys")
        .contains(
            "key table planeguard_keys: cannot record key usage (SQLState 42703: the table lacks"
                + " the usage columns; apply"
                + " dev/planeguard/sql/postgresql/V2__planeguard_keys_usage.sql)");
    assertThatThrownBy(v1::usage)
        .isInstanceOf(JdbcKeyStore.UnavailableException.class)
        .hasMessageContaining(JdbcKeyStore.USAGE_SCHEMA_RESOURCE);

    execute(ds, PostgresKeyTables.resource(JdbcKeyStore.USAGE_SCHEMA_RESOURCE));
    OutputCapture recovered = OutputCapture.during(recorder::flush);
    assertThat(recovered.err()).contains("records key usage in JdbcKeyStore{table=planeguard_keys");
    assertThat(v1.usage().get(key.id()).firstUsed()).isEqualTo(T0);
  }

  @Test
  void aRoleThatMayOnlyReadIsToldWhatToGrant() throws Exception {
    ApiKey key = create(store);
    String role = "reader_" + ROLES.incrementAndGet();
    String database = query("SELECT current_database()").get(0);
    execute(ds, "CREATE ROLE " + role + " LOGIN; GRANT SELECT ON planeguard_keys TO " + role);
    JdbcKeyStore reader =
        store(
            JdbcKeyStore.builder(PostgresKeyTables.server().getDatabase(role, database, Map.of())));

    assertThat(reader.findById(key.id())).isNotNull();
    assertThatThrownBy(() -> reader.recordUsage(use(key.id(), T0, T0)))
        .isInstanceOf(JdbcKeyStore.UnavailableException.class)
        .hasMessage(
            "key table planeguard_keys: cannot record key usage (SQLState 42501: the database role"
                + " may not record key usage; GRANT UPDATE (first_used_at, last_used_at) ON"
                + " planeguard_keys to it, or turn key usage recording off)");

    execute(ds, "GRANT UPDATE (first_used_at, last_used_at) ON planeguard_keys TO " + role);
    reader.recordUsage(use(key.id(), T0, T0));
    assertThat(reader.usage().get(key.id()).lastUsed()).isEqualTo(T0);
    assertThatThrownBy(() -> reader.revoke(key.id()))
        .as("the grant covers the usage columns only")
        .isInstanceOf(JdbcKeyStore.UnavailableException.class);
  }

  @Test
  void theTableRefusesAUsageOutOfOrder() {
    ApiKey key = create(store);
    assertThatThrownBy(
            () ->
                execute(
                    ds,
                    "UPDATE planeguard_keys SET first_used_at = now() WHERE id = '"
                        + key.id()
                        + "'"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("planeguard_keys_usage_order");
  }
}

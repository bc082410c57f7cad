package dev.planeguard.keys;

import static dev.planeguard.keys.PostgresKeyTables.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Detail;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import dev.planeguard.testing.OutputCapture;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
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
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** {@link JdbcKeyStore} on a real PostgreSQL with the shipped schema: reads, writes, the table. */
class JdbcKeyStoreTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final String LEGACY_SECRET = "AOS-legacy-5e4d3c2b1a0f9e8d7c6b5a4039281706";

  DataSource ds;
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  JdbcKeyStore store;

  @BeforeEach
  void database() throws Exception {
    ds = PostgresKeyTables.newDatabase();
    store = JdbcKeyStore.builder(ds).ticker(nanos::get).build();
  }

  KeyLifecycle lifecycle(KeyStore.Writable s) {
    return KeyLifecycle.of(s, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static KeyRecord record(ApiKey key, String tenant, Set<String> scopes, Instant notAfter) {
    return KeyRecord.of(key, tenant, scopes, notAfter);
  }

  @Test
  void recordsRoundTripWithEveryField() {
    ApiKey full = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey bare = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL);
    KeyRecord fullRecord =
        record(
                full,
                "acme:eu@1",
                Set.of("runs:write", "telemetry/write", "a.b_c-d"),
                Instant.parse("2027-01-01T00:00:00.123456Z"))
            .withCreated(Instant.parse("2026-06-01T12:00:00.654321Z"));
    KeyRecord bareRecord = KeyRecord.of(bare, null, Set.of(), null);
    KeyRecord legacy =
        new KeyRecord(
            "aos-api-key",
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            ApiKey.hash(LEGACY_SECRET),
            "acme",
            Set.of("runs:write"),
            KeyRecord.Status.ACTIVE,
            null,
            true);
    store.add(fullRecord);
    store.add(bareRecord);
    store.add(legacy);

    assertThat(store.findById(full.id())).isEqualTo(fullRecord);
    // A record without a creation time is created when the row is inserted, by the database.
    Instant inserted = store.findById(bare.id()).created();
    assertThat(inserted).isNotNull().isAfter(fullRecord.created());
    bareRecord = bareRecord.withCreated(inserted);
    legacy = legacy.withCreated(store.findById("aos-api-key").created());
    assertThat(legacy.created()).isNotNull();
    assertThat(store.findById(bare.id())).isEqualTo(bareRecord);
    assertThat(store.findById("aos-api-key")).isEqualTo(legacy);
    assertThat(store.findByHash(ApiKey.hash(LEGACY_SECRET))).isEqualTo(legacy);
    assertThat(store.findByHash(full.hash()))
        .as("a structured record is never found by hash")
        .isNull();
    assertThat(store.findById(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).id())).isNull();
    assertThat(store.records()).containsExactly(fullRecord, bareRecord, legacy);
  }

  @Test
  void theTableHoldsHashesNeverKeys() throws SQLException {
    KeyLifecycle.Issued issued =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null);
    lifecycle(store)
        .importLegacy(
            "legacy-one", LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD, null, Set.of(), null);
    StringBuilder everything = new StringBuilder();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT t::text FROM planeguard_keys t")) {
      while (rs.next()) {
        everything.append(rs.getString(1)).append('\n');
      }
    }
    String key = issued.key().value();
    assertThat(everything.toString())
        .contains(issued.key().hash())
        .contains(ApiKey.hash(LEGACY_SECRET))
        .doesNotContain(key)
        .doesNotContain(key.split("_")[4])
        .doesNotContain(LEGACY_SECRET);
  }

  @Test
  void verifierOverTheStoreDecidesLikeOverAFile() {
    KeyLifecycle keys = lifecycle(store);
    ApiKey good = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    ApiKey revoked = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    keys.revoke(revoked.id());
    ApiKey testMode = keys.create(ApiKey.Kind.MACHINE, Mode.TEST, "acme", Set.of(), null).key();
    keys.importLegacy(
        "legacy-one", LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null);
    KeyVerifier verifier = KeyVerifier.of(store, Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(verifier.verify(good.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.verified(new MachinePrincipal(good.id(), "acme", Set.of())));
    assertThat(verifier.verify(revoked.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.rejected(Reason.REVOKED_KEY, null));
    assertThat(verifier.verify(testMode.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.rejected(Reason.KEY_MODE_MISMATCH, null));
    assertThat(verifier.verify(LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.verified(new MachinePrincipal("legacy-one", "acme", Set.of())));
    ApiKey forged = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThat(verifier.verify(forged.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID));
  }

  @Test
  void duplicatesAreRefusedWithTheMessagesOfTheOtherStores() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    store.add(record(key, "acme", Set.of(), null));
    assertThatThrownBy(() -> store.add(record(key, "other", Set.of(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate id " + key.id());
    KeyRecord sameHash =
        new KeyRecord(
            "same-hash",
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            key.hash(),
            null,
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null,
            true);
    assertThatThrownBy(() -> store.add(sameHash))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key same-hash has the same hash as key \"" + key.id() + "\"")
        .hasMessageNotContaining(key.hash());
    assertThat(store.records()).hasSize(1);
  }

  @Test
  void revokeIsImmediateHereAndIdempotent() {
    ApiKey key =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    assertThat(store.findById(key.id()).status()).isEqualTo(KeyRecord.Status.ACTIVE);
    KeyRecord revoked = store.revoke(key.id());
    assertThat(revoked.status()).isEqualTo(KeyRecord.Status.REVOKED);
    assertThat(store.findById(key.id()))
        .as("the writing node evicts its own cache")
        .isEqualTo(revoked);
    assertThat(store.revoke(key.id())).isEqualTo(revoked);
    assertThatThrownBy(() -> store.revoke("abcdefghijklmnop"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no key with id \"abcdefghijklmnop\"");
  }

  @Test
  void rotationShortensNeverExtendsAndIsAtomic() throws SQLException {
    KeyLifecycle keys = lifecycle(store);
    KeyRecord open =
        keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null).record();
    KeyLifecycle.Issued first = keys.rotate(open.id(), KeyLifecycle.DEFAULT_GRACE);
    Instant graceEnd = NOW.plus(KeyLifecycle.DEFAULT_GRACE);
    assertThat(first.predecessor().notAfter()).isEqualTo(graceEnd);
    assertThat(store.findById(open.id()).notAfter()).isEqualTo(graceEnd);
    assertThat(first.record().tenant()).isEqualTo("acme");
    assertThat(first.record().scopes()).containsExactly("runs:write");
    assertThat(keys.rotate(open.id(), Duration.ofDays(10)).predecessor().notAfter())
        .as("rotating again never extends")
        .isEqualTo(graceEnd);
    assertThat(keys.rotate(open.id(), Duration.ofHours(1)).predecessor().notAfter())
        .isEqualTo(NOW.plus(Duration.ofHours(1)));

    // A successor that clashes rolls back the whole rotation: the old key keeps its notAfter.
    KeyRecord other = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).record();
    KeyRecord clash =
        new KeyRecord(
            other.id(),
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).hash(),
            null,
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null);
    int before = store.records().size();
    assertThatThrownBy(() -> store.rotate(open.id(), NOW, clash))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.records()).hasSize(before);
    assertThat(store.findById(open.id()).notAfter()).isEqualTo(NOW.plus(Duration.ofHours(1)));

    store.revoke(open.id());
    assertThatThrownBy(() -> keys.rotate(open.id(), Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is revoked");
    assertThatThrownBy(() -> store.rotate("abcdefghijklmnop", NOW, clash))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void updatedAtFollowsEveryChangeAndCreatedAtNever() throws SQLException {
    ApiKey key =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    execute(
        ds, "UPDATE planeguard_keys SET created_at = '2000-01-01Z', updated_at = '2000-01-01Z'");
    store.revoke(key.id());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT created_at, updated_at FROM planeguard_keys")) {
      rs.next();
      OffsetDateTime created = rs.getObject(1, OffsetDateTime.class);
      OffsetDateTime updated = rs.getObject(2, OffsetDateTime.class);
      assertThat(updated).isAfter(created);
      assertThat(updated.getYear()).isGreaterThan(2000);
    }
  }

  @Test
  void concurrentWritersOnTwoNodesLoseNothing() throws Exception {
    JdbcKeyStore other = JdbcKeyStore.builder(ds).build();
    KeyRecord target =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).record();
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<KeyRecord>> rotations = new ArrayList<>();
    List<Instant> retireAts = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      Instant retireAt = NOW.plus(Duration.ofMinutes(10 + 7L * ((i * 5) % writers)));
      retireAts.add(retireAt);
      JdbcKeyStore node = i % 2 == 0 ? store : other;
      ApiKey successor = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
      Callable<KeyRecord> rotate =
          () -> {
            go.await();
            return node.rotate(
                target.id(), retireAt, KeyRecord.of(successor, "acme", Set.of(), null));
          };
      rotations.add(pool.submit(rotate));
    }
    // The same new record added on both nodes at once: exactly one insert wins.
    ApiKey contested = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    List<Future<Boolean>> adds = new ArrayList<>();
    for (JdbcKeyStore node : List.of(store, other, store, other)) {
      adds.add(
          pool.submit(
              () -> {
                go.await();
                try {
                  node.add(KeyRecord.of(contested, "acme", Set.of(), null));
                  return true;
                } catch (IllegalArgumentException e) {
                  return false;
                }
              }));
    }
    go.countDown();
    for (Future<KeyRecord> f : rotations) {
      f.get();
    }
    int won = 0;
    for (Future<Boolean> f : adds) {
      won += f.get() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(won).isEqualTo(1);
    Instant earliest = new TreeSet<>(retireAts).first();
    assertThat(other.records()).hasSize(1 + writers + 1);
    assertThat(other.records().get(0).notAfter()).isEqualTo(earliest);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Keys",
        "planeguard keys",
        "keys;drop table x",
        "keys\n",
        "keys ",
        "\"keys\"",
        "keys--",
        "1keys",
        "a.b.c",
        "a.",
        ".a",
        "k\u00e9ys",
        "schema.Keys",
        "a234567890123456789012345678901234567890123456789012345678901234"
      })
  void onlySafeTableNames(String table) {
    assertThatThrownBy(() -> JdbcKeyStore.builder(ds).table(table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case SQL identifier");
  }

  @Test
  void aTableInAnotherSchemaWorks() throws SQLException {
    // The shipped file names no schema: applied with another search_path (as Flyway's "schemas"
    // setting does), it creates the table there.
    execute(ds, "CREATE SCHEMA auth; SET search_path TO auth; " + PostgresKeyTables.schema());
    JdbcKeyStore qualified = JdbcKeyStore.builder(ds).table("auth.planeguard_keys").build();
    ApiKey key =
        lifecycle(qualified).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    assertThat(qualified.findById(key.id())).isNotNull();
    assertThat(store.findById(key.id())).as("the default table is another table").isNull();
    assertThat(qualified.toString())
        .isEqualTo(
            "JdbcKeyStore{table=auth.planeguard_keys, revocationBound=PT5S, listening=false}");
  }

  @Test
  void theSchemaRefusesRowsTheApplicationWouldReject() {
    String hash = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).hash();
    String good = "'abcdefghijklmnop', 'mk', 'prod', '" + hash + "'";
    List<String> bad =
        List.of(
            "'abcdefghijklmnop', 'xk', 'prod', '" + hash + "'",
            "'abcdefghijklmnop', 'mk', 'PROD', '" + hash + "'",
            "'abcdefghijklmnop', 'mk', 'prod', '" + hash.toUpperCase(java.util.Locale.ROOT) + "'",
            "'abcdefghijklmnop', 'mk', 'prod', 'sha256:abc'",
            "'abcdefghijklmnoP', 'mk', 'prod', '" + hash + "'",
            "'abcdefghijklmno1', 'mk', 'prod', '" + hash + "'");
    for (String values : bad) {
      assertThatThrownBy(
              () ->
                  execute(
                      ds,
                      "INSERT INTO planeguard_keys (id, kind, mode, hash) VALUES (" + values + ")"))
          .as(values)
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23514"));
    }
    for (String column :
        List.of(
            "tenant = 'a b'",
            "scopes = 'a  b'",
            "scopes = ' a'",
            "scopes = 'a,b'",
            "status = 'expired'",
            "legacy = true",
            "id = 'legacy-x'")) {
      assertThatThrownBy(
              () ->
                  execute(
                      ds,
                      "INSERT INTO planeguard_keys (id, kind, mode, hash) VALUES ("
                          + good
                          + "); UPDATE planeguard_keys SET "
                          + column))
          .as(column)
          .isInstanceOf(SQLException.class);
      try {
        execute(ds, "DELETE FROM planeguard_keys");
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
    }
    // A legacy name that is not 16 characters of [a-z2-7] is fine.
    assertThat(store.findById("abcdefghijklmnop")).isNull();
  }

  @Test
  void anInvalidRowFailsTheLookupClosedAndNamesOnlyItsId() throws SQLException {
    // A hand-made table without the checks, holding a real key whose tenant no request could carry.
    execute(ds, "CREATE TABLE lax_keys (LIKE planeguard_keys INCLUDING DEFAULTS)");
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    execute(
        ds,
        "INSERT INTO lax_keys (id, kind, mode, hash, tenant) VALUES ('"
            + key.id()
            + "', 'mk', 'prod', '"
            + key.hash()
            + "', 'acme corp')");
    JdbcKeyStore lax = JdbcKeyStore.builder(ds).table("lax_keys").build();
    assertThatThrownBy(() -> lax.findById(key.id()))
        .isInstanceOf(JdbcKeyStore.UnavailableException.class)
        .hasMessage(
            "key table lax_keys: cannot look up a key: the row with id \""
                + key.id()
                + "\" is not a valid key record: tenant must be 1-128 of [A-Za-z0-9._:@-]")
        .hasMessageNotContaining(key.hash())
        .hasNoCause();
    assertThat(KeyVerifier.of(lax).verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    assertThatThrownBy(lax::records).isInstanceOf(JdbcKeyStore.UnavailableException.class);
  }

  @Test
  void aRowTheDatabaseRefusesIsNeverQuotedBack() throws SQLException {
    // PostgreSQL's message for a failed check quotes the whole row, hash included.
    execute(ds, "ALTER TABLE planeguard_keys ADD CONSTRAINT no_acme CHECK (tenant <> 'acme')");
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThatThrownBy(() -> store.add(KeyRecord.of(key, "acme", Set.of(), null)))
        .isInstanceOfSatisfying(
            JdbcKeyStore.UnavailableException.class,
            e -> {
              assertThat(e.sqlState()).isEqualTo("23514");
              assertThat(e)
                  .hasMessage(
                      "key table planeguard_keys: cannot add a key (SQLState 23514: a row"
                          + " failed a check constraint of the table)")
                  .hasNoCause();
            });
    assertThat(store.records()).isEmpty();
  }

  @Test
  void worksWithoutThePostgresDriverOnItsClassPathExceptForListening() throws Exception {
    ApiKey key =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    // planeguard-core and its required dependencies only; the data source is the application's.
    List<URL> jars = new ArrayList<>();
    for (Class<?> c :
        List.of(
            JdbcKeyStore.class,
            Caffeine.class,
            LoggerFactory.class,
            Nullable.class,
            JSONObjectUtils.class)) {
      jars.add(c.getProtectionDomain().getCodeSource().getLocation());
    }
    try (URLClassLoader core =
            new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        OutputCapture slf4jWithoutProvider = OutputCapture.start()) {
      assertThatThrownBy(() -> Class.forName("org.postgresql.PGConnection", false, core))
          .as("the driver is really absent")
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> storeClass = Class.forName(JdbcKeyStore.class.getName(), true, core);
      Method builder = storeClass.getMethod("builder", DataSource.class);
      Object plain = builder.invoke(null, ds);
      Object isolated = plain.getClass().getMethod("build").invoke(plain);
      Object found = storeClass.getMethod("findById", String.class).invoke(isolated, key.id());
      assertThat(found.getClass().getClassLoader()).isSameAs(core);
      assertThat(found.toString()).startsWith("KeyRecord{id=" + key.id() + ", kind=mk, mode=prod");

      Object listening = builder.invoke(null, ds);
      listening.getClass().getMethod("listenForChanges").invoke(listening);
      Method build = listening.getClass().getMethod("build");
      assertThatThrownBy(() -> build.invoke(listening))
          .isInstanceOf(InvocationTargetException.class)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "listenForChanges needs the PostgreSQL JDBC driver (org.postgresql:postgresql)"
                  + " on the class path");
      assertThat(slf4jWithoutProvider.err()).doesNotContain(key.hash());
    }
  }

  @Test
  void aMissingTableSaysWhichMigrationToApply() {
    JdbcKeyStore missing = JdbcKeyStore.builder(ds).table("no_such_keys").build();
    assertThatThrownBy(() -> missing.findById("abcdefghijklmnop"))
        .isInstanceOfSatisfying(
            JdbcKeyStore.UnavailableException.class,
            e -> {
              assertThat(e.sqlState()).isEqualTo("42P01");
              assertThat(e)
                  .hasMessage(
                      "key table no_such_keys: cannot look up a key (SQLState 42P01: the table does"
                          + " not exist; apply dev/planeguard/sql/postgresql/V1__planeguard_keys.sql (see docs/keys.md))");
            });
  }

  @Test
  void aReadOnlyDatabaseRefusesChangesAndKeepsAnswering() throws SQLException {
    ApiKey key =
        lifecycle(store).create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
    String db;
    try (Connection c = ds.getConnection()) {
      db = c.getCatalog();
    }
    execute(ds, "ALTER DATABASE " + db + " SET default_transaction_read_only = on");
    try {
      JdbcKeyStore replica = JdbcKeyStore.builder(ds).build();
      assertThat(replica.findById(key.id())).isNotNull();
      assertThatThrownBy(() -> replica.revoke(key.id()))
          .isInstanceOfSatisfying(
              JdbcKeyStore.UnavailableException.class,
              e -> assertThat(e.getMessage()).contains("cannot revoke a key (SQLState 25006"));
      assertThat(replica.findById(key.id()).status()).isEqualTo(KeyRecord.Status.ACTIVE);
    } finally {
      execute(
          ds,
          "BEGIN; SET TRANSACTION READ WRITE; ALTER DATABASE "
              + db
              + " SET default_transaction_read_only = off; COMMIT");
    }
  }

  @Test
  void configurationIsChecked() {
    JdbcKeyStore.Builder b = JdbcKeyStore.builder(ds);
    assertThatThrownBy(() -> b.revocationBound(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.revocationBound(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.queryTimeout(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.queryTimeout(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class);
    JdbcKeyStore s =
        b.revocationBound(Duration.ofMillis(1500)).queryTimeout(Duration.ofMillis(1001)).build();
    assertThat(s.revocationBound()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.table()).isEqualTo("planeguard_keys");
    assertThat(JdbcKeyStore.builder(ds).build().revocationBound()).isEqualTo(Duration.ofSeconds(5));
  }
}

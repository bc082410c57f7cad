package dev.planeguard.keys;

import static dev.planeguard.keys.PostgresKeyTables.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import dev.planeguard.internal.KeyChangeListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two application nodes over one PostgreSQL: each has its own {@link JdbcKeyStore} and its own
 * cache clock (a fake ticker, advanced by the test). A change made through one node reaches the
 * other within the revocation bound, or at once when the other listens for notifications.
 */
class JdbcKeyStoreFleetTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final Duration BOUND = JdbcKeyStore.DEFAULT_REVOCATION_BOUND;

  DataSource ds;
  final List<JdbcKeyStore> stores = new ArrayList<>();

  /** One application node: its store, the ticker of its cache, and its view of keys. */
  final class Node {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final JdbcKeyStore store;

    Node(JdbcKeyStore.Builder builder) {
      store = builder.ticker(nanos::get).build();
      stores.add(store);
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }

    Verification verify(ApiKey key, Instant at) {
      return KeyVerifier.of(store, Clock.fixed(at, ZoneOffset.UTC))
          .verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD);
    }

    Verification verify(ApiKey key) {
      return verify(key, NOW);
    }

    KeyLifecycle keys() {
      return KeyLifecycle.of(store, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    ApiKey create() {
      return keys()
          .create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null)
          .key();
    }
  }

  /** The events of the listening node of a test. */
  final PostgresKeyTables.Events events = new PostgresKeyTables.Events();

  /** A node that listens for changes, once its listener is up. */
  Node listening(JdbcKeyStore.Builder builder) throws InterruptedException {
    Node node = new Node(builder.listenForChanges().listenerEvents(events));
    events.await("listening");
    return node;
  }

  /** A key created through {@code writer}, heard of and then cached by the listening node. */
  ApiKey createdAndCached(Node writer, Node listening) throws InterruptedException {
    ApiKey key = writer.create();
    events.await("notified " + key.id());
    assertThat(listening.verify(key)).isEqualTo(verified(key));
    return key;
  }

  @BeforeEach
  void database() throws Exception {
    ds = PostgresKeyTables.newDatabase();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(JdbcKeyStore::close);
  }

  static Verification verified(ApiKey key) {
    return Verification.verified(new MachinePrincipal(key.id(), "acme", Set.of("runs:write")));
  }

  static final Verification REVOKED = Verification.rejected(Reason.REVOKED_KEY, null);
  static final Verification EXPIRED = Verification.rejected(Reason.EXPIRED_KEY, null);
  static final Verification UNKNOWN = Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID);

  @Test
  void aKeyRevokedThroughOneNodeIsRefusedByTheOtherWithinTheBound() {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = new Node(JdbcKeyStore.builder(ds));
    ApiKey key = a.create();
    assertThat(a.verify(key)).isEqualTo(verified(key));
    assertThat(b.verify(key)).isEqualTo(verified(key));

    a.keys().revoke(key.id());
    assertThat(a.verify(key)).as("the node that revoked refuses at once").isEqualTo(REVOKED);
    b.advance(BOUND.minusNanos(1));
    assertThat(b.verify(key))
        .as("the other node may use its answer until it is one bound old")
        .isEqualTo(verified(key));
    b.advance(Duration.ofNanos(1));
    assertThat(b.verify(key)).as("and not a nanosecond longer").isEqualTo(REVOKED);
  }

  @Test
  void aKeyCreatedThroughOneNodeWorksOnTheOtherOnceItsUnknownAnswerExpires() {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = new Node(JdbcKeyStore.builder(ds));
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThat(b.verify(key)).isEqualTo(UNKNOWN);

    a.store.add(KeyRecord.of(key, "acme", Set.of("runs:write"), null));
    assertThat(a.verify(key)).isEqualTo(verified(key));
    b.advance(BOUND.minusNanos(1));
    assertThat(b.verify(key)).isEqualTo(UNKNOWN);
    b.advance(Duration.ofNanos(1));
    assertThat(b.verify(key)).isEqualTo(verified(key));
  }

  @Test
  void rotationGraceIsObservedByBothNodes() {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = new Node(JdbcKeyStore.builder(ds));
    ApiKey old = a.create();
    assertThat(b.verify(old)).isEqualTo(verified(old));

    KeyLifecycle.Issued rotated = a.keys().rotate(old.id(), KeyLifecycle.DEFAULT_GRACE);
    ApiKey successor = rotated.key();
    Instant graceEnd = NOW.plus(KeyLifecycle.DEFAULT_GRACE);
    assertThat(rotated.predecessor().notAfter()).isEqualTo(graceEnd);
    b.advance(BOUND);

    for (Node node : List.of(a, b)) {
      assertThat(node.verify(successor)).isEqualTo(verified(successor));
      assertThat(node.verify(old, graceEnd.minusSeconds(3600)))
          .as("the old key works during the grace period")
          .isEqualTo(verified(old));
      assertThat(node.verify(old, graceEnd)).as("up to its last instant").isEqualTo(verified(old));
      assertThat(node.verify(old, graceEnd.plusMillis(1))).isEqualTo(EXPIRED);
      assertThat(node.verify(successor, graceEnd.plusMillis(1))).isEqualTo(verified(successor));
      assertThat(node.store.findById(old.id()).notAfter()).isEqualTo(graceEnd);
    }
  }

  @Test
  void aListeningNodeEvictsARevokedKeyAtOnce() throws Exception {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = listening(JdbcKeyStore.builder(ds));
    assertThat(b.store.toString()).contains("listening=true");

    ApiKey key = createdAndCached(a, b);

    a.keys().revoke(key.id());
    events.await("notified " + key.id());
    assertThat(b.verify(key))
        .as("refused without any time passing on the listening node's clock")
        .isEqualTo(REVOKED);
  }

  @Test
  void aListeningNodeSeesChangesMadeByAnyTool() throws Exception {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = listening(JdbcKeyStore.builder(ds));
    ApiKey key = createdAndCached(a, b);

    execute(ds, "UPDATE planeguard_keys SET scopes = '' WHERE id = '" + key.id() + "'");
    events.await("notified " + key.id());
    assertThat(b.verify(key))
        .isEqualTo(Verification.verified(new MachinePrincipal(key.id(), "acme", Set.of())));

    execute(ds, "TRUNCATE planeguard_keys");
    events.await("notified " + KeyChangeListener.EVERYTHING);
    assertThat(b.verify(key)).as("TRUNCATE evicts every key").isEqualTo(UNKNOWN);
  }

  @Test
  void aListenerWhoseConnectionIsKilledListensAgainAndForgetsWhatItMayHaveMissed()
      throws Exception {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = listening(JdbcKeyStore.builder(ds));
    ApiKey key = createdAndCached(a, b);

    execute(
        ds,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE query = 'LISTEN planeguard_keys' AND pid <> pg_backend_pid()");
    events.await("lost");
    // A revocation while the listener is away is not announced to it...
    a.keys().revoke(key.id());
    // ...so on reconnecting it forgets every cached answer.
    events.await("listening");
    assertThat(b.verify(key)).isEqualTo(REVOKED);

    createdAndCached(a, b);
  }

  @Test
  void aListenerOnASchemaQualifiedTableListensOnTheTableName() throws Exception {
    execute(ds, "CREATE SCHEMA auth; SET search_path TO auth; " + PostgresKeyTables.schema());
    Node a = new Node(JdbcKeyStore.builder(ds).table("auth.planeguard_keys"));
    Node b = listening(JdbcKeyStore.builder(ds).table("auth.planeguard_keys"));
    ApiKey key = createdAndCached(a, b);
    a.keys().revoke(key.id());
    events.await("notified " + key.id());
    assertThat(b.verify(key)).isEqualTo(REVOKED);
  }

  @Test
  void aClosedListenerStopsAndTheBoundStillHolds() throws Exception {
    Node a = new Node(JdbcKeyStore.builder(ds));
    Node b = listening(JdbcKeyStore.builder(ds));
    b.store.close();
    events.await("stopped");
    assertThat(b.store.toString()).contains("listening=false");
    ApiKey key = a.create();
    assertThat(b.verify(key)).isEqualTo(verified(key));
    a.keys().revoke(key.id());
    b.advance(BOUND);
    assertThat(b.verify(key)).isEqualTo(REVOKED);
  }
}

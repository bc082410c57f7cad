package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.testing.SharedPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** Test fixtures for the JDBC key store: databases with the shipped schema, listener events. */
final class PostgresKeyTables {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private PostgresKeyTables() {}

  /**
   * One server for the key store tests of this JVM, started on first use and stopped when the JVM
   * exits. Tests that stop a server start their own.
   */
  static EmbeddedPostgres server() throws IOException {
    return SharedPostgres.server();
  }

  /** A new, empty database on the {@linkplain #server() shared server} with the shipped schema. */
  static DataSource newDatabase() throws IOException, SQLException {
    return newDatabase(server());
  }

  /** The shipped schema, every migration in order, read from the class path as a tool would. */
  static String schema() {
    return resource(JdbcKeyStore.SCHEMA_RESOURCE)
        + "\n"
        + resource(JdbcKeyStore.USAGE_SCHEMA_RESOURCE);
  }

  /** One shipped migration. */
  static String resource(String name) {
    try (InputStream in = JdbcKeyStore.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new, empty database on {@code pg} with the shipped schema applied. */
  static DataSource newDatabase(EmbeddedPostgres pg) throws SQLException {
    DataSource ds = emptyDatabase(pg);
    execute(ds, schema());
    return ds;
  }

  /** A new database on the shared server with only the first migration, as before key usage. */
  static DataSource newDatabaseBeforeUsage() throws IOException, SQLException {
    DataSource ds = emptyDatabase(server());
    execute(ds, resource(JdbcKeyStore.SCHEMA_RESOURCE));
    return ds;
  }

  private static DataSource emptyDatabase(EmbeddedPostgres pg) throws SQLException {
    String name = "keys_" + DATABASES.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return dataSource(pg, name);
  }

  /**
   * A data source for {@code database} on {@code pg}'s port, with short connect and socket
   * timeouts. It keeps working across a restart of the server on the same port.
   */
  static DataSource dataSource(EmbeddedPostgres pg, String database) {
    return pg.getDatabase(
        "postgres", database, Map.of("connectTimeout", "5", "socketTimeout", "30"));
  }

  static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Listener events, in order, for a test to wait on (never to sleep on). */
  static final class Events implements dev.planeguard.internal.KeyChangeListener.Events {

    /** Longest wait for an event before the test fails: a hang guard, not a timing assertion. */
    static final Duration GUARD = Duration.ofSeconds(60);

    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void listening() {
      queue.add("listening");
    }

    @Override
    public void notified(String payload) {
      queue.add("notified " + payload);
    }

    @Override
    public void lost() {
      queue.add("lost");
    }

    @Override
    public void stopped() {
      queue.add("stopped");
    }

    /** Waits for {@code event}, skipping others. */
    void await(String event) throws InterruptedException {
      awaitAfter(event);
    }

    /** Waits for {@code event} and returns the events that came before it. */
    List<String> awaitAfter(String event) throws InterruptedException {
      List<String> before = new ArrayList<>();
      long deadline = System.nanoTime() + GUARD.toNanos();
      while (true) {
        String e = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(e).as("waiting for listener event '%s'", event).isNotNull();
        if (e.equals(event)) {
          return before;
        }
        before.add(e);
      }
    }

    void clear() {
      queue.clear();
    }
  }
}

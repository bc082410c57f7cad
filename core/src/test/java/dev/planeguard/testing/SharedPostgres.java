package dev.planeguard.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * One embedded PostgreSQL server for the database tests of this JVM, started on first use and
 * stopped when the JVM exits; tests create a database of their own on it. Tests that stop a server
 * start their own.
 */
public final class SharedPostgres {

  private static @Nullable EmbeddedPostgres server;

  private SharedPostgres() {}

  /** The server, started if this is the first use. */
  public static synchronized EmbeddedPostgres server() throws IOException {
    EmbeddedPostgres s = server;
    if (s == null) {
      s = EmbeddedPostgres.builder().setRegisterShutdownHook(true).start();
      server = s;
    }
    return s;
  }
}

package dev.planeguard.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Embedded PostgreSQL servers that ask every role for its password, as a real server does: only the
 * bootstrap superuser {@code postgres}, which the harness itself uses, may connect without one.
 * Create roles with {@code CREATE ROLE … LOGIN PASSWORD '…'} and connect as them to exercise
 * password handling end to end.
 */
public final class PasswordPostgres {

  private static final String PG_HBA =
      """
      host all postgres 127.0.0.1/32 trust
      host all postgres ::1/128 trust
      host all all 127.0.0.1/32 scram-sha-256
      host all all ::1/128 scram-sha-256
      """;

  private PasswordPostgres() {}

  /** A builder for such a server; add a data directory, a port, … as needed, then start it. */
  public static EmbeddedPostgres.Builder builder() {
    return EmbeddedPostgres.builder()
        .setDataDirectoryCustomizer(
            dir -> {
              try {
                Files.writeString(dir.toPath().resolve("pg_hba.conf"), PG_HBA);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }
}

package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migration gate, from the environment alone and against a real PostgreSQL. */
class MigrationGateTest {

  static EmbeddedPostgres primary;
  static EmbeddedPostgres standby;

  @BeforeAll
  static void startServers() throws Exception {
    primary = EmbeddedPostgres.builder().start();
    try (Connection c = primary.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE readonly_db");
      s.execute("ALTER DATABASE readonly_db SET default_transaction_read_only = on");
      s.execute("CREATE ROLE app LOGIN PASSWORD 'app-password-for-tests'");
    }
    // A server started with standby.signal stays in recovery: a physical standby.
    standby =
        EmbeddedPostgres.builder()
            .setDataDirectoryCustomizer(
                dir -> {
                  try {
                    Files.createFile(dir.toPath().resolve("standby.signal"));
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .start();
  }

  @AfterAll
  static void stopServers() throws IOException {
    if (standby != null) {
      standby.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  static Map<String, String> env(String mode, String role, String confirm) {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    if (role != null) {
      env.put("DB_ROLE", role);
    }
    if (confirm != null) {
      env.put("CONFIRM_PROD_MIGRATIONS", confirm);
    }
    return env;
  }

  @Test
  void everyRoleModeAndConfirmationCombination() {
    List<String> modes = List.of("local", "test", "preprod", "prod");
    List<String> roles = java.util.Arrays.asList("staging", "prod", "replica", "primary", null);
    List<String> confirms = java.util.Arrays.asList(null, "true", "TRUE", "yes", "postgresql:1/x");
    Map<String, Set<String>> rolesByMode =
        Map.of(
            "local", Set.of("staging"),
            "test", Set.of("staging", "replica"),
            "preprod", Set.of("staging", "replica"),
            "prod", Set.of("prod", "replica"));
    for (String mode : modes) {
      for (String role : roles) {
        for (String confirm : confirms) {
          Set<String> expected = new LinkedHashSet<>();
          if (role == null) {
            expected.add("DB_ROLE");
          } else if (!Set.of("staging", "prod", "replica").contains(role)
              || !rolesByMode.get(mode).contains(role)
              || role.equals("replica")) {
            expected.add("DB_ROLE");
          }
          if ("prod".equals(role) && !"true".equalsIgnoreCase(String.valueOf(confirm))) {
            // absent, "yes", or a fingerprint that cannot be checked without a connection
            expected.add("CONFIRM_PROD_MIGRATIONS");
          }
          MigrationGate gate = MigrationGate.of(env(mode, role, confirm));
          Set<String> subjects =
              gate.refusals().stream()
                  .map(Problem::subject)
                  .collect(Collectors.toCollection(LinkedHashSet::new));
          assertThat(subjects).as("%s role=%s confirm=%s", mode, role, confirm).isEqualTo(expected);
          for (Problem p : gate.refusals()) {
            assertThat(p.fix()).isNotBlank();
          }
        }
      }
    }
  }

  @Test
  void stagingMayMigrateAndProdOnlyWithConfirmation() {
    assertThat(MigrationGate.of(env("local", "staging", null)).refusals()).isEmpty();
    assertThat(MigrationGate.of(env("test", "staging", null)).refusals()).isEmpty();
    assertThat(MigrationGate.of(env("prod", "prod", "true")).refusals()).isEmpty();
    assertThatThrownBy(() -> MigrationGate.of(env("prod", "prod", null)).requireAllowed())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Migrations refused")
        .hasMessageContaining("CONFIRM_PROD_MIGRATIONS");
    assertThatThrownBy(() -> MigrationGate.of(env("prod", "replica", "true")).requireAllowed())
        .hasMessageContaining("never migrated");
  }

  @Test
  void anInvalidContractRefusesWithEveryViolation() {
    Map<String, String> env = env("prod", "staging", null);
    env.put("DB_AUTHORITY", "local");
    List<Problem> refusals = MigrationGate.of(env).refusals();
    assertThat(refusals)
        .extracting(Problem::subject)
        .contains("AOS_MODE", "DB_AUTHORITY", "DB_ROLE");
  }

  @Test
  void aWritablePrimaryMayBeMigrated() throws SQLException {
    try (Connection c = primary.getPostgresDatabase().getConnection()) {
      assertThat(MigrationGate.of(env("test", "staging", null)).refusals(c)).isEmpty();
    }
  }

  @Test
  void aReadOnlySessionIsRefusedEvenWithStaging() throws SQLException {
    try (Connection c = primary.getDatabase("postgres", "readonly_db").getConnection()) {
      List<Problem> refusals = MigrationGate.of(env("local", "staging", null)).refusals(c);
      assertThat(refusals)
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.subject()).isEqualTo("database");
                assertThat(p.message()).contains("transaction_read_only");
              });
    }
  }

  @Test
  void aStandbyIsRefusedEvenWithProdConfirmed() throws SQLException {
    try (Connection c = standby.getPostgresDatabase().getConnection()) {
      List<Problem> refusals = MigrationGate.of(env("prod", "prod", "true")).refusals(c);
      assertThat(refusals)
          .extracting(Problem::message)
          .anySatisfy(m -> assertThat(m).contains("standby"));
    }
  }

  @Test
  void aFingerprintConfirmsExactlyOneDatabase() throws SQLException {
    String fingerprint;
    try (Connection c = primary.getPostgresDatabase().getConnection()) {
      fingerprint = MigrationGate.fingerprint(c);
      assertThat(fingerprint).matches("postgresql:\\d+/postgres");
      assertThat(MigrationGate.of(env("prod", "prod", fingerprint)).refusals(c)).isEmpty();
    }
    try (Connection other = standby.getPostgresDatabase().getConnection()) {
      List<Problem> refusals = MigrationGate.of(env("prod", "prod", fingerprint)).refusals(other);
      assertThat(refusals)
          .extracting(Problem::message)
          .anySatisfy(m -> assertThat(m).contains("but the target is"));
    }
    try (Connection sameClusterOtherDb =
        primary.getDatabase("postgres", "template1").getConnection()) {
      assertThat(MigrationGate.of(env("prod", "prod", fingerprint)).refusals(sameClusterOtherDb))
          .extracting(Problem::subject)
          .containsExactly("CONFIRM_PROD_MIGRATIONS");
    }
  }

  @Test
  void anOrdinaryRoleReadsTheFingerprintAndOneThatMayNotIsRefusedNotWaved() throws SQLException {
    String fingerprint;
    try (Connection c = primary.getPostgresDatabase().getConnection()) {
      fingerprint = MigrationGate.fingerprint(c);
    }
    String url = primary.getJdbcUrl("app", "postgres");
    try (Connection c =
        java.sql.DriverManager.getConnection(url, "app", "app-password-for-tests")) {
      assertThat(MigrationGate.of(env("prod", "prod", fingerprint)).refusals(c)).isEmpty();
    }
    try (Connection admin = primary.getPostgresDatabase().getConnection();
        Statement s = admin.createStatement()) {
      s.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
      try (Connection c =
          java.sql.DriverManager.getConnection(url, "app", "app-password-for-tests")) {
        List<Problem> refusals = MigrationGate.of(env("prod", "prod", fingerprint)).refusals(c);
        assertThat(refusals)
            .singleElement()
            .satisfies(
                p -> {
                  assertThat(p.message()).contains("cannot be read").contains("42501");
                  assertThat(p.fix()).contains("pg_control_system");
                });
      } finally {
        s.execute("GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC");
      }
    }
  }

  @Test
  void aServerThatCannotBeAskedIsARefusal() throws SQLException {
    Connection closed = primary.getPostgresDatabase().getConnection();
    closed.close();
    List<Problem> refusals = MigrationGate.of(env("test", "staging", null)).refusals(closed);
    assertThat(refusals)
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("could not be asked"));
  }
}

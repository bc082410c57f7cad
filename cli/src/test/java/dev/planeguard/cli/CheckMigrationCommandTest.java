package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.testing.PasswordPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code planeguard check-migration} against a real PostgreSQL. */
class CheckMigrationCommandTest {

  static EmbeddedPostgres pg;
  static final String PASSWORD = "migrator-password-0123456789";

  @BeforeAll
  static void start() throws Exception {
    pg = PasswordPostgres.builder().start();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE migrator LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE app OWNER migrator");
      s.execute("CREATE DATABASE app_ro OWNER migrator");
      s.execute("ALTER DATABASE app_ro SET default_transaction_read_only = on");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
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
    env.put("PLANEGUARD_JDBC_USER", "migrator");
    env.put("PLANEGUARD_JDBC_PASSWORD", PASSWORD);
    return env;
  }

  String url(String db) {
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + db;
  }

  @Test
  void environmentOnly() {
    assertThat(CliRun.run(env("local", "staging", null), "check-migration").exit()).isZero();
    CliRun replica = CliRun.run(env("prod", "replica", "true"), "check-migration");
    assertThat(replica.exit()).isEqualTo(1);
    assertThat(replica.out()).contains("DB_ROLE").contains("never migrated");
    CliRun noRole = CliRun.run(env("test", null, null), "check-migration");
    assertThat(noRole.exit()).isEqualTo(1);
    assertThat(noRole.out()).contains("DB_ROLE: is required for migrations");
    assertThat(CliRun.run(env("prod", "prod", null), "check-migration").exit()).isEqualTo(1);
    assertThat(CliRun.run(env("prod", "prod", "true"), "check-migration").exit()).isZero();
  }

  @Test
  void askingTheServerPrintsItsFingerprintAndRefusesReadOnlyTargets() throws Exception {
    CliRun ok =
        CliRun.run(
            env("test", "staging", null), "check-migration", "--jdbc-url", url("app"), "--json");
    assertThat(ok.exit()).as(ok.out()).isZero();
    Map<String, Object> json = JSONObjectUtils.parse(ok.out());
    String fingerprint = (String) json.get("fingerprint");
    assertThat(fingerprint).matches("postgresql:\\d+/app");

    CliRun readOnly =
        CliRun.run(env("local", "staging", null), "check-migration", "--jdbc-url", url("app_ro"));
    assertThat(readOnly.exit()).isEqualTo(1);
    assertThat(readOnly.out()).contains("read-only");

    CliRun confirmed =
        CliRun.run(env("prod", "prod", fingerprint), "check-migration", "--jdbc-url", url("app"));
    assertThat(confirmed.exit()).as(confirmed.out()).isZero();
    CliRun wrongDb =
        CliRun.run(
            env("prod", "prod", fingerprint), "check-migration", "--jdbc-url", url("app_ro"));
    assertThat(wrongDb.exit()).isEqualTo(1);
    assertThat(wrongDb.out()).contains("but the target is");
  }

  @Test
  void libpqUrisWork() {
    Map<String, String> env = env("test", "staging", null);
    env.remove("PLANEGUARD_JDBC_USER");
    CliRun r =
        CliRun.run(
            env,
            "check-migration",
            "--jdbc-url",
            "postgresql://migrator@localhost:" + pg.getPort() + "/app");
    assertThat(r.exit()).as(r.out()).isZero();
  }

  @Test
  void anUnreachableServerIsARefusalAndNoPasswordIsPrinted() {
    CliRun r =
        CliRun.run(
            env("test", "staging", null),
            "check-migration",
            "--jdbc-url",
            "jdbc:postgresql://127.0.0.1:1/app");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("cannot connect");
    CliRun wrongPassword =
        CliRun.run(
            env("test", "staging", null),
            "check-migration",
            "--jdbc-url",
            "postgresql://migrator:not-the-password@localhost:" + pg.getPort() + "/app");
    assertThat(wrongPassword.exit()).isEqualTo(1);
    assertThat(wrongPassword.out()).contains("cannot connect (SQLState 28P01)");
    assertThat(wrongPassword.out() + wrongPassword.err())
        .doesNotContain("not-the-password")
        .doesNotContain(PASSWORD);
  }

  @Test
  void theJdbcPasswordIsCheckedLikeEverySecret(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Map<String, String> weak = env("prod", "prod", "true");
    weak.put("PLANEGUARD_JDBC_PASSWORD", "changeme");
    CliRun r = CliRun.run(weak, "check-migration", "--jdbc-url", url("app"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("PLANEGUARD_JDBC_PASSWORD").doesNotContain("changeme");

    java.nio.file.Path file = dir.resolve("pw");
    java.nio.file.Files.writeString(file, PASSWORD + "\n");
    java.nio.file.Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> fromFile = env("test", "staging", null);
    fromFile.put("PLANEGUARD_JDBC_PASSWORD", "wrong-but-ignored-because-the-file-wins");
    fromFile.put("PLANEGUARD_JDBC_PASSWORD_FILE", file.toString());
    CliRun ok = CliRun.run(fromFile, "check-migration", "--jdbc-url", url("app"));
    assertThat(ok.exit()).as(ok.out()).isZero();
  }

  @Test
  void usage() {
    assertThat(
            CliRun.run(env("test", "staging", null), "check-migration", "--jdbc-url", "mysql://x")
                .exit())
        .isEqualTo(2);
    assertThat(CliRun.run(env("test", "staging", null), "check-migration", "extra").exit())
        .isEqualTo(2);
  }
}

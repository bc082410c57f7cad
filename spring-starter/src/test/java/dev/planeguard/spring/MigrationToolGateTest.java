package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.MigrationGate;
import dev.planeguard.Problem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * The migration gate in front of Flyway and Liquibase as Spring Boot configures them, in a plain
 * (non-web) application and in a WebFlux application, against a real PostgreSQL: a refused
 * migration stops startup before the tool writes anything, with every reason listed; an allowed one
 * runs.
 */
class MigrationToolGateTest {

  private static final String[] FLYWAY_AUTO_CONFIGURATION = {
    "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration", // Spring Boot 4
    "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration" // Spring Boot 3
  };
  private static final String[] LIQUIBASE_AUTO_CONFIGURATION = {
    "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration", // Spring Boot 4
    "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration" // Spring Boot 3
  };
  private static final AtomicInteger DATABASES = new AtomicInteger();

  static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  /** A new, empty database, optionally read-only for every session. */
  static DataSource newDatabase(boolean readOnly) throws SQLException {
    String name = "app_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
      if (readOnly) {
        s.execute("ALTER DATABASE " + name + " SET default_transaction_read_only = on");
      }
    }
    return postgres.getDatabase("postgres", name);
  }

  static List<String> tables(DataSource db) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    return tables;
  }

  static ApplicationContextRunner app(DataSource db, String... env) {
    return runner(FLYWAY_AUTO_CONFIGURATION, db)
        .withPropertyValues("spring.flyway.locations=classpath:planeguard-test/migrations")
        .withPropertyValues(env);
  }

  static ApplicationContextRunner liquibase(DataSource db, String... env) {
    return runner(LIQUIBASE_AUTO_CONFIGURATION, db)
        .withPropertyValues("spring.liquibase.change-log=classpath:planeguard-test/changelog.sql")
        .withPropertyValues(env);
  }

  /** The same, in a Spring WebFlux application. */
  static ReactiveWebApplicationContextRunner reactive(DataSource db, String... env) {
    return runner(new ReactiveWebApplicationContextRunner(), FLYWAY_AUTO_CONFIGURATION, db)
        .withPropertyValues("spring.flyway.locations=classpath:planeguard-test/migrations")
        .withPropertyValues(env);
  }

  private static ApplicationContextRunner runner(String[] autoConfiguration, DataSource db) {
    return runner(new ApplicationContextRunner(), autoConfiguration, db);
  }

  private static <R extends AbstractApplicationContextRunner<R, ?, ?>> R runner(
      R runner, String[] autoConfiguration, DataSource db) {
    Class<?> tool = null;
    for (String name : autoConfiguration) {
      if (ClassUtils.isPresent(name, null)) {
        tool = ClassUtils.resolveClassName(name, null);
      }
    }
    assertThat(tool).as("Spring Boot's auto-configuration of %s", autoConfiguration[0]).isNotNull();
    return runner
        .withConfiguration(AutoConfigurations.of(tool, PlaneGuardMigrationAutoConfiguration.class))
        .withBean(DataSource.class, () -> db);
  }

  static void assertRefused(ApplicationContextAssertProvider<?> context, String... subjects) {
    assertThat(context).hasFailed();
    ConfigurationException e =
        PlaneGuardAutoConfigurationTest.rootCause(context.getStartupFailure());
    assertThat(e.problems()).extracting(Problem::subject).containsExactly(subjects);
    FailureAnalysis analysis = new PlaneGuardFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(analysis).isNotNull();
    assertThat(analysis.getDescription()).startsWith("Migrations refused");
    for (String subject : subjects) {
      assertThat(analysis.getDescription()).contains(subject);
    }
    assertThat(analysis.getAction()).contains("Fix each problem");
  }

  @Test
  void stagingMigrates() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "AOS_MODE=test", "DB_AUTHORITY=neon", "DB_ROLE=staging")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Callback.class);
              assertThat(context.getBean("planeGuardMigrationGate"))
                  .hasToString(FlywayMigrationGate.NAME);
            });
    assertThat(tables(db)).containsExactly("accounts", "flyway_schema_history");
  }

  /** A reactive application migrates through the same gate, with the same refusals. */
  @Test
  void aWebFluxApplicationIsGatedAlike() throws SQLException {
    DataSource db = newDatabase(false);
    reactive(db, "AOS_MODE=test", "DB_AUTHORITY=neon")
        .run(context -> assertRefused(context, "DB_ROLE"));
    reactive(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod")
        .run(context -> assertRefused(context, "CONFIRM_PROD_MIGRATIONS"));
    assertThat(tables(db)).as("not even Flyway's history table").isEmpty();

    reactive(db, "AOS_MODE=test", "DB_AUTHORITY=neon", "DB_ROLE=staging")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Callback.class));
    assertThat(tables(db)).containsExactly("accounts", "flyway_schema_history");
  }

  @Test
  void withoutDbRoleNothingIsWritten() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "AOS_MODE=test", "DB_AUTHORITY=neon").run(context -> assertRefused(context, "DB_ROLE"));
    assertThat(tables(db)).as("not even Flyway's history table").isEmpty();
  }

  @Test
  void aReplicaIsNeverMigrated() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=replica", "CONFIRM_PROD_MIGRATIONS=true")
        .run(context -> assertRefused(context, "DB_ROLE"));
    assertThat(tables(db)).isEmpty();
  }

  @Test
  void prodNeedsConfirmation() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod")
        .run(context -> assertRefused(context, "CONFIRM_PROD_MIGRATIONS"));
    assertThat(tables(db)).isEmpty();

    app(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod", "CONFIRM_PROD_MIGRATIONS=true")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(tables(db)).containsExactly("accounts", "flyway_schema_history");
  }

  @Test
  void prodConfirmedByFingerprintOnlyOnThatDatabase() throws SQLException {
    DataSource db = newDatabase(false);
    DataSource other = newDatabase(false);
    String fingerprint;
    try (Connection c = db.getConnection()) {
      fingerprint = MigrationGate.fingerprint(c);
    }
    String confirm = "CONFIRM_PROD_MIGRATIONS=" + fingerprint;
    app(other, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod", confirm)
        .run(context -> assertRefused(context, "CONFIRM_PROD_MIGRATIONS"));
    assertThat(tables(other)).isEmpty();

    app(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod", confirm)
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(tables(db)).containsExactly("accounts", "flyway_schema_history");
  }

  @Test
  void aReadOnlyTargetIsRefusedWhateverDbRoleSays() throws SQLException {
    DataSource db = newDatabase(true);
    app(db, "AOS_MODE=test", "DB_AUTHORITY=neon", "DB_ROLE=staging")
        .run(
            context -> {
              assertRefused(context, "database");
              assertThat(
                      PlaneGuardAutoConfigurationTest.rootCause(context.getStartupFailure())
                          .getMessage())
                  .contains("read-only");
            });
    assertThat(tables(db)).isEmpty();
  }

  @Test
  void anInvalidContractListsEveryProblem() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "AOS_MODE=prod", "DB_AUTHORITY=local", "DB_ROLE=staging")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(
                      PlaneGuardAutoConfigurationTest.rootCause(context.getStartupFailure())
                          .problems())
                  .extracting(Problem::subject)
                  .contains("AOS_MODE", "DB_AUTHORITY", "DB_ROLE");
            });
    assertThat(tables(db)).isEmpty();
  }

  @Test
  void withFlywayOffTheGateIsNotAsked() throws SQLException {
    DataSource db = newDatabase(false);
    app(db, "spring.flyway.enabled=false").run(context -> assertThat(context).hasNotFailed());
    assertThat(tables(db)).isEmpty();
  }

  /** Every other write Flyway offers is gated too; reading the state is not. */
  @Test
  void cleanBaselineAndRepairAreGatedInfoAndValidateAreNot() throws SQLException {
    DataSource db = newDatabase(false);
    MigrationGate allowed =
        MigrationGate.of(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon", "DB_ROLE", "staging"));
    MigrationGate refused =
        MigrationGate.of(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon", "DB_ROLE", "replica"));
    flyway(db, allowed).migrate();
    assertThat(tables(db)).containsExactly("accounts", "flyway_schema_history");

    Flyway gated = flyway(db, refused);
    assertThat(gated.info().applied()).hasSize(2);
    gated.validate();
    assertThatThrownBy(gated::clean).hasRootCauseInstanceOf(ConfigurationException.class);
    assertThatThrownBy(gated::repair).hasRootCauseInstanceOf(ConfigurationException.class);
    assertThatThrownBy(gated::migrate).hasRootCauseInstanceOf(ConfigurationException.class);
    assertThat(tables(db)).as("clean refused").containsExactly("accounts", "flyway_schema_history");

    DataSource fresh = newDatabase(false);
    try (Connection c = fresh.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE legacy (id int)");
    }
    assertThatThrownBy(flyway(fresh, refused)::baseline)
        .hasRootCauseInstanceOf(ConfigurationException.class);
    assertThat(tables(fresh)).containsExactly("legacy");
  }

  private static Flyway flyway(DataSource db, MigrationGate gate) {
    return Flyway.configure()
        .dataSource(db)
        .locations("classpath:planeguard-test/migrations")
        .cleanDisabled(false)
        .callbacks(FlywayMigrationGate.callback(gate))
        .load();
  }

  @Test
  void liquibaseRunsOnStaging() throws SQLException {
    DataSource db = newDatabase(false);
    liquibase(db, "AOS_MODE=test", "DB_AUTHORITY=neon", "DB_ROLE=staging")
        .run(context -> assertThat(context).hasNotFailed().hasBean("planeGuardLiquibaseGate"));
    assertThat(tables(db))
        .containsExactly("accounts", "databasechangelog", "databasechangeloglock");
  }

  @Test
  void liquibaseIsRefusedBeforeItWritesAnything() throws SQLException {
    DataSource db = newDatabase(false);
    liquibase(db, "AOS_MODE=prod", "DB_AUTHORITY=neon", "DB_ROLE=prod")
        .run(context -> assertRefused(context, "CONFIRM_PROD_MIGRATIONS"));
    liquibase(db, "AOS_MODE=test", "DB_AUTHORITY=neon")
        .run(context -> assertRefused(context, "DB_ROLE"));
    assertThat(tables(db)).as("not even Liquibase's lock table").isEmpty();

    DataSource readOnly = newDatabase(true);
    liquibase(readOnly, "AOS_MODE=test", "DB_AUTHORITY=neon", "DB_ROLE=staging")
        .run(context -> assertRefused(context, "database"));
    assertThat(tables(readOnly)).isEmpty();
  }

  @Test
  void liquibaseOnADatabaseThatCannotBeReachedIsRefusedWithEveryOtherReason() {
    PGSimpleDataSource unreachable = new PGSimpleDataSource();
    unreachable.setURL("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2");
    liquibase(unreachable, "AOS_MODE=test", "DB_AUTHORITY=neon")
        .run(context -> assertRefused(context, "DB_ROLE", "database"));
  }

  @Test
  void liquibaseOffIsNotAsked() throws SQLException {
    DataSource db = newDatabase(false);
    liquibase(db, "spring.liquibase.enabled=false")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(tables(db)).isEmpty();
  }
}

package dev.planeguard.spring;

import dev.planeguard.MigrationGate;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The database plane in a Spring Boot application: migrations run only when the {@link
 * MigrationGate} allows them. In every kind of application (web or not, so a migration job is gated
 * too), whenever Flyway or Liquibase is on the class path.
 *
 * <p>Flyway: a {@link Callback} bean, which Spring Boot adds to the Flyway it configures, asks the
 * gate on Flyway's own connection before Flyway writes anything (see {@link FlywayMigrationGate}).
 * A refusal stops startup with every reason listed. The gate reads {@code AOS_MODE}, {@code
 * DB_AUTHORITY}, {@code DB_ROLE} and {@code CONFIRM_PROD_MIGRATIONS} from the environment, or from
 * Spring properties of those exact names.
 *
 * <p>Liquibase: a bean post-processor asks the gate before each {@code SpringLiquibase} bean runs
 * (see {@link LiquibaseMigrationGate}).
 *
 * <p>There is no property to turn the gate off. An application that builds its own {@code Flyway}
 * without Spring Boot's auto-configuration adds the callback itself, or calls {@link
 * MigrationGate#requireAllowed(java.sql.Connection)} first.
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
      "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
      "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
      "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration"
    })
public final class PlaneGuardMigrationAutoConfiguration {

  PlaneGuardMigrationAutoConfiguration() {}

  /** The gate over the contract variables as the rest of planeguard reads them. */
  static MigrationGate gate(Environment environment) {
    return MigrationGate.of(PlaneGuardSetup.contractEnvironment(environment));
  }

  /**
   * Liquibase present: the gate before every {@code SpringLiquibase} bean runs. A post-processor,
   * so declared static; it reads the environment only when such a bean appears.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "liquibase.integration.spring.SpringLiquibase")
  static final class Liquibase {

    @Bean
    @ConditionalOnMissingBean(name = "planeGuardLiquibaseGate")
    static BeanPostProcessor planeGuardLiquibaseGate(Environment environment) {
      return new LiquibaseMigrationGate(() -> gate(environment));
    }
  }

  /** Flyway present: the gate as a Flyway callback. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.flywaydb.core.api.callback.Callback")
  static final class Flyway {

    @Bean
    @ConditionalOnMissingBean(name = "planeGuardMigrationGate")
    Callback planeGuardMigrationGate(Environment environment) {
      return FlywayMigrationGate.callback(gate(environment));
    }
  }
}

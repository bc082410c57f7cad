package dev.planeguard.spring;

import static java.util.Objects.requireNonNull;

import dev.planeguard.ConfigurationException;
import dev.planeguard.MigrationGate;
import dev.planeguard.Problem;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Asks the {@link MigrationGate} before a {@link SpringLiquibase} bean runs its change log, on a
 * connection of the data source Liquibase will use, and throws (stopping startup) when the gate
 * refuses. {@code SpringLiquibase} updates the database when it is initialised; this post-processor
 * runs just before that, so nothing is written, not even Liquibase's own tables. Every such bean is
 * gated, whatever its {@code shouldRun} (Spring Boot creates none with {@code
 * spring.liquibase.enabled=false}).
 */
final class LiquibaseMigrationGate implements BeanPostProcessor {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.migration");

  private final Supplier<MigrationGate> gate;

  LiquibaseMigrationGate(Supplier<MigrationGate> gate) {
    this.gate = requireNonNull(gate, "gate");
  }

  /**
   * @throws ConfigurationException listing every reason migrations may not run, including a
   *     database that cannot be reached to be asked
   */
  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof SpringLiquibase liquibase) {
      check(gate.get(), liquibase.getDataSource());
      LOG.info("planeguard migration gate: Liquibase ({}) may update the database", beanName);
    }
    return bean;
  }

  private static void check(MigrationGate gate, DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      gate.requireAllowed(c);
    } catch (SQLException e) {
      List<Problem> refusals = new ArrayList<>(gate.refusals());
      refusals.add(
          new Problem(
              "database",
              "cannot connect to ask the server whether it accepts writes (SQLState "
                  + e.getSQLState()
                  + ")",
              "check the connection settings; migrations are refused until the server can be asked"));
      throw new ConfigurationException("Migrations refused", refusals);
    }
  }
}

package dev.planeguard.spring;

import dev.planeguard.ConfigurationException;
import dev.planeguard.ContractSpec;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A reactive (WebFlux) application with the starter: planeguard has no reactive adapter yet, so
 * nothing would guard its routes. Rather than run unguarded without a word, startup stops in
 * preprod and prod (and when {@code AOS_MODE} is missing or invalid), and a warning is logged in
 * local and test.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public final class PlaneGuardReactiveAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  PlaneGuardReactiveAutoConfiguration() {}

  /** Checked when the context starts. */
  static final class Unguarded {}

  @Bean
  static Unguarded planeGuardReactiveCheck(Environment environment) {
    String variable = ContractSpec.standard().modeVariable();
    String value = PlaneGuardSetup.contractEnvironment(environment).get(variable);
    @Nullable Mode mode = value == null ? null : Mode.parse(value.strip());
    if (mode == null || mode.isProductionLike()) {
      throw new ConfigurationException(
          "planeguard cannot start",
          List.of(
              new Problem(
                  "reactive web application",
                  "planeguard has no adapter for Spring WebFlux, so its routes would run unguarded"
                      + (mode == null ? " (" + variable + " is not a known mode)" : " in " + mode),
                  "run the service on Spring MVC (a servlet application) with planeguard, or"
                      + " remove planeguard-spring-boot-starter from a WebFlux service")));
    }
    LOG.warn(
        "planeguard: this is a Spring WebFlux application, which planeguard does not guard yet:"
            + " its routes run without planeguard's checks, and it will not start in preprod or"
            + " prod");
    return new Unguarded();
  }
}

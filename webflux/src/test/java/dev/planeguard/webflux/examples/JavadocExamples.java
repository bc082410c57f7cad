package dev.planeguard.webflux.examples;

import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.webflux.DispatchConfirmation;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import dev.planeguard.webflux.WebFluxHandlers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.EnableWebFlux;

/**
 * The Java examples of planeguard-webflux's Javadoc, compiled: each region between {@code //
 * example: NAME} and {@code // end example} is the text of the Javadoc block marked {@code <!--
 * example: NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same. Nothing
 * here is run.
 */
@SuppressWarnings("ClassCanBeStatic") // the example's class is declared as a user writes it
final class JavadocExamples {

  private JavadocExamples() {}

  // example: PlaneGuardWebFilter.beans
  @Configuration
  @EnableWebFlux
  class PlaneGuardConfig {
    @Bean(destroyMethod = "close")
    PlaneGuard planeGuard(ApplicationContext context) {
      WebFluxHandlers handlers = WebFluxHandlers.of(context);
      PlaneGuardSettings.Builder settings =
          PlaneGuardSettings.fromEnvironment(System.getenv()).handlers(handlers.handlers());
      handlers.unmirrored().forEach(settings::unmirrored);
      return PlaneGuard.assemble(settings.build());
    }

    @Bean
    PlaneGuardWebFilter planeGuardWebFilter(PlaneGuard planeGuard) {
      return new PlaneGuardWebFilter(planeGuard.enforcer());
    }

    @Bean
    static DispatchConfirmation planeGuardDispatch(
        ObjectProvider<PlaneGuard> planeGuard,
        ObjectProvider<PlaneGuardWebFilter> filter,
        ApplicationContext context) {
      return new DispatchConfirmation(
          filter::getObject,
          () -> WebFluxHandlers.of(context),
          () -> planeGuard.getObject().coverage());
    }
  }
  // end example
}

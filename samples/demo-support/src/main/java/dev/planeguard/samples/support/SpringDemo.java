package dev.planeguard.samples.support;

import dev.planeguard.Enforcer;
import dev.planeguard.Mode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Starts a Spring Boot demo (Spring MVC or WebFlux alike): the local mode of {@link LocalDemo}, the
 * given environment as properties, and {@link PlaneGuardRequiredOutsideLocal}, which each demo
 * imports.
 */
public final class SpringDemo {

  private SpringDemo() {}

  /**
   * Starts the demo.
   *
   * @param application the demo's {@code @SpringBootApplication}
   * @param env the environment; its entries are also the lowest-priority Spring properties, so
   *     tests can run several demos with different settings in one JVM
   */
  public static ConfigurableApplicationContext start(
      Class<?> application, Map<String, String> env, String... args) throws IOException {
    Map<String, Object> defaults = new HashMap<>();
    LocalDemo local = LocalDemo.prepare(env, defaults);
    SpringApplication app = new SpringApplication(application);
    app.setDefaultProperties(defaults);
    // env read with environment-variable naming (PLANEGUARD_MACHINE_KEYS_FILE), below the real
    // process environment; for main() it is the process environment itself.
    Map<String, Object> variables = new HashMap<>(env);
    app.addInitializers(
        context ->
            context
                .getEnvironment()
                .getPropertySources()
                .addLast(new SystemEnvironmentPropertySource("demo-systemEnvironment", variables)));
    if (local != null) {
      app.addListeners(
          (ApplicationReadyEvent e) ->
              local.printUsage(
                  System.out,
                  e.getApplicationContext().getEnvironment().getProperty("local.server.port"),
                  e.getApplicationContext()
                      .getEnvironment()
                      .getProperty("planeguard.audit.ledger")));
      app.addListeners((ContextClosedEvent e) -> local.close());
    }
    try {
      return app.run(args);
    } catch (RuntimeException e) {
      if (local != null) {
        local.close();
      }
      throw e;
    }
  }

  /**
   * Stops startup, before the server listens, when planeguard is not in the application and the
   * mode is not {@code local}. The demos' routes check no credential themselves: with the starter's
   * auto-configuration excluded (Spring's own {@code spring.autoconfigure.exclude}, which {@code
   * benchmarks/e2e.sh} uses to measure a demo without planeguard) they would be open to anyone.
   * planeguard has no switch that turns it off; this guards the demos against Spring's.
   */
  @Configuration(proxyBeanMethods = false)
  public static class PlaneGuardRequiredOutsideLocal {

    @Bean
    static SmartInitializingSingleton planeGuardRequiredOutsideLocal(
        ObjectProvider<Enforcer> enforcer, Environment environment) {
      return () -> {
        if (enforcer.getIfAvailable() == null
            && Mode.parse(environment.getProperty("AOS_MODE")) != Mode.LOCAL) {
          throw new IllegalStateException(
              "planeguard is not in this application (its auto-configuration is excluded), so"
                  + " nothing would guard the demo's routes. The demo runs without planeguard only"
                  + " with AOS_MODE=local; remove spring.autoconfigure.exclude to run it in any"
                  + " other mode.");
        }
      };
    }
  }
}

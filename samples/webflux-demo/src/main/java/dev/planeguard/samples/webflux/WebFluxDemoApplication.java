package dev.planeguard.samples.webflux;

import dev.planeguard.samples.support.DemoControllers;
import dev.planeguard.samples.support.LocalDemo;
import dev.planeguard.samples.support.SpringDemo;
import java.io.IOException;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot demo on Spring WebFlux and Reactor Netty: the routes of {@link DemoControllers}
 * and {@link DemoApi}, guarded by nothing but the planeguard starter, {@code planeguard-webflux}
 * and {@code planeguard.policy} (the Spring MVC demo's policy, shared).
 *
 * <pre>
 * AOS_MODE=local DB_AUTHORITY=local java -jar samples/webflux-demo/target/planeguard-webflux-demo.jar
 * </pre>
 *
 * <p>Its local mode is the Spring MVC demo's ({@link LocalDemo}): a local issuer, a machine key
 * file, {@code curl} commands and the {@code demo-token} and {@code demo-key} files in {@code
 * PLANEGUARD_DEMO_OUTPUT}. In any other mode nothing is made up.
 */
@SpringBootApplication
@Import({DemoControllers.class, SpringDemo.PlaneGuardRequiredOutsideLocal.class})
public class WebFluxDemoApplication {

  /** Starts the demo from the process environment. */
  public static void main(String[] args) throws IOException {
    start(System.getenv(), args);
  }

  /**
   * Starts the demo.
   *
   * @param env the environment, also read as the lowest-priority Spring properties
   */
  public static ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws IOException {
    return SpringDemo.start(WebFluxDemoApplication.class, env, args);
  }
}

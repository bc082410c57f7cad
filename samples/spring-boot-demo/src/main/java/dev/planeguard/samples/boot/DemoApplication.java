package dev.planeguard.samples.boot;

import dev.planeguard.samples.support.DemoControllers;
import dev.planeguard.samples.support.SpringDemo;
import java.io.IOException;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot demo: the routes of {@link DemoControllers} and {@link DemoApi}, guarded by
 * nothing but the planeguard starter and {@code planeguard.policy}. Its startup and local mode are
 * shared with the WebFlux demo ({@link SpringDemo}).
 *
 * <pre>
 * AOS_MODE=local DB_AUTHORITY=local java -jar samples/spring-boot-demo/target/planeguard-demo.jar
 * </pre>
 *
 * <p>With {@code AOS_MODE=local} and neither {@code PLANEGUARD_HUMAN_ISSUER} nor {@code
 * PLANEGUARD_HUMAN_JWKS_URI} set, it starts the test kit's issuer on loopback (real keys, really
 * signed tokens; it refuses to start in any other mode); without {@code
 * PLANEGUARD_MACHINE_KEYS_FILE}, it creates a key file with one machine key. It prints a {@code
 * curl} command for each plane and each cross-plane mistake, and writes the demo token and key to
 * {@code demo-token} and {@code demo-key} in {@code PLANEGUARD_DEMO_OUTPUT} (a new temporary
 * directory by default), for scripts. In any other mode nothing is made up: configure it like any
 * service.
 */
@SpringBootApplication
@Import({DemoControllers.class, SpringDemo.PlaneGuardRequiredOutsideLocal.class})
public class DemoApplication {

  /** Starts the demo from the process environment. */
  public static void main(String[] args) throws IOException {
    start(System.getenv(), args);
  }

  /**
   * Starts the demo.
   *
   * @param env the environment; its entries are also the lowest-priority Spring properties, so
   *     tests can run several demos with different settings in one JVM
   */
  public static ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws IOException {
    return SpringDemo.start(DemoApplication.class, env, args);
  }
}

package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.samples.extra.UncoveredController;
import dev.planeguard.samples.support.DemoChecks;
import dev.planeguard.samples.support.DemoHttp;
import dev.planeguard.test.TestIssuer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo configured as production would be: an https issuer whose keys are in a file, a prod key
 * file. Debug routes and the route table answer exactly like a missing page; a controller no rule
 * covers stops startup.
 */
class ProdDemoTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() throws Exception {
    issuer = TestIssuer.builder().issuerId("https://issuer.example.test").start();
    env = DemoChecks.prodEnvironment(dir, issuer);
  }

  @AfterAll
  static void tearDown() {
    issuer.close();
  }

  @Test
  void debugRoutesAnswerLikeAMissingPageInProd() throws Exception {
    try (ConfigurableApplicationContext app = DemoApplication.start(env)) {
      DemoChecks.debugRoutesAnswerLikeAMissingPage(
          new DemoHttp(app), "Bearer " + issuer.token().sign());
    }
  }

  @Test
  void anUncoveredControllerStopsStartupInProd() {
    String extra = "--spring.main.sources=" + UncoveredController.class.getName();
    assertThatThrownBy(() -> DemoApplication.start(env, extra).close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("GET /api/v2/export")
        .hasMessageContaining(UncoveredController.class.getName() + "#export");
  }
}

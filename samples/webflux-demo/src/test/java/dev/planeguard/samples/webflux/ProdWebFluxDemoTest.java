package dev.planeguard.samples.webflux;

import dev.planeguard.samples.support.DemoChecks;
import dev.planeguard.samples.support.DemoHttp;
import dev.planeguard.test.TestIssuer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WebFlux demo configured as production would be: debug routes and the Actuator route table
 * answer exactly like a missing page, even to a valid human token.
 */
class ProdWebFluxDemoTest {

  @Test
  void debugRoutesAnswerLikeAMissingPageInProd(@TempDir Path dir) throws Exception {
    try (TestIssuer issuer = TestIssuer.builder().issuerId("https://issuer.example.test").start();
        ConfigurableApplicationContext app =
            WebFluxDemoApplication.start(DemoChecks.prodEnvironment(dir, issuer))) {
      DemoChecks.debugRoutesAnswerLikeAMissingPage(
          new DemoHttp(app), "Bearer " + issuer.token().sign());
    }
  }
}

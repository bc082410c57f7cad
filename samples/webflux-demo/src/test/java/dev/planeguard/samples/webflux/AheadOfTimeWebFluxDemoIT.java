package dev.planeguard.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.samples.support.DemoJar;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged WebFlux demo, processed ahead of time by {@code spring-boot:process-aot}, run as a
 * separate JVM with {@code -Dspring.aot.enabled=true}: the starter's reactive beans come from the
 * generated initializer, and planeguard still guards every plane on Reactor Netty.
 */
class AheadOfTimeWebFluxDemoIT {

  @Test
  void theAotProcessedDemoEnforcesBothPlanes(@TempDir Path dir) throws Exception {
    try (DemoJar demo = DemoJar.start(dir, "-Dspring.aot.enabled=true")) {
      assertThat(demo.log()).contains("Starting AOT-processed", "Netty started");
      demo.assertEnforcesBothPlanes();
    }
  }
}

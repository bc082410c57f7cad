package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.samples.support.DemoJar;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo, processed ahead of time by {@code spring-boot:process-aot} at build time, run
 * as a separate JVM with {@code -Dspring.aot.enabled=true}: the starter's beans come from the
 * generated initializer instead of configuration classes, and planeguard still guards every plane.
 */
class AheadOfTimeDemoIT {

  @Test
  void theAotProcessedDemoEnforcesBothPlanes(@TempDir Path dir) throws Exception {
    try (DemoJar demo = DemoJar.start(dir, "-Dspring.aot.enabled=true")) {
      assertThat(demo.log()).contains("Starting AOT-processed");
      demo.assertEnforcesBothPlanes();
    }
  }
}

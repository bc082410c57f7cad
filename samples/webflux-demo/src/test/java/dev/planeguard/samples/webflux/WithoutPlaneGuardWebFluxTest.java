package dev.planeguard.samples.webflux;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.samples.support.DemoChecks;
import dev.planeguard.samples.support.DemoHttp;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WebFlux demo with the starter's reactive auto-configuration excluded, as {@code
 * E2E_APP=webflux benchmarks/e2e.sh} runs it: allowed in local mode only.
 */
class WithoutPlaneGuardWebFluxTest {

  static final String EXCLUDE =
      "--spring.autoconfigure.exclude=dev.planeguard.spring.PlaneGuardReactiveAutoConfiguration";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"prod", "preprod", "test", ""})
  void refusesToStartOutsideLocalMode(String mode) {
    Map<String, String> env = Map.of("AOS_MODE", mode, "DB_AUTHORITY", "neon", "SERVER_PORT", "0");
    assertThatThrownBy(() -> WebFluxDemoApplication.start(env, EXCLUDE).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(DemoChecks.WITHOUT_PLANEGUARD)
        .hasMessageContaining("AOS_MODE=local");
  }

  @Test
  void servesInLocalModeWithoutAPrincipal() throws Exception {
    Map<String, String> env =
        Map.of(
            "AOS_MODE", "local",
            "DB_AUTHORITY", "local",
            "SERVER_PORT", "0",
            "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString());
    try (ConfigurableApplicationContext app = WebFluxDemoApplication.start(env, EXCLUDE)) {
      DemoChecks.servesWithoutAPrincipal(new DemoHttp(app));
    }
  }
}

package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.samples.support.DemoChecks;
import dev.planeguard.samples.support.DemoHttp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo with the starter's auto-configuration excluded, as {@code benchmarks/e2e.sh} runs it to
 * measure the application without planeguard: allowed in local mode only, and then no caller is
 * made up.
 */
class WithoutPlaneGuardTest {

  static final String EXCLUDE =
      "--spring.autoconfigure.exclude=dev.planeguard.spring.PlaneGuardAutoConfiguration";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"prod", "preprod", "test", "PROD", "", "staging"})
  void refusesToStartOutsideLocalMode(String mode) {
    Map<String, String> env = Map.of("AOS_MODE", mode, "DB_AUTHORITY", "neon", "SERVER_PORT", "0");
    assertThatThrownBy(() -> DemoApplication.start(env, EXCLUDE).close())
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
    try (ConfigurableApplicationContext app = DemoApplication.start(env, EXCLUDE)) {
      DemoChecks.servesWithoutAPrincipal(new DemoHttp(app));
    }
  }

  @Test
  void withPlaneGuardTheSameRequestIsRefused() throws Exception {
    Map<String, String> env =
        Map.of(
            "AOS_MODE", "local",
            "DB_AUTHORITY", "local",
            "SERVER_PORT", "0",
            "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString());
    try (ConfigurableApplicationContext app = DemoApplication.start(env)) {
      HttpResponse<String> me = new DemoHttp(app).send("GET", "/api/v1/accounts/me");
      assertThat(me.statusCode()).isEqualTo(401);
      assertThat(me.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
    }
  }
}

package dev.planeguard.samples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring demo with the starter's auto-configuration excluded, as {@code benchmarks/e2e.sh} runs
 * it to measure the application without planeguard: allowed in local mode only, and then no caller
 * is made up. Each demo's test names how it starts and what it excludes.
 */
public abstract class WithoutPlaneGuardContract {

  @TempDir Path dir;

  /** Starts the demo. */
  protected abstract ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws Exception;

  /** The auto-configuration that brings planeguard into this demo. */
  protected abstract String autoConfiguration();

  private String exclude() {
    return "--spring.autoconfigure.exclude=" + autoConfiguration();
  }

  private Map<String, String> local() {
    return Map.of(
        "AOS_MODE", "local",
        "DB_AUTHORITY", "local",
        "SERVER_PORT", "0",
        "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"prod", "preprod", "test", "PROD", "", "staging"})
  void refusesToStartOutsideLocalMode(String mode) {
    Map<String, String> env = Map.of("AOS_MODE", mode, "DB_AUTHORITY", "neon", "SERVER_PORT", "0");
    assertThatThrownBy(() -> start(env, exclude()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("planeguard is not in this application")
        .hasMessageContaining("AOS_MODE=local");
  }

  @Test
  void servesInLocalModeWithoutAPrincipal() throws Exception {
    try (ConfigurableApplicationContext app = start(local(), exclude())) {
      DemoChecks.servesWithoutAPrincipal(new DemoHttp(app));
    }
  }

  @Test
  void withPlaneGuardTheSameRequestIsRefused() throws Exception {
    try (ConfigurableApplicationContext app = start(local())) {
      HttpResponse<String> me = new DemoHttp(app).send("GET", "/api/v1/accounts/me");
      assertThat(me.statusCode()).isEqualTo(401);
      assertThat(me.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
    }
  }
}

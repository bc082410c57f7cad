package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
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
        .hasMessageContaining("planeguard is not in this application")
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
      DemoHttp http = new DemoHttp(app);
      HttpResponse<String> me = http.send("GET", "/api/v1/accounts/me");
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(me.body()).isEqualTo("{\"plane\":\"none\"}");
      HttpResponse<String> run = http.send("POST", "/api/v1/runs");
      assertThat(run.statusCode()).isEqualTo(201);
      assertThat(run.body()).isEqualTo("{\"id\":\"run-1\"}");
    }
  }

  /** benchmarks/e2e.sh finds each server's port in this line of the demo's output. */
  @Test
  void printsTheLineTheEndToEndScriptReadsThePortFrom() throws Exception {
    Map<String, Object> properties = new HashMap<>();
    DemoApplication.LocalDemo demo =
        DemoApplication.LocalDemo.prepare(
            Map.of("AOS_MODE", "local", "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString()),
            properties);
    assertThat(demo).isNotNull();
    try (demo) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      demo.printUsage(new PrintStream(bytes, true, StandardCharsets.UTF_8), "41234", null);
      assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
          .contains("planeguard demo (AOS_MODE=local) on http://127.0.0.1:41234");
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

package dev.planeguard.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.samples.support.DemoChecks;
import dev.planeguard.samples.support.DemoHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WebFlux demo as a newcomer runs it ({@code AOS_MODE=local}, nothing else configured), on
 * Reactor Netty over real HTTP with the local issuer's really signed token and the key file it
 * made: the Spring MVC demo's answers, its route table endpoint and debug routes, and the curl
 * lines it prints.
 */
class WebFluxDemoTest {

  @TempDir static Path dir;
  static ConfigurableApplicationContext app;
  static DemoHttp http;
  static String token;
  static String key;
  static String printed;

  @BeforeAll
  static void start() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      app =
          WebFluxDemoApplication.start(
              Map.of(
                  "AOS_MODE", "local",
                  "DB_AUTHORITY", "local",
                  "SERVER_PORT", "0",
                  "RATE_LIMIT_DEFAULT_RPM", "1000",
                  "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString()));
    } finally {
      System.setOut(stdout);
    }
    printed = bytes.toString(StandardCharsets.UTF_8);
    http = new DemoHttp(app);
    token = Files.readString(dir.resolve("out/demo-token"));
    key = Files.readString(dir.resolve("out/demo-key"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void itRunsOnReactorNetty() {
    assertThat(app.getClass().getName()).contains("Reactive");
    assertThat(app.getBeansOfType(dev.planeguard.webflux.PlaneGuardWebFilter.class)).hasSize(1);
  }

  @Test
  void humanMachineCrossPlaneMissingAndUnmapped() {
    DemoChecks.enforcesBothPlanes(http, token, key);
  }

  @Test
  void aRunIsCreatedByTheMachineKeyAndTelemetryIsMachinePlane() {
    HttpResponse<String> run = http.send("POST", "/api/v1/runs", "X-AOS-Key", key);
    assertThat(run.statusCode()).isEqualTo(201);
    assertThat(run.body()).contains("\"createdBy\"").doesNotContain(key);
    assertThat(http.send("POST", "/api/v1/runs", "Authorization", "Bearer " + token).statusCode())
        .isEqualTo(401);
    assertThat(http.send("POST", "/api/v1/telemetry/events", "X-AOS-Key", key).statusCode())
        .isEqualTo(202);
    HttpResponse<String> human =
        http.send("POST", "/api/v1/telemetry/events", "Authorization", "Bearer " + token);
    assertThat(human.statusCode()).isEqualTo(401);
    assertThat(human.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
  }

  @Test
  void bothCredentialsAreAmbiguous() {
    HttpResponse<String> r =
        http.send("GET", "/api/v1/runs", "Authorization", "Bearer " + token, "X-AOS-Key", key);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"reason\":\"AMBIGUOUS_CREDENTIALS\"");
  }

  @Test
  void debugRoutesAndTheRouteTableAnswerAHumanInLocal() {
    assertThat(http.send("GET", "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> debug =
        http.send("GET", "/__debug/openapi_inspect", "Authorization", "Bearer " + token);
    assertThat(debug.statusCode()).isEqualTo(200);
    assertThat(debug.body()).contains("\"route\":\"/__debug/openapi_inspect\"");
    assertThat(http.send("GET", "/__debug/openapi_inspect").statusCode()).isEqualTo(401);

    HttpResponse<String> machine = http.send("GET", "/actuator/planeguard", "X-AOS-Key", key);
    assertThat(machine.statusCode()).isEqualTo(401);
    assertThat(machine.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
    HttpResponse<String> table =
        http.send("GET", "/actuator/planeguard", "Authorization", "Bearer " + token);
    assertThat(table.statusCode()).isEqualTo(200);
    assertThat(table.body())
        .contains("\"origin\":\"planeguard.policy:5\"")
        .contains("dev.planeguard.samples.support.DemoControllers$Telemetry#accept");
  }

  @Test
  void printsTheCurlLinesWithTheDemosCredentials() {
    String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    assertThat(printed.lines())
        .contains(
            "planeguard demo (AOS_MODE=local) on " + base,
            "curl -i " + base + "/api/v1/accounts/me -H 'Authorization: Bearer " + token + "'",
            "curl -i -X POST " + base + "/api/v1/runs -H 'X-AOS-Key: " + key + "'");
  }
}

package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo, processed ahead of time by {@code spring-boot:process-aot} at build time, run
 * as a separate JVM with {@code -Dspring.aot.enabled=true}: the starter's beans come from the
 * generated initializer instead of configuration classes, and planeguard still guards every plane.
 */
class AheadOfTimeDemoIT {

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void theAotProcessedDemoEnforcesBothPlanes(@TempDir Path dir) throws Exception {
    Path jar = Path.of(System.getProperty("planeguard.demo.jar", "target/planeguard-demo.jar"));
    assertThat(jar).exists();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("demo.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspring.aot.enabled=true",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AOS_") || k.startsWith("DB_"));
    pb.environment().put("AOS_MODE", "local");
    pb.environment().put("DB_AUTHORITY", "local");
    pb.environment().put("SERVER_PORT", Integer.toString(port));
    pb.environment().put("PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString());
    pb.environment().put("RATE_LIMIT_ENABLED", "false");
    Process demo = pb.start();
    try {
      String base = "http://127.0.0.1:" + port;
      awaitHealthy(demo, base, log);
      assertThat(Files.readString(log)).contains("Starting AOT-processed");
      String token = Files.readString(dir.resolve("out/demo-token")).strip();
      String key = Files.readString(dir.resolve("out/demo-key")).strip();

      assertThat(get(base + "/api/v1/accounts/me", "Authorization", "Bearer " + token).statusCode())
          .isEqualTo(200);
      assertThat(get(base + "/api/v1/runs", "X-AOS-Key", key).statusCode()).isEqualTo(200);
      HttpResponse<String> crossPlane = get(base + "/api/v1/accounts/me", "X-AOS-Key", key);
      assertThat(crossPlane.statusCode()).isEqualTo(401);
      assertThat(crossPlane.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
      HttpResponse<String> missing = get(base + "/api/v1/runs");
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
      assertThat(get(base + "/no/such/route").statusCode()).isEqualTo(404);
    } finally {
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
    }
  }

  private void awaitHealthy(Process demo, String base, Path log) throws Exception {
    // A guard against a hung start, not a timing assertion.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(demo.isAlive()).as("the demo exited: %s", read(log)).isTrue();
      try {
        if (get(base + "/healthz").statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // starting
      }
      assertThat(System.nanoTime())
          .as("the demo did not start: %s", read(log))
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  private HttpResponse<String> get(String uri, String... header)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
    List<String> h = List.of(header);
    for (int i = 0; i < h.size(); i += 2) {
      b.header(h.get(i), h.get(i + 1));
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

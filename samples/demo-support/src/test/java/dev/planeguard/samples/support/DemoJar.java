package dev.planeguard.samples.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A packaged demo run as a separate JVM, as a user starts it ({@code AOS_MODE=local
 * DB_AUTHORITY=local java -jar ...}, rate limits off), and called over real HTTP.
 */
public final class DemoJar implements AutoCloseable {

  private final Process process;
  private final Path dir;
  private final Path log;
  private final DemoHttp http;

  private DemoJar(Process process, Path dir, Path log, DemoHttp http) {
    this.process = process;
    this.dir = dir;
    this.log = log;
    this.http = http;
  }

  /**
   * Starts the jar named by the system property {@code planeguard.demo.jar} (set by the demo's
   * failsafe configuration) and returns once {@code /healthz} answers 200.
   *
   * @param dir where the log and the demo's credentials go
   * @param jvmOptions options for the demo's JVM, such as {@code -Dspring.aot.enabled=true}
   */
  public static DemoJar start(Path dir, String... jvmOptions) throws Exception {
    String property = System.getProperty("planeguard.demo.jar");
    assertThat(property).as("system property planeguard.demo.jar").isNotNull();
    Path jar = Path.of(property);
    assertThat(jar).exists();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("demo.log");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AOS_") || k.startsWith("DB_"));
    pb.environment().put("AOS_MODE", "local");
    pb.environment().put("DB_AUTHORITY", "local");
    pb.environment().put("SERVER_PORT", Integer.toString(port));
    pb.environment().put("PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString());
    pb.environment().put("RATE_LIMIT_ENABLED", "false");
    DemoJar demo = new DemoJar(pb.start(), dir, log, new DemoHttp("http://127.0.0.1:" + port));
    try {
      demo.awaitHealthy();
    } catch (Exception | AssertionError e) {
      demo.close();
      throw e;
    }
    return demo;
  }

  private void awaitHealthy() throws InterruptedException {
    // A guard against a hung start, not a timing assertion.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(process.isAlive()).as("the demo exited: %s", log()).isTrue();
      try {
        if (http.send("GET", "/healthz").statusCode() == 200) {
          return;
        }
      } catch (UncheckedIOException notYetListening) {
        // starting
      }
      assertThat(System.nanoTime()).as("the demo did not start: %s", log()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** What the demo printed so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link DemoChecks#enforcesBothPlanes} with the demo's own token and key. */
  public void assertEnforcesBothPlanes() throws IOException {
    DemoChecks.enforcesBothPlanes(http, dir.resolve("out"));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

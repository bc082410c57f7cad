package dev.planeguard.samples.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local mode both Spring demos share. */
class LocalDemoTest {

  @TempDir Path dir;

  @Test
  void nothingIsMadeUpOutsideLocalMode() throws Exception {
    Map<String, Object> properties = new HashMap<>();
    for (String mode : new String[] {"prod", "preprod", "test", ""}) {
      assertThat(LocalDemo.prepare(Map.of("AOS_MODE", mode), properties)).as(mode).isNull();
    }
    assertThat(LocalDemo.prepare(Map.of(), properties)).isNull();
    assertThat(properties).isEmpty();
  }

  /** benchmarks/e2e.sh finds each server's port in this line of the demo's output. */
  @Test
  void printsTheLineTheEndToEndScriptReadsThePortFrom() throws Exception {
    Map<String, Object> properties = new HashMap<>();
    LocalDemo demo =
        LocalDemo.prepare(
            Map.of("AOS_MODE", "local", "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString()),
            properties);
    assertThat(demo).isNotNull();
    try (demo) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      demo.printUsage(new PrintStream(bytes, true, StandardCharsets.UTF_8), "41234", null);
      String key = Files.readString(dir.resolve("out/demo-key"));
      assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
          .contains(
              "planeguard demo (AOS_MODE=local) on http://127.0.0.1:41234",
              "curl -i -X POST http://127.0.0.1:41234/api/v1/runs -H 'X-AOS-Key: " + key + "'");
      assertThat(properties)
          .containsEntry("RATE_LIMIT_ENABLED", "true")
          .containsEntry("RATE_LIMIT_DEFAULT_RPM", String.valueOf(LocalDemo.DEMO_RPM))
          .containsKeys(
              "planeguard.human.issuer",
              "planeguard.human.jwks-uri",
              "planeguard.machine.keys-file");
    }
  }
}

package dev.planeguard.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The refusal reads the real process environment: a child JVM started with {@code AOS_MODE} set is
 * refused (or not), without this JVM's environment being touched.
 */
class ProcessEnvironmentRefusalTest {

  @ParameterizedTest(name = "{0} with AOS_MODE={1}")
  @CsvSource({
    "issuer, prod,     3",
    "issuer, PREPROD,  3",
    "issuer, prodution, 3",
    "keys,   prod,     3",
    "issuer, test,     0",
    "keys,   local,    0",
  })
  void theProcessEnvironmentDecides(String what, String mode, int expectedExit) throws Exception {
    Child child = run(what, Map.of("AOS_MODE", mode));

    assertThat(child.exit()).as(child.output()).isEqualTo(expectedExit);
    if (expectedExit == 0) {
      assertThat(child.output()).contains("STARTED");
    } else {
      assertThat(child.output())
          .contains("AOS_MODE")
          .contains(what.equals("keys") ? "TestKeys" : "TestIssuer")
          .contains("run tests with AOS_MODE unset, local or test")
          .doesNotContain("STARTED");
    }
  }

  record Child(int exit, String output) {}

  static Child run(String what, Map<String, String> env) throws IOException, InterruptedException {
    String classPath = System.getProperty("surefire.test.class.path");
    if (classPath == null || classPath.isBlank()) {
      classPath = System.getProperty("java.class.path");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(java, "-cp", classPath, RefusalProbe.class.getName(), what)
            .redirectErrorStream(true);
    pb.environment().remove("AOS_MODE");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // A liveness guard, not a timed assertion: the child normally ends in about a second.
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not end: " + out);
    }
    return new Child(p.exitValue(), out);
  }
}

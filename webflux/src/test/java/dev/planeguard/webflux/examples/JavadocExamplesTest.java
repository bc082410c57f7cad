package dev.planeguard.webflux.examples;

import dev.planeguard.testing.JavadocExampleCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in the Javadoc of planeguard-webflux compiles: each {@code <pre>} block of the
 * main sources is marked, just before it, either {@code <!-- example: NAME -->} (Java: the same
 * code is the region {@code NAME} of {@link JavadocExamples}, which the compiler checks) or {@code
 * <!-- not java -->} (not checked). The full rules, including how the texts are compared, are those
 * of {@link JavadocExampleCheck}.
 */
class JavadocExamplesTest {

  @Test
  void everyJavaExampleIsTheSameAsItsCompiledRegion() {
    JavadocExampleCheck.check(
        Path.of("src/main/java"),
        Path.of("src/test/java/dev/planeguard/webflux/examples/JavadocExamples.java"));
  }
}

package dev.planeguard.spring.examples;

import dev.planeguard.testing.JavadocExampleCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in the Javadoc of planeguard-spring-boot-starter compiles: each {@code <pre>}
 * block of the main sources is marked, just before it, either {@code <!-- example: NAME -->} (Java:
 * the same code is the region {@code NAME} of {@link JavadocExamples}, which the compiler checks)
 * or {@code <!-- not java -->} (not checked). The full rules, including how the texts are compared,
 * are those of {@link JavadocExampleCheck}.
 *
 * <p>Paths go through the parent directory: the Spring Boot 3.5 module runs this test too, in its
 * own directory.
 */
class JavadocExamplesTest {

  @Test
  void everyJavaExampleIsTheSameAsItsCompiledRegion() {
    JavadocExampleCheck.check(
        Path.of("../spring-starter/src/main/java"),
        Path.of(
            "../spring-starter/src/test/java/dev/planeguard/spring/examples/JavadocExamples.java"));
  }
}

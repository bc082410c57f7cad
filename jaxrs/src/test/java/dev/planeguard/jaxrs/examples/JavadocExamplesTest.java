package dev.planeguard.jaxrs.examples;

import dev.planeguard.testing.JavadocExampleCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in the Javadoc of planeguard-jaxrs compiles: each {@code <pre>} block of the
 * main sources is marked {@code <!-- example: NAME -->} (the region {@code NAME} of {@link
 * JavadocExamples}) or {@code <!-- not java -->}; see {@link JavadocExampleCheck}.
 */
class JavadocExamplesTest {

  @Test
  void everyJavaExampleIsTheSameAsItsCompiledRegion() {
    JavadocExampleCheck.check(
        Path.of("src/main/java"),
        Path.of("src/test/java/dev/planeguard/jaxrs/examples/JavadocExamples.java"));
  }
}

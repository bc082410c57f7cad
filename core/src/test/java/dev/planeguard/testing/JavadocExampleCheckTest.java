package dev.planeguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JavadocExampleCheck} finds what it is meant to find, on small made-up sources. */
class JavadocExampleCheckTest {

  @TempDir Path dir;

  private static final String EXAMPLES =
      """
      class Examples {
        void a(Enforcer.Builder builder) {
          // example: A.build
          Enforcer enforcer =
              builder
                  .policy(policy) // the policy
                  .build();
          // end example
        }
      }
      """;

  private static final String SOURCE =
      """
      package p;

      /**
       * Text.
       * <!-- example: A.build -->
       *
       * <pre>{@code
       * Enforcer enforcer = builder.policy(policy)   // the policy
       *     .build();
       * }</pre>
       *
       * <!-- not java -->
       *
       * <pre>{@code
       * {"a":{"b":1}}
       * }</pre>
       */
      class A {
        String pattern = "/api/**";
      }
      """;

  @Test
  void anExampleLaidOutDifferentlyFromItsRegionPasses() throws IOException {
    write("src/p/A.java", SOURCE);

    assertThat(problems(EXAMPLES)).isEmpty();
  }

  @Test
  void anExampleThatDiffersFromItsRegionIsReportedWithBothTexts() throws IOException {
    write("src/p/A.java", SOURCE.replace("builder.policy(policy)", "builder.policy(other)"));

    List<String> problems = problems(EXAMPLES);

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .contains("A.java:7: example \"A.build\" differs from its region at ")
        .contains("Examples.java:3")
        .contains("| Enforcer enforcer = builder.policy(other)   // the policy")
        .contains("|         .policy(policy) // the policy");
    assertThatThrownBy(() -> JavadocExampleCheck.check(dir.resolve("src"), examples(EXAMPLES)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("A.build");
  }

  @Test
  void aStringLiteralIsComparedExactly() throws IOException {
    write("src/p/A.java", SOURCE.replace("builder.policy(policy)", "builder.policy(\"a b\")"));

    List<String> problems = problems(EXAMPLES.replace(".policy(policy)", ".policy(\"a  b\")"));

    assertThat(problems).singleElement().asString().contains("differs from its region");
  }

  @Test
  void aBlockWithoutMarkerIsReported() throws IOException {
    write("src/p/A.java", SOURCE.replace(" * <!-- not java -->\n", ""));

    assertThat(problems(EXAMPLES))
        .singleElement()
        .asString()
        .contains("A.java:13: <pre> block without a marker")
        .contains("| {\"a\":{\"b\":1}}");
  }

  @Test
  void aPlainPreBlockWithoutMarkerIsReported() throws IOException {
    write("src/p/A.java", SOURCE + "/**\n * <pre>\n * int x = 1;\n * </pre>\n */\nclass B {}\n");

    assertThat(problems(EXAMPLES))
        .singleElement()
        .asString()
        .contains("A.java:22: <pre> block without a marker");
  }

  @Test
  void aMarkerAwayFromItsBlockIsReported() throws IOException {
    write(
        "src/p/A.java",
        SOURCE.replace(" * <!-- not java -->\n *\n", " * <!-- not java -->\n * x\n"));

    assertThat(problems(EXAMPLES))
        .anySatisfy(p -> assertThat(p).contains("A.java:12: marker <!-- not java --> is not"))
        .anySatisfy(p -> assertThat(p).contains("A.java:14: <pre> block without a marker"));
  }

  @Test
  void anExampleWithoutRegionAndARegionWithoutExampleAreReported() throws IOException {
    write("src/p/A.java", SOURCE.replace("example: A.build", "example: A.other"));

    assertThat(problems(EXAMPLES))
        .anySatisfy(p -> assertThat(p).contains("A.java:7: example \"A.other\" has no region"))
        .anySatisfy(
            p -> assertThat(p).contains("Examples.java:3: region \"A.build\" is used by no"));
  }

  @Test
  void aNameUsedTwiceIsReported() throws IOException {
    write("src/p/A.java", SOURCE);
    write("src/p/B.java", SOURCE.replace("class A", "class B"));

    assertThat(problems(EXAMPLES))
        .singleElement()
        .asString()
        .contains("B.java:7: example name \"A.build\" is already used at ")
        .contains("A.java:7");
  }

  @Test
  void anAnnotationInACodeBlockIsWrittenAsItIs() throws IOException {
    String examples = EXAMPLES.replace("Enforcer enforcer =", "@Deprecated\n Enforcer enforcer =");
    write(
        "src/p/A.java",
        SOURCE.replace("* Enforcer enforcer", "* @Deprecated\n * Enforcer enforcer"));
    assertThat(problems(examples)).isEmpty();

    write(
        "src/p/A.java",
        SOURCE.replace("* Enforcer enforcer", "* &#64;Deprecated Enforcer enforcer"));
    assertThat(problems(examples))
        .anySatisfy(p -> assertThat(p).contains("uses &#64; or {@literal @} inside {@code ...}"));
  }

  @Test
  void aPlainPreExampleIsReadAsRendered() throws IOException {
    String examples =
        """
        // example: B.list
        @Deprecated List<String> names = List.of("a&b");
        // end example
        """;
    write(
        "src/p/B.java",
        """
        /**
         * <!-- example: B.list -->
         *
         * <pre>
         * {@literal @}Deprecated List&lt;String&gt; names = List.of("a&amp;b");
         * </pre>
         */
        class B {}
        """);

    assertThat(problems(examples)).isEmpty();
  }

  private List<String> problems(String examples) throws IOException {
    return JavadocExampleCheck.problems(dir.resolve("src"), List.of(examples(examples)));
  }

  private Path examples(String examples) throws IOException {
    return write("test/Examples.java", examples);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }
}

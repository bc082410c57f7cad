package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of {@link StrictJson}: the depth limit reached through objects (not only arrays), input
 * that ends anywhere inside a value (always {@code null}, never an exception), each of the four
 * whitespace characters in every place the grammar allows whitespace, and the first characters on
 * either side of the control-character limit inside strings.
 */
class StrictJsonBoundaryTest {

  /** {@code depth} objects, each the only member of the one around it. */
  static String nestedObjects(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  /** {@code depth} levels alternating object and array, starting with the top-level object. */
  static String alternating(int depth) {
    StringBuilder open = new StringBuilder();
    StringBuilder close = new StringBuilder();
    for (int level = 1; level <= depth; level++) {
      boolean object = level % 2 == 1;
      open.append(object ? "{\"a\":" : "[");
      close.insert(0, object ? "}" : "]");
    }
    return open.append("1").append(close).toString();
  }

  @Test
  void objectsCountTowardsTheDepthLimit() {
    assertThat(StrictJson.parseObject(nestedObjects(1))).isEmpty();
    assertThat(StrictJson.parseObject(nestedObjects(StrictJson.MAX_DEPTH))).isNotNull();
    assertThat(StrictJson.parseObject(nestedObjects(StrictJson.MAX_DEPTH + 1))).isNull();
    assertThat(StrictJson.parseObject(alternating(StrictJson.MAX_DEPTH))).isNotNull();
    assertThat(StrictJson.parseObject(alternating(StrictJson.MAX_DEPTH + 1))).isNull();
    assertThat(StrictJson.parseObject(alternating(StrictJson.MAX_DEPTH - 1))).isNotNull();
    assertThat(StrictJson.parseObject(alternating(StrictJson.MAX_DEPTH + 2))).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "{\"a",
        "{\"a\"",
        "{\"a\":",
        "{\"a\": ",
        "{\"a\":{",
        "{\"a\":[",
        "{\"a\":[1,",
        "{\"a\":[1 ",
        "{\"a\":\"x",
        "{\"a\":\"\\",
        "{\"a\":\"\\u",
        "{\"a\":\"\\u00",
        "{\"a\":\"\\u00e",
        "{\"a\":\"\\u00e9",
        "{\"a\":t",
        "{\"a\":-",
        "{\"a\":1.",
        "{\"a\":1e",
        "{\"a\":1e+",
        "{\"a\":1",
        "{\"a\":1,",
      })
  void inputEndingInsideAValueIsRefusedWithoutAnException(String json) {
    assertThat(StrictJson.parseObject(json)).isNull();
    assertThat(StrictJson.parseObject(json + " ")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "\t", "\n", "\r"})
  void eachWhitespaceCharacterIsAllowedEverywhereTheGrammarAllowsWhitespace(String w) {
    String json =
        w + "{" + w + "\"a\"" + w + ":" + w + "[" + w + "1" + w + "," + w + "2" + w + "]" + w + ","
            + w + "\"b\"" + w + ":" + w + "{" + w + "}" + w + "}" + w;
    assertThat(StrictJson.parseObject(json)).isEqualTo(Map.of("a", List.of(1L, 2L), "b", Map.of()));
  }

  @Test
  void otherCharactersAreNotWhitespace() {
    assertThat(StrictJson.parseObject("{\f\"a\":1}")).isNull();
    assertThat(StrictJson.parseObject("{\"a\":1\u000b}")).isNull();
    assertThat(StrictJson.parseObject("{\"a\":\u00a01}")).isNull();
  }

  @Test
  void stringsRefuseRawControlCharactersOnly() {
    assertThat(StrictJson.parseObject("{\"a\":\"x\u001fy\"}")).isNull();
    assertThat(StrictJson.parseObject("{\"a\":\"x y\"}")).isEqualTo(Map.of("a", "x y"));
    assertThat(StrictJson.parseObject("{\"a\":\"x\u007fy\"}")).isEqualTo(Map.of("a", "x\u007fy"));
    assertThat(StrictJson.parseObject("{\"a b\":\"\u00e9\"}")).isEqualTo(Map.of("a b", "\u00e9"));
  }

  @Test
  void unicodeEscapesReadFourHexDigitsOfEitherCase() {
    assertThat(StrictJson.parseObject("{\"a\":\"\\u004a\\u004A\\u0030x\"}"))
        .isEqualTo(Map.of("a", "JJ0x"));
    assertThat(StrictJson.parseObject("{\"a\":\"\\uFFFF\"}")).isEqualTo(Map.of("a", "\uffff"));
    assertThat(StrictJson.parseObject("{\"a\":\"\\u00g0\"}")).isNull();
    assertThat(StrictJson.parseObject("{\"a\":\"\\u00e\"}")).isNull();
  }
}

package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The compact-form and strict-JSON checks that run before any parser sees a token. */
class TokenSyntaxTest {

  static final String H = "eyJhbGciOiJSUzI1NiJ9";
  static final String P = "eyJzdWIiOiJ1In0";
  static final String S = "c2lnbmF0dXJl";

  /** The oracle: a segment is canonical iff it decodes and re-encodes to itself. */
  static boolean reencodes(String segment) {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(segment);
      return !segment.isEmpty()
          && Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(segment);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void canonicalCheckAgreesWithReencodingOnRandomSegments() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    Random random = new Random(42);
    int canonical = 0;
    for (int n = 0; n < 20_000; n++) {
      int len = random.nextInt(9);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = sb.toString();
      boolean expected = reencodes(s);
      canonical += expected ? 1 : 0;
      assertThat(CompactToken.canonical(s, 0, s.length())).as(s).isEqualTo(expected);
    }
    assertThat(canonical).isBetween(1_000, 19_000); // both outcomes were exercised
  }

  @Test
  void acceptsAWellFormedToken() {
    CompactToken t = CompactToken.split(H + "." + P + "." + S);
    assertThat(t).isNotNull();
    assertThat(t.headerJson()).isEqualTo("{\"alg\":\"RS256\"}");
    assertThat(t.payloadJson()).isEqualTo("{\"sub\":\"u\"}");
    assertThat(t.toString()).doesNotContain(H);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        H + "." + P + "." + S + "=", // padding
        H + "==." + P + "." + S,
        H + "." + P + ".c2lnbmF0dXJl+/", // standard alphabet
        H + " ." + P + "." + S, // space
        " " + H + "." + P + "." + S,
        H + "." + P + "." + S + "\n",
        H + "." + P + ".c2lnbmF0dXJlcx", // non-canonical final character (unused bits set)
        H + "." + P + ".AB", // 'B' has unused bits set
        H + "." + P + ".A", // length 1 mod 4
        H + "." + P + ".", // empty signature
        H + ".." + S, // empty payload
        "." + P + "." + S,
        H + "." + P, // two segments
        H + "." + P + "." + S + "." + S + "." + S, // JWE shape
        "{\"payload\":\"" + P + "\",\"signatures\":[]}", // JWS JSON serialization
        H + "." + P + "." + S + "\u00e9", // non-ASCII
      })
  void refusesEveryNonCanonicalForm(String token) {
    assertThat(CompactToken.split(token)).isNull();
  }

  @Test
  void strictJsonRefusesDuplicatesAtEveryDepth() throws Exception {
    assertThat(StrictJson.isStrictObject("{\"a\":1,\"b\":{\"c\":[1,{\"d\":true}]}}")).isTrue();
    assertThat(StrictJson.isStrictObject("{\"a\":1,\"a\":2}")).isFalse();
    assertThat(StrictJson.isStrictObject("{\"x\":{\"a\":1,\"a\":2}}")).isFalse();
    assertThat(StrictJson.isStrictObject("{\"x\":[{\"a\":1,\"\\u0061\":2}]}")).isFalse();
    // What the guard protects against: Nimbus's JSON parser keeps the last nested duplicate.
    Map<String, Object> lenient = JSONObjectUtils.parse("{\"x\":{\"a\":1,\"a\":2}}");
    assertThat(lenient.get("x")).isEqualTo(Map.of("a", 2L));
  }

  @Test
  void strictJsonBoundsNesting() {
    assertThat(StrictJson.isStrictObject(nested(StrictJson.MAX_DEPTH))).isTrue();
    assertThat(StrictJson.isStrictObject(nested(StrictJson.MAX_DEPTH + 1))).isFalse();
    assertThat(StrictJson.isStrictObject(nested(5_000))).isFalse();
  }

  static String nested(int depth) {
    StringBuilder sb = new StringBuilder("{\"a\":");
    sb.append("[".repeat(depth - 1)).append("]".repeat(depth - 1)).append('}');
    return sb.toString();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'a':1}",
        "{a:1}",
        "{\"a\":1,}",
        "{\"a\":NaN}",
        "{\"a\":01}",
        "{\"a\":1} x",
        "{\"a\":1 /*c*/}",
        "{\"a\":\"\t\"}",
        "{\"a\":\"\\x\"}",
        "[1]",
        "\"s\"",
        "",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":tru}",
      })
  void strictJsonRefusesWhatTheGrammarDoesNotAllow(String json) {
    assertThat(StrictJson.isStrictObject(json)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        " {\"a\" : [ ] , \"b\":{ } }\n",
        "{\"n\":-0.5e+10,\"m\":0,\"t\":true,\"f\":false,\"z\":null}",
        "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}",
      })
  void strictJsonAcceptsValidObjects(String json) {
    assertThat(StrictJson.isStrictObject(json)).isTrue();
  }

  @Test
  void strictUtf8() {
    assertThat(Text.utf8(new byte[] {(byte) 0xc3, (byte) 0xa9})).isEqualTo("\u00e9");
    assertThat(Text.utf8(new byte[] {(byte) 0xc3})).isNull();
    assertThat(Text.utf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).isNull();
    assertThat(Text.utf8(new byte[] {'{', 0, 0x7f, '}'})).isEqualTo("{\u0000\u007f}");
    assertThat(Text.utf8(new byte[0])).isEmpty();
  }

  @Test
  void theAsciiShortcutDecodesExactlyAsTheStrictDecoder() throws Exception {
    // Mostly ASCII, with a few high bytes: valid and invalid sequences, overlongs, surrogates.
    java.util.Random random = new java.util.Random(20261122);
    int valid = 0;
    int invalid = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(24)];
      for (int j = 0; j < bytes.length; j++) {
        bytes[j] =
            (byte) (random.nextInt(8) == 0 ? 0x80 + random.nextInt(128) : random.nextInt(128));
      }
      String expected;
      try {
        expected =
            java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes))
                .toString();
        valid++;
      } catch (java.nio.charset.CharacterCodingException e) {
        expected = null;
        invalid++;
      }
      assertThat(Text.utf8(bytes)).isEqualTo(expected);
    }
    assertThat(valid).isGreaterThan(1_000);
    assertThat(invalid).isGreaterThan(1_000);
  }
}

package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Detail;
import dev.planeguard.Mode;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of the key format: prefixes a key may be generated with, every position of the
 * checksum, values too short to hold the fields (refused, never an exception), a mode field that
 * runs to the end of the value, and key identity.
 */
class ApiKeyBoundaryTest {

  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "abcdefghi", "Aos", "ao1", "a_b", "ao s", "\u00e9t\u00e9"})
  void generateRefusesPrefixesOutsideTwoToEightLowerCaseLetters(String prefix) {
    assertThatThrownBy(
            () -> ApiKey.generate(prefix, ApiKey.Kind.MACHINE, Mode.PROD, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key prefixes are 2 to 8 lower-case letters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "aos", "abcdefgh"})
  void theShortestAndLongestPrefixesRoundTrip(String prefix) {
    ApiKey key = ApiKey.generate(prefix, ApiKey.Kind.SANDBOX, Mode.TEST, new SecureRandom());
    assertThat(key.prefix()).isEqualTo(prefix);
    ApiKey parsed = ApiKey.parse(key.value());
    assertThat(parsed.prefix()).isEqualTo(prefix);
    assertThat(parsed.kind()).isEqualTo(ApiKey.Kind.SANDBOX);
    assertThat(parsed.mode()).isEqualTo(Mode.TEST);
    assertThat(ApiKey.tryParse(key.value()).prefix()).isEqualTo(prefix);
  }

  @Test
  void everyCharacterOfTheChecksumIsChecked() {
    String good = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    int check = good.lastIndexOf('_') + 1;
    int refused = 0;
    for (int at = check; at < good.length(); at++) {
      for (char c : ALPHABET.toCharArray()) {
        if (c == good.charAt(at)) {
          continue;
        }
        String bad = good.substring(0, at) + c + good.substring(at + 1);
        assertThat(ApiKey.hasKeyShape(bad)).isTrue();
        assertThat(ApiKey.defect(bad)).as("position %s", at - check).isEqualTo(Detail.BAD_CHECKSUM);
        assertThat(ApiKey.tryParse(bad)).isNull();
        refused++;
      }
    }
    assertThat(refused).isEqualTo(6 * 61);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "aos", "aos_", "aos_mk_", "aos_mk_prod", "aos_mk_prod_", "_"})
  void valuesTooShortForTheFieldsAreMalformed(String value) {
    assertThat(ApiKey.hasKeyShape(value)).isFalse();
    assertThat(ApiKey.defect(value)).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.tryParse(value)).isNull();
    assertThatThrownBy(() -> ApiKey.parse(value)).hasMessage("not a planeguard key");
  }

  @Test
  void aModeFieldThatRunsToTheEndIsMalformed() {
    for (int length = ApiKey.MIN_LENGTH; length <= ApiKey.MAX_LENGTH; length++) {
      String value = "aos_mk_" + "p".repeat(length - 7);
      assertThat(value).hasSize(length);
      assertThat(ApiKey.hasKeyShape(value)).isFalse();
      assertThat(ApiKey.defect(value)).isEqualTo(Detail.MALFORMED);
      String prefixOnly = "a".repeat(length);
      assertThat(ApiKey.hasKeyShape(prefixOnly)).isFalse();
    }
  }

  @Test
  void keysAreEqualExactlyWhenTheirValuesAre() {
    ApiKey a = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey b = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThat(a).isEqualTo(ApiKey.parse(a.value())).isNotEqualTo(b);
    assertThat(a.equals(a.value())).isFalse();
    assertThat(a.equals(null)).isFalse();
    assertThat(a.hashCode()).isEqualTo(ApiKey.parse(a.value()).hashCode());
    Set<Integer> hashes = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      hashes.add(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).hashCode());
    }
    assertThat(hashes).as("keys spread over hash buckets").hasSizeGreaterThan(1);
  }
}

package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyDigest}: the stored form, and the comparison the key verifier makes on every request.
 */
class KeyDigestTest {

  static final String ABC =
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void theStoredFormIsSha256AndLowerCaseHex() throws Exception {
    assertThat(KeyDigest.stored(KeyDigest.sha256("abc"))).isEqualTo(ABC);
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    byte[] jdk = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    assertThat(KeyDigest.sha256(key)).isEqualTo(jdk);
    assertThat(ApiKey.hash(key)).isEqualTo("sha256:" + HexFormat.of().formatHex(jdk));
  }

  @Test
  void repeatedDigestsAreIndependent() {
    // The prototype is cloned: no state leaks from one digest into the next.
    byte[] first = KeyDigest.sha256("abc");
    KeyDigest.sha256("something else entirely");
    assertThat(KeyDigest.sha256("abc")).isEqualTo(first);
  }

  @Test
  void aDigestMatchesItsStoredFormOnly() {
    byte[] digest = KeyDigest.sha256("abc");
    assertThat(KeyDigest.matches(ABC, digest)).isTrue();
    assertThat(KeyDigest.matches(ABC, KeyDigest.sha256("abd"))).isFalse();
    for (int i = KeyDigest.PREFIX.length(); i < ABC.length(); i++) {
      char c = ABC.charAt(i);
      String changed = ABC.substring(0, i) + (c == '0' ? '1' : '0') + ABC.substring(i + 1);
      assertThat(KeyDigest.matches(changed, digest)).as("digit %d changed", i).isFalse();
    }
  }

  @Test
  void storedValuesOfAnotherShapeNeverMatch() {
    byte[] digest = KeyDigest.sha256("abc");
    String hex = ABC.substring(KeyDigest.PREFIX.length());
    assertThat(KeyDigest.matches("sha256:" + hex.toUpperCase(java.util.Locale.ROOT), digest))
        .isFalse();
    assertThat(KeyDigest.matches("SHA256:" + hex, digest)).isFalse();
    assertThat(KeyDigest.matches("sha512:" + hex, digest)).isFalse();
    assertThat(KeyDigest.matches(hex, digest)).isFalse();
    assertThat(KeyDigest.matches(ABC + "0", digest)).isFalse();
    assertThat(KeyDigest.matches(ABC.substring(0, ABC.length() - 1), digest)).isFalse();
    assertThat(KeyDigest.matches("", digest)).isFalse();
    // Not hex, at every position where a sloppy decoder might read it as a digit.
    for (String bad : new String[] {"g", "G", " ", ":", "/", "\u00e0", "\u0660", "\uff10"}) {
      for (int i = KeyDigest.PREFIX.length(); i < ABC.length(); i += 7) {
        String changed = ABC.substring(0, i) + bad + ABC.substring(i + 1);
        assertThat(KeyDigest.matches(changed, digest)).as("%s at %d", bad, i).isFalse();
      }
    }
    assertThat(KeyDigest.matches(ABC, new byte[31])).isFalse();
    assertThat(KeyDigest.matches(ABC, java.util.Arrays.copyOf(digest, 33))).isFalse();
  }
}

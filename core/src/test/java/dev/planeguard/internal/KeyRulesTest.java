package dev.planeguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** {@link KeyRules#claimedId}: the id's place agrees with {@link ApiKey}'s format. */
class KeyRulesTest {

  @Test
  void theClaimedIdIsTheIdOfEveryShapeOfKey() {
    SecureRandom random = new SecureRandom();
    for (String prefix : new String[] {"ab", "aos", "abcdefgh"}) {
      for (ApiKey.Kind kind : ApiKey.Kind.values()) {
        for (Mode mode : Mode.values()) {
          ApiKey key = ApiKey.generate(prefix, kind, mode, random);
          assertThat(KeyRules.claimedId(key.value())).as(key.toString()).isEqualTo(key.id());
        }
      }
    }
  }

  @Test
  void aValueTooShortToHoldAnIdClaimsNone() {
    assertThat(KeyRules.claimedId("")).isNull();
    assertThat(KeyRules.claimedId("x".repeat(66))).isNull();
    assertThat(KeyRules.claimedId("x".repeat(67))).isEqualTo("x".repeat(16));
  }
}

package dev.planeguard.test.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProductionGuardTest {

  @ParameterizedTest
  @ValueSource(strings = {"prod", "PROD", " prod ", "\tProd\n", "preprod", "PreProd", " PREPROD"})
  void productionModesAreRefusedWithTheReason(String mode) {
    assertThatThrownBy(() -> ProductionGuard.check("TestIssuer", Map.of("AOS_MODE", mode)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AOS_MODE: is " + mode.trim().toLowerCase(java.util.Locale.ROOT))
        .hasMessageContaining("TestIssuer refuses to start")
        .hasMessageContaining("real signed test tokens belong to local and test only")
        .hasMessageContaining("Fix: run tests with AOS_MODE unset, local or test");
  }

  @ParameterizedTest
  @ValueSource(strings = {"production", "staging", "dev", "loca1"})
  void unknownModesAreRefusedToo(String mode) {
    assertThatThrownBy(() -> ProductionGuard.check("TestKeys", Map.of("AOS_MODE", mode)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            "AOS_MODE: is \"" + mode + "\", which is not local, test, preprod or prod")
        .hasMessageContaining("TestKeys cannot tell that it is outside production");
  }

  @Test
  void anUnknownValueThatCouldCarryAnythingIsNotEchoed() {
    String value = "prod\u001b[31m-or-a-secret-" + "x".repeat(40);
    assertThatThrownBy(() -> ProductionGuard.check("TestIssuer", Map.of("AOS_MODE", value)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is (not shown)")
        .hasMessageNotContaining("secret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "test", " TEST ", "Local", "", "   "})
  void localTestAndUnsetAreAllowed(String mode) {
    assertThatCode(() -> ProductionGuard.check("TestIssuer", Map.of("AOS_MODE", mode)))
        .doesNotThrowAnyException();
  }

  @Test
  void everyEnvironmentIsConsulted() {
    Map<String, String> unset = new HashMap<>();
    assertThatCode(() -> ProductionGuard.check("TestIssuer", unset, Map.of("AOS_MODE", "test")))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                ProductionGuard.check(
                    "TestIssuer", Map.of("AOS_MODE", "test"), Map.of("AOS_MODE", "prod")))
        .isInstanceOf(ConfigurationException.class);
  }
}

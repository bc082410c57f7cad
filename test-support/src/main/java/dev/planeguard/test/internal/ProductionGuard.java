package dev.planeguard.test.internal;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses to let the test kit run where production's auth rules apply. Real signed test tokens and
 * freshly minted keys belong to local and test only.
 */
public final class ProductionGuard {

  /** The variable naming the deployment mode. */
  public static final String MODE_VARIABLE = "AOS_MODE";

  private static final Pattern SHOWABLE = Pattern.compile("[A-Za-z0-9_.-]{1,20}");

  private ProductionGuard() {}

  /**
   * Checks every environment given; the first that refuses wins.
   *
   * @param component what is starting, for the message (e.g. {@code "TestIssuer"})
   * @param environments environments to consult, typically the process environment and any the
   *     caller adds
   * @throws ConfigurationException if any environment has {@code AOS_MODE} set to {@code preprod},
   *     {@code prod} or a value that is not a mode at all
   */
  @SafeVarargs
  public static void check(String component, Map<String, String>... environments) {
    for (Map<String, String> env : environments) {
      String value = env.get(MODE_VARIABLE);
      if (value == null || value.isBlank()) {
        continue;
      }
      Mode mode = Mode.parse(value);
      if (mode == Mode.LOCAL || mode == Mode.TEST) {
        continue;
      }
      String shown =
          SHOWABLE.matcher(value.trim()).matches() ? "\"" + value.trim() + "\"" : "(not shown)";
      String message =
          mode == null
              ? "is "
                  + shown
                  + ", which is not local, test, preprod or prod, so "
                  + component
                  + " cannot tell that it is outside production and refuses to start"
              : "is "
                  + mode.id()
                  + ", so "
                  + component
                  + " refuses to start: it signs real tokens"
                  + " and mints real keys, and real signed test tokens belong to local and test"
                  + " only";
      throw new ConfigurationException(
          "planeguard-test is not for " + (mode == null ? "an unknown mode" : mode.id()),
          List.of(
              new Problem(
                  MODE_VARIABLE,
                  message,
                  "run tests with "
                      + MODE_VARIABLE
                      + " unset, local or test, and keep"
                      + " planeguard-test in test scope (it must never be on a production class"
                      + " path)")));
    }
  }
}

package dev.planeguard.internal;

import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import java.util.List;

/**
 * The zxcvbn strength estimate of a secret. The estimator loads its dictionaries once, on first
 * use; it keeps no state between estimates.
 */
public final class SecretStrength {

  /** Built on first use: loading the dictionaries takes a moment. */
  private static final class Holder {
    static final Zxcvbn ZXCVBN = new Zxcvbn();
  }

  private SecretStrength() {}

  /**
   * The zxcvbn score, 0 (too guessable) to 4 (at least 10^10 estimated guesses), of the first
   * {@code maxLength} characters of {@code value}.
   *
   * @param userWords words an attacker would try first (the variable's name, say)
   */
  public static int score(String value, int maxLength, List<String> userWords) {
    String judged = value;
    if (value.codePointCount(0, value.length()) > maxLength) {
      judged = value.substring(0, value.offsetByCodePoints(0, maxLength));
    }
    Strength strength = Holder.ZXCVBN.measure(judged, userWords);
    int score = strength.getScore();
    // The estimate keeps the value; wipe what it holds (best effort, strings stay in the heap).
    strength.wipe();
    return score;
  }
}

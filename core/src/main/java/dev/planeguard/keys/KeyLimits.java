package dev.planeguard.keys;

import dev.planeguard.RateLimit;
import dev.planeguard.internal.Text;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What one key may do over time, beside its scopes: its own rate limit and how many requests it may
 * make in all. Written in its {@link KeyRecord} ({@code "rateLimit":"100/1m"}, {@code "uses":1000},
 * {@code "usesRefill":"30d"}) and enforced by the admission rows of the decision table whenever the
 * key is used, whatever the process's own defaults.
 *
 * @param rateLimit the key's own rate limit, replacing the default limit of callers; {@code null}
 *     for none
 * @param uses how many allowed requests the key may make before it is refused ({@code
 *     BUDGET_EXHAUSTED}), 1 to 1,000,000,000; {@code null} for no such bound
 * @param usesRefill after how long the uses are given back in full (1 minute to 365 days), or
 *     {@code null} if they are never given back; only with {@code uses}
 */
public record KeyLimits(
    @Nullable RateLimit rateLimit, @Nullable Long uses, @Nullable Duration usesRefill) {

  /** No limits of the key's own. */
  public static final KeyLimits NONE = new KeyLimits(null, null, null);

  /** The most uses a key can be given. */
  public static final long MAX_USES = 1_000_000_000L;

  /** The longest refill period of uses. */
  public static final Duration MAX_USES_REFILL = Duration.ofDays(365);

  private static final Pattern PERIOD = Pattern.compile("(\\d{1,6})(m|h|d)");

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException naming the value that is out of range
   */
  public KeyLimits {
    if (uses != null && (uses < 1 || uses > MAX_USES)) {
      throw new IllegalArgumentException("uses must be 1 to " + MAX_USES + ", not " + uses);
    }
    if (usesRefill != null) {
      if (uses == null) {
        throw new IllegalArgumentException("usesRefill needs uses: say how many uses are refilled");
      }
      if (usesRefill.compareTo(Duration.ofMinutes(1)) < 0
          || usesRefill.compareTo(MAX_USES_REFILL) > 0
          || !usesRefill.truncatedTo(ChronoUnit.MINUTES).equals(usesRefill)) {
        throw new IllegalArgumentException(
            "usesRefill must be whole minutes from 1m to 365d, not " + usesRefill);
      }
    }
  }

  /** Whether the key has no limits of its own. */
  public boolean none() {
    return rateLimit == null && uses == null;
  }

  /**
   * Parses a refill period: a whole number and {@code m}, {@code h} or {@code d} ({@code 30d},
   * {@code 12h}).
   *
   * @throws IllegalArgumentException saying what is wrong, with an example
   */
  public static Duration parseRefill(String text) {
    Matcher m = PERIOD.matcher(text.strip());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      if (d.compareTo(Duration.ofMinutes(1)) >= 0 && d.compareTo(MAX_USES_REFILL) <= 0) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        Text.quote(text, 32)
            + " is not a refill period; write a whole number and m, h or d from 1m to 365d, such"
            + " as 30d");
  }

  /** A refill period as {@link #parseRefill} reads it: {@code 30d}, {@code 12h}, {@code 90m}. */
  public static String formatRefill(Duration refill) {
    long minutes = refill.toMinutes();
    if (minutes % 1440 == 0) {
      return minutes / 1440 + "d";
    }
    if (minutes % 60 == 0) {
      return minutes / 60 + "h";
    }
    return minutes + "m";
  }

  /** {@code rate 100/1m, uses 1000 every 30d}, or {@code none}. */
  @Override
  public String toString() {
    if (none()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    if (rateLimit != null) {
      s.append("rate ").append(rateLimit);
    }
    if (uses != null) {
      s.append(s.length() == 0 ? "" : ", ").append("uses ").append(uses);
      if (usesRefill != null) {
        s.append(" every ").append(formatRefill(usesRefill));
      }
    }
    return s.toString();
  }
}

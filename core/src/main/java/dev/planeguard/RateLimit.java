package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Text;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A rate limit: {@code requests} per {@code period}, with room for a burst of {@code burst}
 * requests. Written {@code 100/1m} (100 requests a minute) in key files, the command line and
 * settings; the burst is set in code or from {@code RATE_LIMIT_BURST_RPM}.
 *
 * <p>A limit is a token bucket: it holds at most {@code burst} requests and refills smoothly at
 * {@code requests} per {@code period}, so a caller idle for a while may send {@code burst} at once
 * and then {@code requests} per {@code period} on average.
 *
 * @param requests requests per period, 1 to 1,000,000,000
 * @param period the period, 1 second to 30 days, in whole seconds
 * @param burst the most requests at once, at least {@code requests} and at most 1,000,000,000
 */
public record RateLimit(long requests, Duration period, long burst) {

  /** The most requests per period, and the largest burst. */
  public static final long MAX_REQUESTS = 1_000_000_000L;

  /** The longest period. */
  public static final Duration MAX_PERIOD = Duration.ofDays(30);

  private static final Pattern TEXT = Pattern.compile("(\\d{1,10})/(\\d{0,7})(s|m|h|d)");

  /**
   * Validates the limit.
   *
   * @throws IllegalArgumentException saying which value is out of range
   */
  public RateLimit {
    requireNonNull(period, "period");
    if (requests < 1 || requests > MAX_REQUESTS) {
      throw new IllegalArgumentException(
          "a rate limit allows 1 to " + MAX_REQUESTS + " requests per period, not " + requests);
    }
    if (period.compareTo(Duration.ofSeconds(1)) < 0
        || period.compareTo(MAX_PERIOD) > 0
        || !period.truncatedTo(ChronoUnit.SECONDS).equals(period)) {
      throw new IllegalArgumentException(
          "a rate limit's period is whole seconds from 1s to 30d, not " + period);
    }
    if (burst < requests || burst > MAX_REQUESTS) {
      throw new IllegalArgumentException(
          "a rate limit's burst is from its requests per period ("
              + requests
              + ") to "
              + MAX_REQUESTS
              + ", not "
              + burst);
    }
  }

  /** {@code requests} per {@code period}, with a burst of the same size. */
  public static RateLimit of(long requests, Duration period) {
    return new RateLimit(requests, period, requests);
  }

  /** {@code requests} a minute, with a burst of the same size. */
  public static RateLimit perMinute(long requests) {
    return of(requests, Duration.ofMinutes(1));
  }

  /** This limit with room for a burst of {@code burst} requests. */
  public RateLimit withBurst(long burst) {
    return new RateLimit(requests, period, burst);
  }

  /**
   * Parses {@code N/PERIOD}: a whole number of requests, {@code /}, and a period of an optional
   * whole number and a unit {@code s}, {@code m}, {@code h} or {@code d} ({@code 100/1m}, {@code
   * 10/s}, {@code 5000/1d}). The burst is the number of requests.
   *
   * @throws IllegalArgumentException saying what is wrong and giving an example
   */
  public static RateLimit parse(String text) {
    RateLimit limit = tryParse(text);
    if (limit == null) {
      throw new IllegalArgumentException(
          Text.quote(text, 32)
              + " is not a rate limit; write requests/period such as 100/1m, 10/s or 5000/1d"
              + " (1 to "
              + MAX_REQUESTS
              + " requests, 1s to 30d)");
    }
    return limit;
  }

  /** {@link #parse}, or {@code null} if {@code text} is not a valid limit. */
  public static @Nullable RateLimit tryParse(String text) {
    Matcher m = TEXT.matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    long count = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
    long seconds =
        switch (m.group(3)) {
          case "s" -> count;
          case "m" -> count * 60;
          case "h" -> count * 3600;
          default -> count * 86_400;
        };
    long requests = Long.parseLong(m.group(1));
    if (requests < 1
        || requests > MAX_REQUESTS
        || seconds < 1
        || seconds > MAX_PERIOD.toSeconds()) {
      return null;
    }
    return of(requests, Duration.ofSeconds(seconds));
  }

  /** The period in the largest whole unit: {@code 1m}, {@code 90s}, {@code 2h}, {@code 1d}. */
  static String period(Duration period) {
    long s = period.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /**
   * {@code 100/1m}, the form {@link #parse} reads; with {@code " burst 150"} when the burst differs
   * from the requests per period.
   */
  @Override
  public String toString() {
    return requests + "/" + period(period) + (burst == requests ? "" : " burst " + burst);
  }
}

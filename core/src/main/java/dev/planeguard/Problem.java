package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Text;

/**
 * One thing wrong with a configuration: what it concerns, what is wrong and how to fix it.
 *
 * <p>Problems never contain secret values: they name variables and lines, not what a secret holds.
 *
 * @param subject what the problem concerns: an environment variable name, or a policy source and
 *     line such as {@code planeguard.policy:12}
 * @param message what is wrong, one line
 * @param fix how to fix it, one line
 */
public record Problem(String subject, String message, String fix) {

  /** Checks that no component is null. */
  public Problem {
    requireNonNull(subject, "subject");
    requireNonNull(message, "message");
    requireNonNull(fix, "fix");
  }

  /**
   * A value someone typed, as problems show it: in double quotes, escaped to printable ASCII,
   * capped at {@code max} characters, and with anything shaped like a key or token redacted, so a
   * credential pasted into the wrong place is never echoed back. For adapters' own messages.
   */
  public static String quote(CharSequence value, int max) {
    return Text.quote(value, max);
  }

  /** {@code subject: message. Fix: fix} */
  @Override
  public String toString() {
    return subject + ": " + message + ". Fix: " + fix;
  }
}

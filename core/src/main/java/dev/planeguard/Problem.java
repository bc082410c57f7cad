package dev.planeguard;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a configuration: what it concerns, what is wrong and how to fix it.
 *
 * <p>Problems never contain secret values: they name variables and lines, not what a secret
 * holds.
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

  /** {@code subject: message. Fix: fix} */
  @Override
  public String toString() {
    return subject + ": " + message + ". Fix: " + fix;
  }
}

package dev.planeguard;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The first column of a policy rule: who may call the route. */
public enum Access {
  /** Human plane: a verified JWT (or a sandbox key where the mode allows it). */
  HUMAN,
  /** Machine plane: a verified API key. */
  MACHINE,
  /** No credential needed, none examined. */
  PUBLIC,
  /** A debug route: answers 404 in prod; elsewhere it requires the credential of its plane. */
  DEBUG,
  /**
   * Never answered: refused exactly like an unmapped route (404 {@code UNMAPPED_ROUTE}, detail
   * {@code DENY_RULE}). Used to close a path inside a wider rule, for example a handler marked
   * {@code @DenyAll} under {@code public /api/**}.
   */
  DENY;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The lower-case keyword used in the policy file. */
  public String id() {
    return id;
  }

  /** Parses the exact lower-case keyword of the policy file, or returns {@code null}. */
  static @Nullable Access parse(String keyword) {
    for (Access access : values()) {
      if (access.id.equals(keyword)) {
        return access;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return id;
  }
}

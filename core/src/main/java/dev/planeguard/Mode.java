package dev.planeguard;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The deployment mode of a process, from {@code AOS_MODE}. There are exactly four, and no default:
 * a process that cannot say which one it is does not start.
 */
public enum Mode {
  /** A developer's machine. Sandbox keys allowed; disposable database. */
  LOCAL,
  /** Customer-grade testing. Sandbox keys only when explicitly enabled. */
  TEST,
  /** Pre-production: production's auth rules, debug routes still answer. */
  PREPROD,
  /** Production: debug routes answer 404, no sandbox, no bypass of any kind. */
  PROD;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in environment variables, key strings and audit events. */
  public String id() {
    return id;
  }

  /** True for {@link #PREPROD} and {@link #PROD}, which share production's auth rules. */
  public boolean isProductionLike() {
    return this == PREPROD || this == PROD;
  }

  /**
   * Parses a mode, case-insensitively after trimming.
   *
   * @return the mode, or {@code null} if {@code value} names none
   */
  public static @Nullable Mode parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Mode mode : values()) {
      if (mode.id.equals(v)) {
        return mode;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return id;
  }
}

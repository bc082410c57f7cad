package dev.planeguard;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The role of the database a process talks to, from {@code DB_ROLE}. It governs migrations: see the
 * migration gate. {@code DB_AUTHORITY} only says where the database lives.
 */
public enum DbRole {
  /** Local, CI or pre-production rehearsal database. Migrations allowed. */
  STAGING,
  /** The production database. Migrations only with explicit confirmation. */
  PROD,
  /** A read-only copy. Never migrated. */
  REPLICA;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in environment variables. */
  public String id() {
    return id;
  }

  /**
   * Parses a role, case-insensitively after trimming.
   *
   * @return the role, or {@code null} if {@code value} names none
   */
  public static @Nullable DbRole parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (DbRole role : values()) {
      if (role.id.equals(v)) {
        return role;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return id;
  }
}

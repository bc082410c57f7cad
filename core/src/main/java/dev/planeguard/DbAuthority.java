package dev.planeguard;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the database of a process lives, from {@code DB_AUTHORITY}. The standard contract knows
 * {@link #LOCAL} and {@link #NEON}; a custom {@link ContractSpec} may name others, which is why
 * this is a value and not an enum.
 *
 * @param name lower-case name, {@code [a-z][a-z0-9_-]*}
 */
public record DbAuthority(String name) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  /** A database on the developer's machine. */
  public static final DbAuthority LOCAL = new DbAuthority("local");

  /** The managed (Neon) database service used by test, preprod and prod. */
  public static final DbAuthority NEON = new DbAuthority("neon");

  /** Validates the name. */
  public DbAuthority {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "database authority names are lower-case [a-z][a-z0-9_-]{0,31}");
    }
  }

  /** Creates an authority from a name, lower-casing it after trimming. */
  public static DbAuthority of(String name) {
    return new DbAuthority(name.trim().toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return name;
  }
}

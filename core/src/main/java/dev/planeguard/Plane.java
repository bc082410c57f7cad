package dev.planeguard;

import java.util.Locale;

/**
 * An auth plane. Each plane accepts exactly one kind of credential; planes never cross.
 *
 * <ul>
 *   <li>{@link #HUMAN}: {@code Authorization: Bearer <JWT>} (and, in local/test only, sandbox keys
 *       in {@code X-AOS-Customer-Key});
 *   <li>{@link #MACHINE}: an API key in {@code X-AOS-Key};
 *   <li>{@link #DATABASE}: migrations, through the database connection only. No HTTP route can
 *       belong to it.
 * </ul>
 */
public enum Plane {
  HUMAN,
  MACHINE,
  DATABASE;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in the policy file, responses and audit events. */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}

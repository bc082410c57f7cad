package dev.planeguard.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Removes anything shaped like a planeguard key or a JWT from text bound for a log.
 *
 * <p>Keys are matched generously, so that a key that is truncated, mangled (a non-ASCII letter
 * swapped in), cut by a length cap or has its underscores percent-encoded still does not reach the
 * log: from the letters before an {@code _mk_} or {@code _sk_} marker to the end of the path
 * segment becomes {@code <key>}. The marker must be followed by at least 8 characters, so that
 * ordinary words such as {@code task_mk_list} stay readable; a key has at least 32 there.
 */
public final class Redaction {

  private static final Pattern KEY =
      Pattern.compile("[A-Za-z0-9]*(?:_|%5[Ff])(?:mk|sk)(?:_|%5[Ff])[^/?#\\s]{8,}");
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");

  private Redaction() {}

  /** {@code text} with keys replaced by {@code <key>} and JWT-like strings by {@code <jwt>}. */
  public static String redact(String text) {
    String out = text;
    String lower = out.toLowerCase(Locale.ROOT);
    if (lower.contains("mk") || lower.contains("sk")) {
      out = KEY.matcher(out).replaceAll("<key>");
    }
    if (out.contains("eyJ")) {
      out = JWT.matcher(out).replaceAll("<jwt>");
    }
    return out;
  }
}

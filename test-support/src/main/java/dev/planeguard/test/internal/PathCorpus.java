package dev.planeguard.test.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The path-confusion corpus: ways to write a request target that some HTTP component (a proxy, a
 * container, a framework's matcher, a security filter) may read as the canonical path while another
 * reads it differently. A safe service answers each with 400 or exactly as it answers the canonical
 * path.
 *
 * <p>Covers dot segments (raw, percent-encoded, double-encoded, {@code %u}-encoded, overlong
 * UTF-8), {@code ..;} and other path parameters, {@code //}, encoded and raw slashes and
 * backslashes, encoded semicolons, control and invisible characters, fragments, case changes, a
 * trailing slash, the absolute form, and "decoy" prefixes: another route's path followed by enough
 * {@code ..} segments to climb back out of it, which a component that resolves them reads as the
 * canonical path while one that matches prefixes reads as the decoy.
 */
public final class PathCorpus {

  /** A segment that exists nowhere, climbed out of again with {@code ..}. */
  static final String PROBE = "planeguard-probe";

  /**
   * One way of writing the target.
   *
   * @param technique what the variant does, for reports
   * @param target the raw request target as sent
   * @param otherResource whether the variant names another resource for a standards-following
   *     server (paths are case-sensitive; a trailing slash is a different path), so that a 404 is
   *     also an acceptable answer
   */
  public record Variant(String technique, String target, boolean otherResource) {}

  private PathCorpus() {}

  /**
   * The variants of {@code path}.
   *
   * @param origin {@code scheme://host:port}, for the absolute-form variant
   * @param context the raw context path ({@code ""} or {@code /app}), prefixed to every target
   * @param path the canonical path, relative to the context, starting with {@code /}
   * @param decoys other routes' paths, relative to the context
   */
  public static List<Variant> variants(
      String origin, String context, String path, List<String> decoys) {
    List<Variant> out = new ArrayList<>();
    Adder add =
        (technique, target, other) -> {
          String full = context + target;
          if (!target.equals(path)) {
            out.add(new Variant(technique, full, other));
          }
        };

    int cut = path.lastIndexOf('/');
    String parent = path.substring(0, cut); // "" for a one-segment path
    String last = path.substring(cut + 1); // "" for "/" or a path with a trailing slash
    boolean hasLast = !last.isEmpty();

    // Slashes.
    if (!path.endsWith("/")) {
      add.add("trailing slash", path + "/", true);
    }
    // An empty segment makes another path under RFC 3986 (servers that merge slashes read the
    // canonical one), so a 404 is fine too.
    add.add("doubled leading slash", "/" + path, true);
    if (hasLast && !parent.isEmpty()) {
      add.add("empty segment (//)", parent + "//" + last, true);
    }
    add.add("trailing empty segment (//)", stripTrailingSlash(path) + "//", true);

    // Dot segments in every spelling.
    if (hasLast) {
      add.add("dot segment", parent + "/./" + last, false);
      add.add("dot-dot segment", parent + "/" + PROBE + "/../" + last, false);
      add.add("encoded dot segment (%2e)", parent + "/%2e/" + last, false);
      add.add("encoded dot-dot segment (%2e%2e)", parent + "/" + PROBE + "/%2e%2e/" + last, false);
      add.add("encoded dot-dot segment (%2E%2E)", parent + "/" + PROBE + "/%2E%2E/" + last, false);
      add.add("half-encoded dot-dot segment (.%2e)", parent + "/" + PROBE + "/.%2e/" + last, false);
      add.add("dot-dot with path parameter (..;)", parent + "/" + PROBE + "/..;/" + last, false);
      add.add("dot with path parameter (.;)", parent + "/.;/" + last, false);
      add.add(
          "double-encoded dot-dot (%252e%252e)",
          parent + "/" + PROBE + "/%252e%252e/" + last, false);
      add.add("%u-encoded dot-dot (%u002e)", parent + "/" + PROBE + "/%u002e%u002e/" + last, false);
      add.add(
          "overlong UTF-8 dot-dot (%c0%ae)", parent + "/" + PROBE + "/%c0%ae%c0%ae/" + last, false);
      add.add("dot-dot and encoded slash (..%2f)", parent + "/" + PROBE + "/..%2f" + last, false);
      add.add(
          "dot-dot and encoded backslash (..%5c)", parent + "/" + PROBE + "/..%5c" + last, false);
      add.add("dot-dot and backslash (..\\)", parent + "/" + PROBE + "/..\\" + last, false);
    }
    add.add("trailing dot segment", stripTrailingSlash(path) + "/.", false);

    // Slashes in disguise.
    if (hasLast && !parent.isEmpty()) {
      add.add("encoded slash (%2f)", parent + "%2f" + last, false);
      add.add("encoded slash (%2F)", parent + "%2F" + last, false);
      add.add("double-encoded slash (%252f)", parent + "%252f" + last, false);
      add.add("encoded backslash (%5c)", parent + "%5c" + last, false);
      add.add("backslash", parent + "\\" + last, false);
    }

    // Path parameters and semicolons.
    String bare = stripTrailingSlash(path);
    add.add("path parameter (;jsessionid=)", bare + ";jsessionid=planeguard", false);
    add.add("empty path parameter (;)", bare + ";", false);
    int firstEnd = path.indexOf('/', 1);
    if (firstEnd > 1) {
      add.add(
          "path parameter on the first segment",
          path.substring(0, firstEnd) + ";planeguard=1" + path.substring(firstEnd),
          false);
    }
    add.add("encoded semicolon (%3b)", bare + "%3bjsessionid=planeguard", false);

    // Harmless encodings: must decode once to the canonical path, or be refused.
    String encodedLetter = encodeFirstLetter(path);
    if (encodedLetter != null) {
      add.add("percent-encoded letter", encodedLetter, false);
    }

    // Control and invisible characters.
    for (String[] c :
        new String[][] {
          {"%0a", "line feed"},
          {"%0d", "carriage return"},
          {"%09", "tab"},
          {"%00", "NUL"},
          {"%7f", "DEL"},
          {"%e2%80%a8", "line separator U+2028"},
          {"%e2%80%8b", "zero-width space U+200B"},
        }) {
      add.add("encoded " + c[1] + " (" + c[0] + ")", bare + c[0], false);
    }
    add.add("encoded CRLF header injection", bare + "%0d%0aX-Planeguard-Injected:%201", false);
    if (firstEnd > 1) {
      add.add(
          "encoded tab inside the first segment",
          path.substring(0, firstEnd) + "%09" + path.substring(firstEnd),
          false);
    }
    add.add("fragment (#)", path + "#planeguard", false);

    // Case.
    String upper = path.toUpperCase(Locale.ROOT);
    add.add("upper-case path", upper, true);
    if (hasLast) {
      String swapped = parent + "/" + swapCase(last);
      if (!swapped.equals(upper)) {
        add.add("case-swapped last segment", swapped, true);
      }
    }

    // Absolute form (RFC 9112 section 3.2.2): the path must be read the same.
    out.add(new Variant("absolute-form target", origin + context + path, false));

    // Decoys: another route's path, then climb back out of it.
    Set<String> seen = new LinkedHashSet<>();
    for (String decoy : decoys) {
      String d = stripTrailingSlash(decoy);
      int depth = segments(d);
      if (depth == 0 || d.equals(bare) || !seen.add(d)) {
        continue;
      }
      String rest = path.substring(1);
      add.add("dot-dot after decoy " + d, d + "/..".repeat(depth) + path, false);
      add.add("..; after decoy " + d, d + "/..;".repeat(depth) + path, false);
      add.add(";/.. after decoy " + d, d + ";" + "/..".repeat(depth) + path, false);
      add.add("%2e%2e after decoy " + d, d + "/%2e%2e".repeat(depth) + path, false);
      add.add("%252e%252e after decoy " + d, d + "/%252e%252e".repeat(depth) + path, false);
      add.add("%u002e after decoy " + d, d + "/%u002e%u002e".repeat(depth) + path, false);
      // "/x/y/..%2f..%2frest" decodes to "/x/y/../../rest".
      add.add("..%2f after decoy " + d, d + "/" + "..%2f".repeat(depth) + rest, false);
      add.add("..%5c after decoy " + d, d + "/" + "..%5c".repeat(depth) + rest, false);
    }
    return out;
  }

  private interface Adder {
    void add(String technique, String target, boolean otherResource);
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static int segments(String path) {
    int n = 0;
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  private static String swapCase(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return sb.toString();
  }

  /** The path with its first ASCII letter outside an escape percent-encoded, or null if none. */
  private static @Nullable String encodeFirstLetter(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        i += 2;
        continue;
      }
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return path.substring(0, i)
            + String.format(Locale.ROOT, "%%%02x", (int) c)
            + path.substring(i + 1);
      }
    }
    return null;
  }
}

package dev.planeguard.internal;

import dev.planeguard.RouteCoverage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Path patterns in Spring's {@code PathPattern} syntax (Spring MVC and WebFlux alike) in policy
 * syntax. A policy pattern can only be as wide as Spring's or wider, never narrower: a segment with
 * a regular expression, a suffix or a partial wildcard becomes {@code *} (one whole segment, and
 * the mapping is marked widened), {@code {*rest}} and a final {@code **} become {@code **}. Plain
 * text processing: core stays free of Spring. Public through {@link
 * dev.planeguard.RouteCoverage.PathMapping#ofPathPattern}.
 */
public final class PathPatterns {

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@-]+");
  private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]{0,63}}");
  private static final Pattern CAPTURE_REST = Pattern.compile("\\{\\*[^}]*}");

  private PathPatterns() {}

  /**
   * {@code pattern} as a path mapping of the coverage.
   *
   * @param prefix put in front of the pattern (Spring MVC's servlet path): {@code ""} or {@code
   *     /svc}
   */
  public static RouteCoverage.PathMapping toMapping(String pattern, String prefix) {
    String servletPath = prefix;
    String written =
        servletPath + (pattern.startsWith("/") || pattern.isEmpty() ? "" : "/") + pattern;
    List<String> segments = split(written);
    if (segments == null) {
      return new RouteCoverage.PathMapping(written, null, true);
    }
    StringBuilder sb = new StringBuilder();
    // "/a/" matches only "/a/" in Spring; planeguard ignores a trailing slash, so reads it as "/a".
    boolean widened = written.length() > 1 && written.endsWith("/");
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      boolean last = i == segments.size() - 1;
      String converted;
      if (s.equals("**") || CAPTURE_REST.matcher(s).matches()) {
        if (!last) {
          return new RouteCoverage.PathMapping(written, null, true);
        }
        converted = "**";
      } else if (VARIABLE.matcher(s).matches() || s.equals("*")) {
        converted = s;
      } else if (s.indexOf('{') >= 0 || s.indexOf('*') >= 0 || s.indexOf('?') >= 0) {
        converted = "*";
        widened = true;
      } else if (LITERAL.matcher(s).matches() && !s.equals(".") && !s.equals("..")) {
        converted = s;
      } else {
        return new RouteCoverage.PathMapping(written, null, true);
      }
      sb.append('/').append(converted);
    }
    return new RouteCoverage.PathMapping(
        written.isEmpty() ? "/" : written, sb.length() == 0 ? "/" : sb.toString(), widened);
  }

  /**
   * Non-empty segments, splitting on {@code /} outside braces; {@code null} if braces don't pair.
   */
  private static @Nullable List<String> split(String pattern) {
    List<String> segments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (--depth < 0) {
          return null;
        }
      }
      if (c == '/' && depth == 0) {
        if (current.length() > 0) {
          segments.add(current.toString());
          current.setLength(0);
        }
      } else {
        current.append(c);
      }
    }
    if (depth != 0) {
      return null;
    }
    if (current.length() > 0) {
      segments.add(current.toString());
    }
    return segments;
  }
}

package dev.planeguard.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Spring MVC path patterns in policy syntax. A policy pattern can only be as wide as Spring's or
 * wider, never narrower: a segment with a regular expression or a partial wildcard becomes {@code
 * *} (one whole segment), {@code {*rest}} becomes {@code **}.
 */
final class SpringPatterns {

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@-]+");
  private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]{0,63}}");
  private static final Pattern CAPTURE_REST = Pattern.compile("\\{\\*[^}]*}");

  private SpringPatterns() {}

  /** {@code pattern} in policy syntax, or {@code null} if it cannot be expressed. */
  static @Nullable String toPolicy(String pattern) {
    List<String> segments = split(pattern);
    if (segments == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      boolean last = i == segments.size() - 1;
      String converted;
      if (s.equals("**") || CAPTURE_REST.matcher(s).matches()) {
        if (!last) {
          return null;
        }
        converted = "**";
      } else if (VARIABLE.matcher(s).matches() || s.equals("*")) {
        converted = s;
      } else if (s.indexOf('{') >= 0 || s.indexOf('*') >= 0 || s.indexOf('?') >= 0) {
        converted = "*";
      } else if (LITERAL.matcher(s).matches()) {
        converted = s;
      } else {
        return null;
      }
      sb.append('/').append(converted);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /**
   * Request paths that a policy pattern matches, for asking the policy how it decides them:
   * variables and {@code *} get a sample segment; {@code **} is tried with none and with one.
   */
  static List<String> samples(String policyPattern) {
    String sample = "planeguard-sample";
    StringBuilder sb = new StringBuilder();
    for (String s : policyPattern.substring(1).split("/", -1)) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals("**")) {
        String prefix = sb.length() == 0 ? "/" : sb.toString();
        return List.of(prefix, sb + "/" + sample);
      }
      sb.append('/').append(s.startsWith("{") || s.equals("*") ? sample : s);
    }
    return List.of(sb.length() == 0 ? "/" : sb.toString());
  }

  /** Non-empty segments, splitting on {@code /} outside braces; {@code null} if braces don't pair. */
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

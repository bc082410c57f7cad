package dev.planeguard.jaxrs.internal;

import dev.planeguard.RouteCoverage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Jakarta REST path templates in policy syntax. A policy pattern may be as wide as the runtime's
 * template or wider, never narrower:
 *
 * <ul>
 *   <li>a literal segment stays (if it only has characters that need no encoding);
 *   <li>{@code {name}} stays a one-segment variable (its regular expression is {@code [^/]+});
 *   <li>a segment with a regular expression that cannot match {@code /} ({@code {id: [0-9]+}}), or
 *       with text around a variable ({@code file.{ext}}), becomes {@code *}, and the mapping is
 *       marked widened;
 *   <li>a last segment whose regular expression may match {@code /} ({@code {path: .*}}) becomes
 *       {@code **}, widened; anywhere else such a segment cannot be written as a policy pattern.
 * </ul>
 */
public final class JaxrsPatterns {

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@-]+");
  private static final Pattern POLICY_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private JaxrsPatterns() {}

  /** {@code template} (already joined: application, class and method paths) as a mapping. */
  public static RouteCoverage.PathMapping toMapping(String template) {
    String written = template.isEmpty() ? "/" : template;
    List<String> segments = split(written);
    if (segments == null) {
      return new RouteCoverage.PathMapping(written, null, true);
    }
    StringBuilder sb = new StringBuilder();
    boolean widened = false;
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      boolean last = i == segments.size() - 1;
      String converted;
      if (s.indexOf('{') >= 0) {
        Span span = span(s);
        if (span == Span.INVALID) {
          return new RouteCoverage.PathMapping(written, null, true);
        }
        if (span == Span.SEGMENTS) {
          if (!last) {
            return new RouteCoverage.PathMapping(written, null, true);
          }
          converted = "**";
          widened = true;
        } else {
          String name = s.startsWith("{") && s.endsWith("}") ? plainName(s) : null;
          if (name != null) {
            converted = POLICY_VARIABLE.matcher(name).matches() ? "{" + name + "}" : "*";
          } else {
            converted = "*";
            widened = true;
          }
        }
      } else if (LITERAL.matcher(s).matches() && !s.equals(".") && !s.equals("..")) {
        converted = s;
      } else {
        return new RouteCoverage.PathMapping(written, null, true);
      }
      sb.append('/').append(converted);
    }
    return new RouteCoverage.PathMapping(written, sb.length() == 0 ? "/" : sb.toString(), widened);
  }

  /** How far the variables of one segment reach. */
  private enum Span {
    SEGMENT,
    SEGMENTS,
    INVALID
  }

  /**
   * {@link Span#SEGMENTS} if a variable's regular expression may match {@code /}; the text around
   * variables is literal and never does.
   */
  private static Span span(String segment) {
    Span result = Span.SEGMENT;
    int i = 0;
    while (i < segment.length()) {
      int open = segment.indexOf('{', i);
      if (open < 0) {
        break;
      }
      int close = closing(segment, open);
      if (close < 0) {
        return Span.INVALID;
      }
      String body = segment.substring(open + 1, close);
      int colon = body.indexOf(':');
      if (colon >= 0 && !staysInSegment(body.substring(colon + 1).strip())) {
        result = Span.SEGMENTS;
      }
      i = close + 1;
    }
    return result;
  }

  /** The name of {@code {name}} without a regular expression, or {@code null}. */
  private static @Nullable String plainName(String segment) {
    if (closing(segment, 0) != segment.length() - 1) {
      return null;
    }
    String body = segment.substring(1, segment.length() - 1);
    return body.indexOf(':') >= 0 ? null : body.strip();
  }

  private static int closing(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether a regular expression certainly matches no {@code /}: made only of literal characters,
   * positive bracket classes without {@code /}, the escapes {@code \d \w \. \-}, groups,
   * alternatives and quantifiers. Anything else ({@code .}, {@code [^...]}, {@code \S}, flags, a
   * {@code /}) may match a slash, and counts as reaching over segments.
   */
  static boolean staysInSegment(String regex) {
    if (regex.isEmpty()) {
      return false;
    }
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 >= regex.length()) {
          return false;
        }
        char e = regex.charAt(++i);
        if ("dw.-_".indexOf(e) < 0) {
          return false;
        }
      } else if (c == '/') {
        return false;
      } else if (inClass) {
        if (c == ']') {
          inClass = false;
        } else if (c == '[' || c == '&') {
          return false;
        }
      } else if (c == '[') {
        if (i + 1 < regex.length() && regex.charAt(i + 1) == '^') {
          return false;
        }
        inClass = true;
      } else if (c == '.') {
        return false;
      } else if (c == '(' && i + 1 < regex.length() && regex.charAt(i + 1) == '?') {
        return false;
      }
    }
    return !inClass;
  }

  /**
   * Non-empty segments, splitting on {@code /} outside braces; {@code null} if braces don't pair.
   */
  private static @Nullable List<String> split(String template) {
    List<String> segments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '\\' && depth > 0 && i + 1 < template.length()) {
        current.append(c).append(template.charAt(++i));
        continue;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth < 0) {
        return null;
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

package dev.planeguard.internal;

import dev.planeguard.Detail;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The request firewall: checks the raw method, path and query before any matching, and decodes the
 * path exactly once. Everything it does not positively accept is refused.
 *
 * <p>Path rules: origin form only (starts with {@code /}); at most {@value #MAX_PATH} characters;
 * raw characters limited to RFC 3986 {@code pchar} and {@code /}, minus {@code ;}; no raw {@code
 * \}, control characters, non-ASCII bytes or {@code #}; no encoded {@code /}, {@code \}, {@code .},
 * {@code %} or {@code ;}; no encoded control characters; no empty segment except a single trailing
 * slash; no {@code .} or {@code ..} segment; decoded bytes must be valid UTF-8 without control,
 * format (zero-width) or line/paragraph separator characters.
 *
 * <p>Query rules: no control characters, non-ASCII bytes or {@code #}; escapes well-formed.
 */
public final class RequestFirewall {

  /** Longest raw path accepted. */
  public static final int MAX_PATH = 4096;

  private RequestFirewall() {}

  /**
   * The outcome of a path check: a decoded path, or why the raw path was refused.
   *
   * @param path the decoded path, if accepted
   * @param defect why it was refused, if refused
   */
  public record Checked(@Nullable String path, @Nullable Detail defect) {}

  /** Whether {@code method} is one of the seven accepted methods, in exact case. */
  public static boolean allowedMethod(String method) {
    return RouteTrie.methodIndex(method) >= 0;
  }

  /** Checks and decodes a raw path. */
  public static Checked checkPath(String raw) {
    int n = raw.length();
    if (n == 0 || raw.charAt(0) != '/') {
      return refused(Detail.NOT_ORIGIN_FORM);
    }
    if (n > MAX_PATH) {
      return refused(Detail.TOO_LONG);
    }
    Detail structure = structure(raw);
    if (structure != null) {
      return refused(structure);
    }
    int escapes = 0;
    for (int i = 0; i < n; i++) {
      char c = raw.charAt(i);
      if (c == '/') {
        continue;
      }
      if (c == '%') {
        if (i + 2 >= n || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
          return refused(Detail.BAD_ENCODING);
        }
        Detail d = encodedByte(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
        if (d != null) {
          return refused(d);
        }
        escapes++;
        i += 2;
        continue;
      }
      Detail d = rawPathChar(c);
      if (d != null) {
        return refused(d);
      }
    }
    if (escapes == 0) {
      return new Checked(raw, null);
    }
    String decoded = decode(raw, n - 2 * escapes);
    if (decoded == null) {
      return refused(Detail.BAD_ENCODING);
    }
    for (int i = 0; i < decoded.length(); i++) {
      if (invisible(decoded.charAt(i))) {
        return refused(Detail.CONTROL_CHARACTER);
      }
    }
    return new Checked(decoded, null);
  }

  /** Checks a raw query string; returns why it is refused, or {@code null}. */
  public static @Nullable Detail checkQuery(@Nullable String query) {
    if (query == null) {
      return null;
    }
    int n = query.length();
    for (int i = 0; i < n; i++) {
      char c = query.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Detail.CONTROL_CHARACTER;
      }
      if (c > 0x7f) {
        return Detail.NON_ASCII;
      }
      if (c == '#') {
        return Detail.FRAGMENT;
      }
      if (c == '%') {
        if (i + 2 >= n || hex(query.charAt(i + 1)) < 0 || hex(query.charAt(i + 2)) < 0) {
          return Detail.BAD_ENCODING;
        }
        i += 2;
      }
    }
    return null;
  }

  /**
   * Whether the query has a parameter whose name, decoded once, lower-cased and with {@code -} read
   * as {@code _}, is in {@code normalisedNames}. Assumes {@link #checkQuery} passed.
   */
  public static boolean hasParameter(@Nullable String query, Set<String> normalisedNames) {
    if (query == null || query.isEmpty()) {
      return false;
    }
    int start = 0;
    int n = query.length();
    while (start <= n) {
      int amp = query.indexOf('&', start);
      if (amp < 0) {
        amp = n;
      }
      int eq = query.indexOf('=', start);
      int nameEnd = eq >= 0 && eq < amp ? eq : amp;
      if (nameEnd > start) {
        String name = normaliseParameter(query.substring(start, nameEnd));
        if (normalisedNames.contains(name)) {
          return true;
        }
      }
      start = amp + 1;
    }
    return false;
  }

  /** Decodes a parameter name once ({@code +} is a space), lower-cases it, reads - as _. */
  public static String normaliseParameter(String name) {
    String decoded = name;
    if (name.indexOf('%') >= 0 || name.indexOf('+') >= 0) {
      StringBuilder sb = new StringBuilder(name.length());
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c == '+') {
          sb.append(' ');
        } else if (c == '%'
            && i + 2 < name.length()
            && hex(name.charAt(i + 1)) >= 0
            && hex(name.charAt(i + 2)) >= 0) {
          sb.append((char) (hex(name.charAt(i + 1)) * 16 + hex(name.charAt(i + 2))));
          i += 2;
        } else {
          sb.append(c);
        }
      }
      decoded = sb.toString();
    }
    return decoded.toLowerCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * Segment structure: no empty segment (a single trailing slash excepted) and no {@code .} or
   * {@code ..} segment. Encoded dots are refused separately, so the raw check is enough.
   */
  private static @Nullable Detail structure(String raw) {
    int n = raw.length();
    if (n == 1) {
      return null; // "/"
    }
    int end = raw.charAt(n - 1) == '/' ? n - 1 : n;
    int start = 1;
    while (start <= end) {
      int slash = raw.indexOf('/', start);
      if (slash < 0 || slash > end) {
        slash = end;
      }
      int len = slash - start;
      if (len == 0) {
        return Detail.EMPTY_SEGMENT;
      }
      if (raw.charAt(start) == '.' && (len == 1 || (len == 2 && raw.charAt(start + 1) == '.'))) {
        return Detail.DOT_SEGMENT;
      }
      start = slash + 1;
    }
    return null;
  }

  private static @Nullable Detail rawPathChar(char c) {
    if (c < 0x20 || c == 0x7f) {
      return Detail.CONTROL_CHARACTER;
    }
    if (c > 0x7f) {
      return Detail.NON_ASCII;
    }
    if (c == '\\') {
      return Detail.BACKSLASH;
    }
    if (c == ';') {
      return Detail.SEMICOLON;
    }
    if (c == '#') {
      return Detail.FRAGMENT;
    }
    // RFC 3986 pchar: unreserved / sub-delims / ":" / "@"  (";" handled above)
    boolean pchar =
        (c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
    return pchar ? null : Detail.DISALLOWED_CHARACTER;
  }

  private static @Nullable Detail encodedByte(int b) {
    return switch (b) {
      case '/', '\\' -> Detail.ENCODED_SLASH;
      case '.' -> Detail.ENCODED_DOT;
      case '%' -> Detail.ENCODED_PERCENT;
      case ';' -> Detail.ENCODED_SEMICOLON;
      default -> b < 0x20 || b == 0x7f ? Detail.CONTROL_CHARACTER : null;
    };
  }

  private static boolean invisible(char c) {
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static @Nullable String decode(String raw, int byteCount) {
    byte[] bytes = new byte[byteCount];
    int j = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        bytes[j++] = (byte) (hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
        i += 2;
      } else {
        bytes[j++] = (byte) c;
      }
    }
    return Text.utf8(bytes);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static Checked refused(Detail detail) {
    return new Checked(null, detail);
  }
}

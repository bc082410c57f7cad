package dev.planeguard.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * A strict RFC 8259 JSON validator for the header and payload of a JWT, run before any JSON
 * library sees them. It refuses what a lenient parser would quietly resolve:
 *
 * <ul>
 *   <li>a member name repeated in the same object, at any depth (Gson, as shaded in Nimbus,
 *       refuses duplicates only at the top level and keeps the last one in nested objects);
 *   <li>nesting deeper than {@link #MAX_DEPTH} objects and arrays;
 *   <li>anything outside the grammar: comments, single quotes, unquoted names, trailing commas,
 *       {@code NaN}, leading zeros, raw control characters in strings, trailing content.
 * </ul>
 *
 * <p>The top-level value must be an object. The validator allocates one small set per object for
 * duplicate detection and never recurses deeper than {@link #MAX_DEPTH}.
 */
public final class StrictJson {

  /** Deepest nesting accepted: the top-level object counts as 1. */
  public static final int MAX_DEPTH = 16;

  private final String s;
  private int i;

  private StrictJson(String s) {
    this.s = s;
  }

  /** Whether {@code json} is a single JSON object that passes every rule above. */
  public static boolean isStrictObject(String json) {
    StrictJson p = new StrictJson(json);
    try {
      p.ws();
      if (!p.peek('{')) {
        return false;
      }
      p.object(1);
      p.ws();
      return p.i == json.length();
    } catch (Invalid e) {
      return false;
    }
  }

  private void value(int depth) {
    if (i >= s.length()) {
      throw Invalid.INSTANCE;
    }
    char c = s.charAt(i);
    switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    }
  }

  private void object(int depth) {
    if (depth > MAX_DEPTH) {
      throw Invalid.INSTANCE;
    }
    i++; // '{'
    ws();
    if (peek('}')) {
      i++;
      return;
    }
    Set<String> names = new HashSet<>();
    while (true) {
      ws();
      if (!peek('"')) {
        throw Invalid.INSTANCE;
      }
      if (!names.add(string())) {
        throw Invalid.INSTANCE;
      }
      ws();
      expect(':');
      ws();
      value(depth);
      ws();
      if (peek(',')) {
        i++;
        continue;
      }
      expect('}');
      return;
    }
  }

  private void array(int depth) {
    if (depth > MAX_DEPTH) {
      throw Invalid.INSTANCE;
    }
    i++; // '['
    ws();
    if (peek(']')) {
      i++;
      return;
    }
    while (true) {
      ws();
      value(depth);
      ws();
      if (peek(',')) {
        i++;
        continue;
      }
      expect(']');
      return;
    }
  }

  /** Reads a string at {@code i} (which is a quote) and returns its decoded value. */
  private String string() {
    i++; // opening quote
    StringBuilder sb = null;
    int start = i;
    while (true) {
      if (i >= s.length()) {
        throw Invalid.INSTANCE;
      }
      char c = s.charAt(i);
      if (c == '"') {
        String value = sb == null ? s.substring(start, i) : sb.append(s, start, i).toString();
        i++;
        return value;
      }
      if (c < 0x20) {
        throw Invalid.INSTANCE;
      }
      if (c != '\\') {
        i++;
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder();
      }
      sb.append(s, start, i);
      i++;
      if (i >= s.length()) {
        throw Invalid.INSTANCE;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"' -> sb.append('"');
        case '\\' -> sb.append('\\');
        case '/' -> sb.append('/');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw Invalid.INSTANCE;
          }
          int code = 0;
          for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0) {
              throw Invalid.INSTANCE;
            }
            code = code * 16 + d;
          }
          i += 4;
          sb.append((char) code);
        }
        default -> throw Invalid.INSTANCE;
      }
      start = i;
    }
  }

  private void number() {
    int start = i;
    if (peek('-')) {
      i++;
    }
    if (peek('0')) {
      i++;
    } else if (digit()) {
      while (digit()) {
        i++;
      }
    } else {
      throw Invalid.INSTANCE;
    }
    if (peek('.')) {
      i++;
      if (!digit()) {
        throw Invalid.INSTANCE;
      }
      while (digit()) {
        i++;
      }
    }
    if (peek('e') || peek('E')) {
      i++;
      if (peek('+') || peek('-')) {
        i++;
      }
      if (!digit()) {
        throw Invalid.INSTANCE;
      }
      while (digit()) {
        i++;
      }
    }
    if (i == start) {
      throw Invalid.INSTANCE;
    }
  }

  private boolean digit() {
    return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
  }

  private void literal(String word) {
    if (!s.startsWith(word, i)) {
      throw Invalid.INSTANCE;
    }
    i += word.length();
  }

  private void ws() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  private boolean peek(char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw Invalid.INSTANCE;
    }
    i++;
  }

  /** Thrown inside the validator only; never escapes. Preallocated, without a stack trace. */
  private static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings("StaticAssignmentOfThrowable") // stackless, immutable, never escapes
    static final Invalid INSTANCE = new Invalid();

    private Invalid() {
      super(null, null, false, false);
    }
  }
}

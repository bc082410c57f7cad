package dev.planeguard.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict RFC 8259 JSON parser for the header and payload of a JWT: the only parser that reads
 * them, so what is checked is exactly what is used. It refuses what a lenient parser would quietly
 * resolve:
 *
 * <ul>
 *   <li>a member name repeated in the same object, at any depth (Gson, as shaded in Nimbus, refuses
 *       duplicates only at the top level and keeps the last one in nested objects);
 *   <li>nesting deeper than {@link #MAX_DEPTH} objects and arrays;
 *   <li>anything outside the grammar: comments, single quotes, unquoted names, trailing commas,
 *       {@code NaN}, leading zeros, raw control characters in strings, trailing content;
 *   <li>a number too large for a {@code double} ({@code 1e400}).
 * </ul>
 *
 * <p>The top-level value must be an object. Values are typed as Nimbus's own parser types them
 * (Gson with {@code ToNumberPolicy.LONG_OR_DOUBLE}), so code written against Nimbus's claim maps
 * reads these the same way: objects are maps in document order, arrays lists, strings {@link
 * String}, {@code true}/{@code false} {@link Boolean}, {@code null} a null value; a number is a
 * {@link Long} when its literal has no fraction or exponent and fits, otherwise a {@link Double}.
 * Every map and list returned, at every depth, is unmodifiable. The parser never recurses deeper
 * than {@link #MAX_DEPTH}.
 */
public final class StrictJson {

  /** Deepest nesting accepted: the top-level object counts as 1. */
  public static final int MAX_DEPTH = 16;

  private final String s;
  private int i;

  private StrictJson(String s) {
    this.s = s;
  }

  /**
   * The members of {@code json}, if it is a single JSON object that passes every rule above;
   * otherwise {@code null}. The map and everything in it are unmodifiable.
   */
  public static @Nullable Map<String, @Nullable Object> parseObject(String json) {
    StrictJson p = new StrictJson(json);
    try {
      p.ws();
      if (!p.peek('{')) {
        return null;
      }
      Map<String, @Nullable Object> object = p.object(1);
      p.ws();
      return p.i == json.length() ? object : null;
    } catch (Invalid e) {
      return null;
    }
  }

  /** Whether {@code json} is a single JSON object that passes every rule above. */
  public static boolean isStrictObject(String json) {
    return parseObject(json) != null;
  }

  private @Nullable Object value(int depth) {
    if (i >= s.length()) {
      throw Invalid.INSTANCE;
    }
    char c = s.charAt(i);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", true);
      case 'f' -> literal("false", false);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, @Nullable Object> object(int depth) {
    if (depth > MAX_DEPTH) {
      throw Invalid.INSTANCE;
    }
    i++; // '{'
    ws();
    if (peek('}')) {
      i++;
      return Collections.emptyMap();
    }
    Map<String, @Nullable Object> members = new LinkedHashMap<>();
    while (true) {
      ws();
      if (!peek('"')) {
        throw Invalid.INSTANCE;
      }
      String name = string();
      if (members.containsKey(name)) {
        throw Invalid.INSTANCE;
      }
      ws();
      expect(':');
      ws();
      members.put(name, value(depth));
      ws();
      if (peek(',')) {
        i++;
        continue;
      }
      expect('}');
      return Collections.unmodifiableMap(members);
    }
  }

  private List<@Nullable Object> array(int depth) {
    if (depth > MAX_DEPTH) {
      throw Invalid.INSTANCE;
    }
    i++; // '['
    ws();
    if (peek(']')) {
      i++;
      return Collections.emptyList();
    }
    List<@Nullable Object> elements = new ArrayList<>();
    while (true) {
      ws();
      elements.add(value(depth));
      ws();
      if (peek(',')) {
        i++;
        continue;
      }
      expect(']');
      return Collections.unmodifiableList(elements);
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

  /**
   * Reads a number at {@code i}: a {@link Long} when the literal has no fraction or exponent and
   * fits, otherwise a finite {@link Double} (as Gson's {@code LONG_OR_DOUBLE}).
   */
  private Number number() {
    int start = i;
    boolean integral = true;
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
      integral = false;
      i++;
      if (!digit()) {
        throw Invalid.INSTANCE;
      }
      while (digit()) {
        i++;
      }
    }
    if (peek('e') || peek('E')) {
      integral = false;
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
    String literal = s.substring(start, i);
    if (integral && fitsInLong(literal)) {
      return Long.parseLong(literal);
    }
    double d = Double.parseDouble(literal);
    if (Double.isInfinite(d)) {
      throw Invalid.INSTANCE;
    }
    return d;
  }

  /**
   * Whether an integer literal (an optional minus sign, then digits without a leading zero) is
   * within the range of a long, decided without parsing: a hostile payload of many huge numbers
   * must not cost an exception each.
   */
  static boolean fitsInLong(String literal) {
    boolean negative = literal.charAt(0) == '-';
    int digits = literal.length() - (negative ? 1 : 0);
    if (digits != 19) {
      return digits < 19;
    }
    String limit = negative ? "9223372036854775808" : "9223372036854775807";
    return literal.substring(negative ? 1 : 0).compareTo(limit) <= 0;
  }

  private boolean digit() {
    return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
  }

  private @Nullable Object literal(String word, @Nullable Object value) {
    if (!s.startsWith(word, i)) {
      throw Invalid.INSTANCE;
    }
    i += word.length();
    return value;
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

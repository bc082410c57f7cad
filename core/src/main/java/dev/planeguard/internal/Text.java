package dev.planeguard.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Escaping of values an attacker or an operator controls, before they reach a log line or an error
 * message. Output is printable ASCII only and capped in length.
 */
public final class Text {

  private Text() {}

  /**
   * Escapes {@code value} to printable ASCII and caps it at {@code max} characters of input, adding
   * {@code ...(+N)} when cut. Quotes, backslashes, control and non-ASCII characters are escaped as
   * {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX}.
   */
  public static String escape(CharSequence value, int max) {
    int n = value.length();
    int limit = Math.min(n, max);
    StringBuilder sb = null;
    for (int i = 0; i < limit; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        if (sb == null) {
          sb = new StringBuilder(limit + 16).append(value, 0, i);
        }
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> sb.append(String.format("\\u%04x", (int) c));
        }
      } else if (sb != null) {
        sb.append(c);
      }
    }
    if (n > limit) {
      if (sb == null) {
        sb = new StringBuilder(limit + 16).append(value, 0, limit);
      }
      sb.append("...(+").append(n - limit).append(')');
    }
    return sb == null ? value.toString() : sb.toString();
  }

  /**
   * {@link #escape} wrapped in double quotes, for values shown in messages. Anything shaped like a
   * key or token is {@linkplain Redaction#redact redacted} first, so a credential pasted into the
   * wrong place is not echoed back, not even cut short.
   */
  public static String quote(CharSequence value, int max) {
    return '"' + escape(Redaction.redact(value.toString()), max) + '"';
  }

  /**
   * Describes a throwable for a log line without its message, which may hold request data: the
   * class names of it and its causes, and where it was thrown.
   */
  public static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Throwable cur = t;
    for (int depth = 0; cur != null && depth < 5; depth++, cur = cur.getCause()) {
      if (depth > 0) {
        sb.append(" caused by ");
      }
      sb.append(cur.getClass().getName());
      StackTraceElement[] trace = cur.getStackTrace();
      if (trace.length > 0) {
        sb.append(" at ").append(trace[0]);
      }
    }
    return sb.toString();
  }

  /**
   * Decodes UTF-8 strictly: malformed input gives {@code null}, never a replacement character.
   * ASCII, the usual case, is decoded without a charset decoder.
   */
  public static @Nullable String utf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}

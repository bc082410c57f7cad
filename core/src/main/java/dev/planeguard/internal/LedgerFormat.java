package dev.planeguard.internal;

import dev.planeguard.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The audit ledger's line format: one JSON object per line, members in a fixed order, nulls left
 * out. Each line starts with its sequence number and the SHA-256 (hex) of the previous line's bytes
 * (without its newline); the first line of a chain names {@link #GENESIS}. Strings are escaped to
 * printable ASCII and anything shaped like a key or token is redacted, so a line is exactly its
 * ASCII bytes, never contains a raw newline and never a credential.
 */
public final class LedgerFormat {

  /** The {@code prev} of the first entry of a chain: 64 zeros. */
  public static final String GENESIS = "0".repeat(64);

  /** Longest line accepted when reading: longer lines are not ledger entries. */
  public static final int MAX_LINE = 64 * 1024;

  private static final HexFormat HEX = HexFormat.of();
  private static final MessageDigest SHA256_PROTOTYPE = sha256();

  private LedgerFormat() {}

  /** The {@code seq} of an entry's line, or {@code null} if the line is too long or no entry. */
  public static @Nullable Long seqOf(String line) {
    if (line.length() > MAX_LINE) {
      return null;
    }
    Map<String, @Nullable Object> entry = StrictJson.parseObject(line);
    return entry != null && entry.get("seq") instanceof Long s ? s : null;
  }

  /** The SHA-256 of {@code line}'s bytes, in lower-case hex. */
  public static String hash(byte[] line) {
    return HEX.formatHex(digest().digest(line));
  }

  /** The SHA-256 of {@code line}'s bytes, in lower-case hex. */
  public static String hash(String line) {
    return hash(line.getBytes(StandardCharsets.UTF_8));
  }

  /** A fresh SHA-256 digest (cloned from a prototype: no provider lookup). */
  public static MessageDigest digest() {
    try {
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return sha256();
    }
  }

  /** Lower-case hex of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * The sequence number at the start of a line this class wrote ({@code {"seq":N,...}}), read
   * without parsing the rest.
   *
   * @throws IllegalArgumentException if the line does not start that way
   */
  public static long seq(String line) {
    String prefix = "{\"seq\":";
    if (!line.startsWith(prefix)) {
      throw new IllegalArgumentException("not a ledger line");
    }
    long seq = 0;
    int i = prefix.length();
    int end = Math.min(line.length(), i + 18);
    for (; i < end && line.charAt(i) >= '0' && line.charAt(i) <= '9'; i++) {
      seq = seq * 10 + (line.charAt(i) - '0');
    }
    if (i == prefix.length() || i >= line.length() || line.charAt(i) != ',') {
      throw new IllegalArgumentException("not a ledger line");
    }
    return seq;
  }

  /** The line of a decision: {@code type} {@code decision}. */
  public static String decision(long seq, String prev, @Nullable String node, AuditEvent e) {
    Line l = new Line(seq, prev, e.time(), node, "decision");
    l.known("mode", e.mode().id());
    l.known("decision", e.allowed() ? "allow" : "deny");
    l.known("reason", e.reason().name());
    l.known("detail", e.detail() == null ? null : e.detail().name());
    l.bool("violation", e.violation());
    l.known("plane", e.plane() == null ? null : e.plane().id());
    l.known("method", e.method());
    l.known("route", e.route());
    l.text("path", e.path());
    l.knownList("carriers", e.carriers());
    l.text("principal", e.principalId());
    l.text("tenant", e.tenant());
    l.known("key_id", e.keyId());
    l.text("request_id", e.requestId());
    l.number("duration_us", e.durationNanos() / 1000);
    if (e.responseStatus() > 0) {
      l.number("status", e.responseStatus());
    }
    if (e.handlingNanos() >= 0) {
      l.number("handling_us", e.handlingNanos() / 1000);
    }
    l.object("attributes", e.attributes());
    return l.end();
  }

  /**
   * The line of a key event: {@code type} is the event ({@code KEY_CREATED}, {@code KEY_ROTATED},
   * {@code KEY_REVOKED}, {@code KEY_EXPIRED}); {@code fields} are its attributes in order, string
   * values or string lists, nulls left out.
   */
  public static String keyEvent(
      long seq,
      String prev,
      @Nullable String node,
      Instant time,
      String type,
      Map<String, @Nullable Object> fields) {
    Line l = new Line(seq, prev, time, node, type);
    for (Map.Entry<String, @Nullable Object> f : fields.entrySet()) {
      Object v = f.getValue();
      if (v instanceof List<?> list) {
        l.list(f.getKey(), list.stream().map(String::valueOf).toList());
      } else if (v instanceof Boolean b) {
        l.bool(f.getKey(), b);
      } else if (v instanceof Long n) {
        l.number(f.getKey(), n);
      } else {
        l.text(f.getKey(), v == null ? null : String.valueOf(v));
      }
    }
    return l.end();
  }

  /** Writes one line, members in call order. */
  private static final class Line {
    private final StringBuilder sb = new StringBuilder(384);

    Line(long seq, String prev, Instant time, @Nullable String node, String type) {
      sb.append("{\"seq\":").append(seq).append(",\"prev\":\"").append(prev).append('"');
      sb.append(",\"time\":\"");
      DateTimeFormatter.ISO_INSTANT.formatTo(time, sb);
      sb.append('"');
      known("node", node);
      known("type", type);
    }

    /** A value that may hold anything: redacted and escaped. */
    void text(String name, @Nullable String value) {
      if (value != null) {
        sb.append(",\"").append(name).append("\":");
        string(value);
      }
    }

    /**
     * A value from a closed set or the service's own configuration (a reason, a mode, a route
     * pattern, a header name, a key id): escaped only. The redaction scan per value is most of what
     * a line costs.
     */
    void known(String name, @Nullable String value) {
      if (value != null) {
        sb.append(",\"").append(name).append("\":\"").append(Text.escape(value, 4096)).append('"');
      }
    }

    void knownList(String name, List<String> values) {
      if (values.isEmpty()) {
        return;
      }
      sb.append(",\"").append(name).append("\":[");
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append('"').append(Text.escape(values.get(i), 4096)).append('"');
      }
      sb.append(']');
    }

    void bool(String name, boolean value) {
      sb.append(",\"").append(name).append("\":").append(value);
    }

    void number(String name, long value) {
      sb.append(",\"").append(name).append("\":").append(value);
    }

    /** A flat object of text, whole-number and boolean values; nothing if empty. */
    void object(String name, Map<String, Object> values) {
      if (values.isEmpty()) {
        return;
      }
      sb.append(",\"").append(name).append("\":{");
      boolean first = true;
      for (Map.Entry<String, Object> e : values.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(e.getKey());
        sb.append(':');
        Object v = e.getValue();
        if (v instanceof Long || v instanceof Integer || v instanceof Boolean) {
          sb.append(v);
        } else {
          string(String.valueOf(v));
        }
      }
      sb.append('}');
    }

    void list(String name, List<String> values) {
      if (values.isEmpty()) {
        return;
      }
      sb.append(",\"").append(name).append("\":[");
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        string(values.get(i));
      }
      sb.append(']');
    }

    // Redacted again although every value was sanitized when its event was made: a ledger must not
    // hold a credential even if a custom event builder forgot to.
    private void string(String value) {
      sb.append('"').append(Text.escape(Redaction.redact(value), 4096)).append('"');
    }

    String end() {
      return sb.append('}').toString();
    }
  }
}

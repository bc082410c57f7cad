package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One entry of an audit ledger as read back by {@link AuditLedger#scan}: a decision ({@link
 * #type()} {@code decision}) or a key event ({@code KEY_CREATED}, {@code KEY_ROTATED}, {@code
 * KEY_REVOKED}, {@code KEY_EXPIRED}). The members are those of the JSON line; see the audit
 * documentation for the list.
 */
public final class LedgerEntry {

  private final String location;
  private final String line;
  private final Map<String, @Nullable Object> members;
  private final long seq;
  private final String type;
  private final @Nullable Instant time;

  LedgerEntry(String location, String line, Map<String, @Nullable Object> members) {
    this.location = requireNonNull(location);
    this.line = requireNonNull(line);
    this.members = requireNonNull(members);
    this.seq = members.get("seq") instanceof Long s ? s : -1;
    this.type = members.get("type") instanceof String t ? t : "";
    Instant parsed = null;
    if (members.get("time") instanceof String t) {
      try {
        parsed = Instant.parse(t);
      } catch (DateTimeParseException e) {
        parsed = null;
      }
    }
    this.time = parsed;
  }

  /** The entry's sequence number in its chain. */
  public long seq() {
    return seq;
  }

  /** {@code decision} or the key event's name. */
  public String type() {
    return type;
  }

  /** When the decision or key event happened, or {@code null} if the entry has no valid time. */
  public @Nullable Instant time() {
    return time;
  }

  /** Where the entry is: file and line number, or table and row. */
  public String location() {
    return location;
  }

  /** The entry exactly as stored (one JSON object, printable ASCII). */
  public String line() {
    return line;
  }

  /** A string member ({@code reason}, {@code key_id}, {@code tenant}, …), or {@code null}. */
  public @Nullable String text(String name) {
    return members.get(name) instanceof String s ? s : null;
  }

  /** A whole-number member ({@code duration_us}, …), or {@code null}. */
  public @Nullable Long number(String name) {
    return members.get(name) instanceof Long n ? n : null;
  }

  /** A string-list member ({@code carriers}, {@code scopes}), empty if absent. */
  public List<String> texts(String name) {
    if (members.get(name) instanceof List<?> list) {
      return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  /**
   * What the application recorded for an allowed request ({@code attributes}: text, whole-number
   * and boolean values by name), empty if nothing.
   */
  public Map<String, Object> attributes() {
    if (!(members.get("attributes") instanceof Map<?, ?> m)) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (k instanceof String name && v != null) {
            out.put(name, v);
          }
        });
    return Collections.unmodifiableMap(out);
  }

  /** Whether this entry records a decision that allowed the request. */
  public boolean allowed() {
    return "allow".equals(text("decision"));
  }

  @Override
  public String toString() {
    return "LedgerEntry{" + location + ", seq=" + seq + ", " + type + "}";
  }
}

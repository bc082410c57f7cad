package dev.planeguard.internal;

import dev.planeguard.keys.KeyRecord;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifecycle audit events — {@code KEY_CREATED}, {@code KEY_ROTATED}, {@code KEY_REVOKED} — as one
 * INFO line of {@code key=value} pairs on the SLF4J logger {@code planeguard.audit}, beside the
 * decision events. They name keys by id; a key or hash never appears.
 */
public final class KeyAudit {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.audit");

  private KeyAudit() {}

  /** {@code event=KEY_CREATED}, with the new record's attributes. */
  public static void created(KeyRecord r, @Nullable String rotatedFrom, Instant time) {
    StringBuilder sb = new StringBuilder(192).append("event=KEY_CREATED key_id=").append(r.id());
    sb.append(" kind=").append(r.kind().code());
    sb.append(" mode=").append(r.mode().id());
    sb.append(" legacy=").append(r.legacy());
    quoted(sb, " tenant=", r.tenant());
    quoted(sb, " scopes=", r.scopes().isEmpty() ? null : String.join(",", r.scopes()));
    sb.append(" not_after=").append(r.notAfter() == null ? "-" : r.notAfter());
    sb.append(" rotated_from=").append(rotatedFrom == null ? "-" : rotatedFrom);
    sb.append(" time=").append(time);
    LOG.info(sb.toString());
  }

  /** {@code event=KEY_ROTATED}: the old key, its successor and when the old key stops working. */
  public static void rotated(KeyRecord old, KeyRecord successor, Instant time) {
    LOG.info(
        "event=KEY_ROTATED key_id={} successor_id={} not_after={} time={}",
        old.id(),
        successor.id(),
        old.notAfter(),
        time);
  }

  /** {@code event=KEY_REVOKED}. */
  public static void revoked(KeyRecord r, Instant time) {
    LOG.info("event=KEY_REVOKED key_id={} time={}", r.id(), time);
  }

  private static void quoted(StringBuilder sb, String key, @Nullable String value) {
    sb.append(key);
    if (value == null) {
      sb.append('-');
    } else {
      sb.append('"').append(Text.escape(value, 256)).append('"');
    }
  }
}

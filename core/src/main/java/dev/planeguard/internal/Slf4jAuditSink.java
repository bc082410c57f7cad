package dev.planeguard.internal;

import dev.planeguard.AuditEvent;
import dev.planeguard.AuditSink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events to the SLF4J logger {@code planeguard.audit} as key=value pairs: violations
 * at WARN, other denials at INFO, allows at INFO in preprod and prod (every decision leaves a trace
 * there) and at DEBUG in local and test. Values are escaped; the event already holds no credential.
 */
public final class Slf4jAuditSink implements AuditSink {

  /** The one instance. */
  public static final Slf4jAuditSink INSTANCE = new Slf4jAuditSink();

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.audit");

  private Slf4jAuditSink() {}

  @Override
  public void record(AuditEvent e) {
    if (e.violation()) {
      if (LOG.isWarnEnabled()) {
        LOG.warn(format(e));
      }
    } else if (!e.allowed() || e.mode().isProductionLike()) {
      if (LOG.isInfoEnabled()) {
        LOG.info(format(e));
      }
    } else if (LOG.isDebugEnabled()) {
      LOG.debug(format(e));
    }
  }

  /** The key=value line for {@code e}. */
  public static String format(AuditEvent e) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("decision=").append(e.allowed() ? "allow" : "deny");
    sb.append(" reason=").append(e.reason());
    sb.append(" detail=").append(e.detail() == null ? "-" : e.detail());
    sb.append(" violation=").append(e.violation());
    sb.append(" mode=").append(e.mode().id());
    sb.append(" plane=").append(e.plane() == null ? "-" : e.plane().id());
    sb.append(" method=").append(Text.escape(e.method(), 16));
    quoted(sb, " route=", e.route());
    quoted(sb, " path=", e.path());
    sb.append(" carriers=").append(e.carriers().isEmpty() ? "-" : String.join(",", e.carriers()));
    quoted(sb, " principal=", e.principalId());
    quoted(sb, " tenant=", e.tenant());
    quoted(sb, " key_id=", e.keyId());
    quoted(sb, " request_id=", e.requestId());
    sb.append(" duration_us=").append(e.durationNanos() / 1000);
    sb.append(" time=").append(e.time());
    return sb.toString();
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

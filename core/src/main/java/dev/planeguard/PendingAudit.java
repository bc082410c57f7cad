package dev.planeguard;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The audit event of an allow made by {@link Enforcer#admit}, waiting for the response: recorded
 * once by {@link #finish}, or given up by {@link #cancel} when the request is recorded otherwise (a
 * refusal at dispatch). Either way only once.
 */
final class PendingAudit {

  private final Enforcer enforcer;
  private final InboundRequest request;
  private final int carriers;
  private final boolean reserved;
  private final Instant time;
  private final long decidedAt;
  private final long durationNanos;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile @Nullable AuditAttributes attributes;

  PendingAudit(
      Enforcer enforcer, InboundRequest request, int carriers, boolean reserved, long started) {
    this.enforcer = enforcer;
    this.request = request;
    this.carriers = carriers;
    this.reserved = reserved;
    this.time = enforcer.now();
    this.decidedAt = enforcer.nanoTime();
    this.durationNanos = decidedAt - started;
  }

  /** The request's attributes, made on first use: most requests set none. */
  AuditAttributes attributes() {
    AuditAttributes a = attributes;
    if (a == null) {
      synchronized (this) {
        a = attributes;
        if (a == null) {
          a = new AuditAttributes();
          attributes = a;
        }
      }
    }
    return a;
  }

  void finish(Decision decision, int responseStatus) {
    if (done.compareAndSet(false, true)) {
      AuditAttributes a = attributes;
      Map<String, Object> recorded = a == null ? Map.of() : a.asMap();
      enforcer.audit(
          request,
          decision,
          carriers,
          reserved,
          time,
          durationNanos,
          responseStatus,
          enforcer.nanoTime() - decidedAt,
          recorded);
      enforcer.charge(decision, recorded);
    }
  }

  void cancel() {
    if (done.compareAndSet(false, true) && reserved) {
      enforcer.releaseReservation();
    }
  }
}

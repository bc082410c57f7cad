package dev.planeguard;

/**
 * Receives one {@link AuditEvent} per decision. The default sink writes to the SLF4J logger {@code
 * planeguard.audit}: violations at WARN with {@code violation=true}, other denials at INFO, allows
 * at INFO in preprod and prod and at DEBUG in local and test. A sink that throws does not change
 * the decision; the failure is logged. For a durable, tamper-evident record of every decision, see
 * {@link AuditLedger}.
 */
@FunctionalInterface
public interface AuditSink {

  /** Records {@code event}. Called on the request thread: keep it fast. */
  void record(AuditEvent event);

  /**
   * The default sink: SLF4J logger {@code planeguard.audit}, key=value pairs; allows at INFO in
   * preprod and prod, at DEBUG in local and test.
   */
  static AuditSink slf4j() {
    return dev.planeguard.internal.Slf4jAuditSink.INSTANCE;
  }

  /** A sink that drops every event. */
  static AuditSink none() {
    return event -> {};
  }
}

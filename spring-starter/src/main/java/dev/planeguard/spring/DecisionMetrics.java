package dev.planeguard.spring;

import dev.planeguard.AuditEvent;
import dev.planeguard.AuditSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counter {@value #NAME}, tagged {@code plane} (human, machine, none), {@code outcome} (allow,
 * deny) and {@code reason} (the reason code). Tags come from closed sets: nothing from the request
 * reaches a metric.
 */
final class DecisionMetrics implements AuditSink {

  static final String NAME = "planeguard.decisions";

  private final Meter.MeterProvider<Counter> counters;

  DecisionMetrics(MeterRegistry registry) {
    this.counters =
        Counter.builder(NAME)
            .description("planeguard decisions by plane, outcome and reason")
            .withRegistry(registry);
  }

  @Override
  public void record(AuditEvent event) {
    counters
        .withTags(
            "plane", event.plane() == null ? "none" : event.plane().id(),
            "outcome", event.allowed() ? "allow" : "deny",
            "reason", event.reason().name())
        .increment();
  }
}

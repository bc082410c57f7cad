package dev.planeguard.spring;

import dev.planeguard.AuditEvent;
import dev.planeguard.AuditSink;
import dev.planeguard.Plane;
import dev.planeguard.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counter {@value #NAME}, tagged {@code plane} (human, machine, none), {@code outcome} (allow,
 * deny) and {@code reason} (the reason code). Tags come from closed sets: nothing from the request
 * reaches a metric.
 *
 * <p>Each counter is looked up in the registry once and kept: building tags and finding the meter
 * on every request cost more than the rest of the decision.
 */
final class DecisionMetrics implements AuditSink {

  static final String NAME = "planeguard.decisions";

  private static final int PLANES = Plane.values().length + 1;
  private static final int REASONS = Reason.values().length;

  private final Meter.MeterProvider<Counter> counters;
  private final AtomicReferenceArray<Counter> known =
      new AtomicReferenceArray<>(PLANES * 2 * REASONS);

  DecisionMetrics(MeterRegistry registry) {
    this.counters =
        Counter.builder(NAME)
            .description("planeguard decisions by plane, outcome and reason")
            .withRegistry(registry);
  }

  @Override
  public void record(AuditEvent event) {
    Plane plane = event.plane();
    int slot =
        ((plane == null ? PLANES - 1 : plane.ordinal()) * 2 + (event.allowed() ? 1 : 0)) * REASONS
            + event.reason().ordinal();
    Counter counter = known.get(slot);
    if (counter == null) {
      // The registry hands out one counter per tag set, so a race stores the same instance.
      counter =
          counters.withTags(
              "plane", plane == null ? "none" : plane.id(),
              "outcome", event.allowed() ? "allow" : "deny",
              "reason", event.reason().name());
      known.set(slot, counter);
    }
    counter.increment();
  }
}

package dev.planeguard.spring;

import static java.util.Objects.requireNonNull;

import dev.planeguard.AuditEvent;
import dev.planeguard.AuditSink;
import dev.planeguard.Plane;
import dev.planeguard.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
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

  // Slots per reason: (plane or none) x (deny, allow).
  private static final int SLOTS = (Plane.values().length + 1) * 2;

  private final Meter.MeterProvider<Counter> counters;
  private final Map<Reason, AtomicReferenceArray<Counter>> known = new EnumMap<>(Reason.class);
  private final Map<Plane, Integer> planeIndex = new EnumMap<>(Plane.class);

  DecisionMetrics(MeterRegistry registry) {
    for (Reason reason : Reason.values()) {
      known.put(reason, new AtomicReferenceArray<>(SLOTS));
    }
    int i = 1;
    for (Plane plane : Plane.values()) {
      planeIndex.put(plane, i++);
    }
    this.counters =
        Counter.builder(NAME)
            .description("planeguard decisions by plane, outcome and reason")
            .withRegistry(registry);
  }

  @Override
  public void record(AuditEvent event) {
    Plane plane = event.plane();
    AtomicReferenceArray<Counter> slots = requireNonNull(known.get(event.reason()));
    int slot =
        (plane == null ? 0 : requireNonNull(planeIndex.get(plane))) * 2 + (event.allowed() ? 1 : 0);
    Counter counter = slots.get(slot);
    if (counter == null) {
      // The registry hands out one counter per tag set, so a race stores the same instance.
      counter =
          counters.withTags(
              "plane", plane == null ? "none" : plane.id(),
              "outcome", event.allowed() ? "allow" : "deny",
              "reason", event.reason().name());
      slots.set(slot, counter);
    }
    counter.increment();
  }
}

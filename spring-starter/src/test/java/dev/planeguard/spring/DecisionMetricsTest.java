package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditEvent;
import dev.planeguard.Mode;
import dev.planeguard.Plane;
import dev.planeguard.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Counter planeguard.decisions: one count per decision, tagged by plane, outcome and reason. */
class DecisionMetricsTest {

  static AuditEvent event(@Nullable Plane plane, boolean allowed, Reason reason) {
    return AuditEvent.builder()
        .time(Instant.EPOCH)
        .mode(Mode.PROD)
        .method("GET")
        .path("/x")
        .plane(plane)
        .outcome(allowed, reason, null)
        .build();
  }

  @Test
  void everyDecisionCountsOnceUnderItsTags() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DecisionMetrics metrics = new DecisionMetrics(registry);
    for (int i = 0; i < 3; i++) {
      metrics.record(event(Plane.MACHINE, true, Reason.AUTHENTICATED));
    }
    metrics.record(event(Plane.HUMAN, false, Reason.MISSING_CREDENTIAL));
    metrics.record(event(null, false, Reason.UNMAPPED_ROUTE));
    metrics.record(event(null, true, Reason.PUBLIC));

    assertThat(count(registry, "machine", "allow", "AUTHENTICATED")).isEqualTo(3.0);
    assertThat(count(registry, "human", "deny", "MISSING_CREDENTIAL")).isEqualTo(1.0);
    assertThat(count(registry, "none", "deny", "UNMAPPED_ROUTE")).isEqualTo(1.0);
    assertThat(count(registry, "none", "allow", "PUBLIC")).isEqualTo(1.0);
    assertThat(registry.find(DecisionMetrics.NAME).counters()).hasSize(4);
  }

  static double count(SimpleMeterRegistry registry, String plane, String outcome, String reason) {
    return registry
        .get(DecisionMetrics.NAME)
        .tags("plane", plane, "outcome", outcome, "reason", reason)
        .counter()
        .count();
  }
}

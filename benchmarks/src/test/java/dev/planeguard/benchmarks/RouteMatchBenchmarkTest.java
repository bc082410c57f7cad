package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark measures what its name says: a real match, for every policy size. */
class RouteMatchBenchmarkTest {

  @Test
  void everySizeMatchesTheIntendedRule() {
    for (int rules : new int[] {10, 1000, 10000}) {
      RouteMatchBenchmark b = new RouteMatchBenchmark();
      b.rules = rules;
      b.setUp();
      assertThat(b.policy.rules()).hasSize(rules);
      assertThat(b.routeMatch()).isNotNull();
      assertThat(b.routeMatch().pattern())
          .isEqualTo("/api/v1/svc" + ((rules - 1) % 50) + "/res" + (rules - 1) + "/{id}/**");
    }
  }
}

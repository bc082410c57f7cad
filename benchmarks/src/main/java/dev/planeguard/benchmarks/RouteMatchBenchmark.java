package dev.planeguard.benchmarks;

import dev.planeguard.Policy;
import dev.planeguard.Rule;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route matching cost against policy size: the same request against policies of 10, 1,000 and
 * 10,000 rules. The target is a ratio of at most 1.5 between 10 and 10,000 rules.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteMatchBenchmark {

  @Param({"10", "1000", "10000"})
  public int rules;

  Policy policy = Policy.parse("human /x\n", "x");
  String path = "/";

  @Setup
  public void setUp() {
    policy = Policies.sized(rules);
    path = Policies.matchingPath(rules);
  }

  /** The most specific rule for a path deep in the policy. */
  @Benchmark
  public @Nullable Rule routeMatch() {
    return policy.match("GET", path);
  }
}

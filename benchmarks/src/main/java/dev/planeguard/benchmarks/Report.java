package dev.planeguard.benchmarks;

import com.nimbusds.jose.util.JSONArrayUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one JMH JSON result file ({@code -rf json}) into the Markdown table of planeguard's
 * performance targets: every ratio is computed from results of the same run.
 *
 * <pre>
 * java -cp benchmarks.jar dev.planeguard.benchmarks.Report results.json &gt; targets.md
 * </pre>
 *
 * <p>Statistics: ratios and allocation use the average-time mode ({@code avgt}, and {@code
 * gc.alloc.rate.norm} from {@code -prof gc}); "median" targets use the 50th percentile of the
 * sample-time mode ({@code sample}), which includes the cost of reading the timer around each
 * sampled call and so errs on the high side. A benchmark missing from the file is reported as not
 * measured, never as met.
 */
public final class Report {

  private static final String PACKAGE = "dev.planeguard.benchmarks.";

  private final Map<String, Result> results = new LinkedHashMap<>();

  private Report(List<Object> json) {
    for (Object o : json) {
      if (o instanceof Map<?, ?> m) {
        Result r = Result.of(m);
        if (r != null) {
          results.put(r.key(), r);
        }
      }
    }
  }

  /** Reads {@code args[0]} (a JMH JSON file) and prints the Markdown report. */
  public static void main(String[] args) throws IOException, ParseException {
    if (args.length != 1) {
      System.err.println(
          "usage: java -cp benchmarks.jar " + Report.class.getName() + " results.json");
      System.exit(2);
      return;
    }
    String text = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(render(text));
    out.flush();
  }

  /** The Markdown report for the text of a JMH JSON result file. */
  static String render(String json) throws ParseException {
    return new Report(JSONArrayUtils.parse(json)).markdown();
  }

  private String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| goal | measured | statistic | target | met |\n");
    sb.append("|---|---:|---|---|:---:|\n");
    Double cached = avgt("EngineBenchmark.humanCachedToken");
    Double spring = avgt("BaselineBenchmark.springSecurityNimbusJwtDecoder");
    Double newRs = avgt("NewTokenBenchmark.humanNewTokenRs256");
    Double bareRs = avgt("BaselineBenchmark.bareNimbusRs256");
    Double route10 = avgt("RouteMatchBenchmark.routeMatch", "rules=10");
    Double route10k = avgt("RouteMatchBenchmark.routeMatch", "rules=10000");
    row(
        sb,
        "human decision, repeated token (cache hit): median",
        median("EngineBenchmark.humanCachedToken"),
        "ns",
        "p50, sample time",
        "≤ 1 µs",
        Bound.atMost(1000));
    row(
        sb,
        "human cached vs Spring Security `NimbusJwtDecoder`, same token",
        ratio(spring, cached),
        "×",
        "avgt Spring ÷ avgt cached",
        "≥ 30× faster",
        Bound.atLeast(30));
    row(
        sb,
        "human decision, new RS256 token vs bare `SignedJWT.parse` + `RSASSAVerifier.verify`",
        ratio(newRs, bareRs),
        "×",
        "avgt new ÷ avgt bare",
        "≤ 1.2×",
        Bound.atMost(1.2));
    row(
        sb,
        "human decision, new RS256 token with `crypto-native` vs bare Nimbus RS256 on the JDK",
        ratio(avgt("NewTokenBenchmark.humanNewTokenRs256Native"), bareRs),
        "×",
        "avgt native ÷ avgt bare",
        "≤ 0.6×",
        Bound.atMost(0.6));
    row(
        sb,
        "human decision, new ES256 token with `crypto-native` vs bare Nimbus ES256 on the JDK",
        ratio(
            avgt("NewTokenBenchmark.humanNewTokenEs256Native"),
            avgt("BaselineBenchmark.bareNimbusEs256")),
        "×",
        "avgt native ÷ avgt bare",
        "≤ 0.1×",
        Bound.atMost(0.1));
    row(
        sb,
        "machine-key decision: median",
        median("EngineBenchmark.machineKey"),
        "ns",
        "p50, sample time",
        "≤ 1 µs",
        Bound.atMost(1000));
    Double limited = median("EngineBenchmark.machineKeyRateLimited");
    Double plain = median("EngineBenchmark.machineKey");
    row(
        sb,
        "a rate limit's cost on the machine-key decision: median with − median without",
        limited == null || plain == null ? null : limited - plain,
        "ns",
        "p50 − p50, sample time",
        "≤ 150 ns",
        Bound.atMost(150));
    row(
        sb,
        "cross-plane rejection: median (no crypto)",
        median("EngineBenchmark.crossPlaneReject"),
        "ns",
        "p50, sample time",
        "≤ 0.5 µs",
        Bound.atMost(500));
    row(
        sb,
        "unmapped rejection: median (no crypto)",
        median("EngineBenchmark.unmappedReject"),
        "ns",
        "p50, sample time",
        "≤ 0.5 µs",
        Bound.atMost(500));
    row(
        sb,
        "route match, 10,000 rules vs 10 rules",
        ratio(route10k, route10),
        "×",
        "avgt 10,000 ÷ avgt 10",
        "≤ 1.5",
        Bound.atMost(1.5));
    row(
        sb,
        "allocation, cached human decision",
        alloc("EngineBenchmark.humanCachedToken"),
        "B",
        "gc.alloc.rate.norm, avgt",
        "≤ 1 KiB",
        Bound.atMost(1024));
    sb.append(
        "| end-to-end: filter on vs off (demo app, wrk) | — | measured by `e2e.sh` (`e2e.md`) | ≤ 10 % | not in this run |\n");

    sb.append("\nAll results of the run:\n\n");
    sb.append("| benchmark | avgt (ns/op) | ± 99.9 % | p50 (ns) | p99 (ns) | alloc (B/op) |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    Map<String, String> seen = new LinkedHashMap<>();
    for (Result r : results.values()) {
      seen.putIfAbsent(r.name(), r.name());
    }
    for (String name : seen.keySet()) {
      Result a = results.get(name + "|avgt");
      Result s = results.get(name + "|sample");
      sb.append("| `")
          .append(name)
          .append("` | ")
          .append(a == null ? "—" : number(a.score()))
          .append(" | ")
          .append(a == null || a.error() == null ? "—" : number(a.error()))
          .append(" | ")
          .append(s == null || s.p50() == null ? "—" : number(s.p50()))
          .append(" | ")
          .append(s == null || s.p99() == null ? "—" : number(s.p99()))
          .append(" | ")
          .append(a == null || a.alloc() == null ? "—" : number(a.alloc()))
          .append(" |\n");
    }
    Double newEs = avgt("NewTokenBenchmark.humanNewTokenEs256");
    Double bareEs = avgt("BaselineBenchmark.bareNimbusEs256");
    Double processor = avgt("BaselineBenchmark.nimbusJwtProcessorRs256");
    sb.append("\nOther ratios of the run (no target): new ES256 ÷ bare ES256 = ")
        .append(format(ratio(newEs, bareEs), "×"))
        .append("; Nimbus `DefaultJWTProcessor` RS256 ÷ cached = ")
        .append(format(ratio(processor, cached), "×"))
        .append("; new RS256 ÷ `DefaultJWTProcessor` RS256 = ")
        .append(format(ratio(newRs, processor), "×"))
        .append(".\n");
    return sb.toString();
  }

  private static void row(
      StringBuilder sb,
      String what,
      @Nullable Double value,
      String unit,
      String statistic,
      String target,
      Bound bound) {
    String met = value == null ? "not measured" : bound.holds(value) ? "yes" : "**no**";
    sb.append("| ")
        .append(what)
        .append(" | ")
        .append(format(value, unit))
        .append(" | ")
        .append(statistic)
        .append(" | ")
        .append(target)
        .append(" | ")
        .append(met)
        .append(" |\n");
  }

  private static String format(@Nullable Double value, String unit) {
    if (value == null) {
      return "—";
    }
    return switch (unit) {
      case "×" -> String.format(Locale.ROOT, "%.2f×", value);
      case "ns" -> String.format(Locale.ROOT, "%.0f ns", value);
      default -> String.format(Locale.ROOT, "%.0f %s", value, unit);
    };
  }

  private static String number(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static @Nullable Double ratio(@Nullable Double a, @Nullable Double b) {
    return a == null || b == null || b == 0 ? null : a / b;
  }

  private @Nullable Double avgt(String name) {
    return avgt(name, "");
  }

  private @Nullable Double avgt(String name, String params) {
    Result r = results.get(name + params(params) + "|avgt");
    return r == null ? null : r.score();
  }

  private @Nullable Double median(String name) {
    Result r = results.get(name + "|sample");
    return r == null ? null : r.p50();
  }

  private @Nullable Double alloc(String name) {
    Result r = results.get(name + "|avgt");
    return r == null ? null : r.alloc();
  }

  private static String params(String params) {
    return params.isEmpty() ? "" : "(" + params + ")";
  }

  /** A target: an upper or a lower bound. */
  private record Bound(double limit, boolean upper) {
    static Bound atMost(double limit) {
      return new Bound(limit, true);
    }

    static Bound atLeast(double limit) {
      return new Bound(limit, false);
    }

    boolean holds(double value) {
      return upper ? value <= limit : value >= limit;
    }
  }

  /**
   * One benchmark result in one mode, in nanoseconds per operation.
   *
   * @param name {@code Class.method}, with {@code (param=value,...)} if parameterised
   */
  private record Result(
      String name,
      String mode,
      double score,
      @Nullable Double error,
      @Nullable Double p50,
      @Nullable Double p99,
      @Nullable Double alloc) {

    String key() {
      return name + "|" + mode;
    }

    static @Nullable Result of(Map<?, ?> m) {
      if (!(m.get("benchmark") instanceof String benchmark)
          || !(m.get("mode") instanceof String mode)
          || !(m.get("primaryMetric") instanceof Map<?, ?> primary)
          || !(primary.get("score") instanceof Number score)) {
        return null;
      }
      if (!mode.equals("avgt") && !mode.equals("sample")) {
        return null; // throughput and single-shot results are not time per call
      }
      double toNanos = toNanos(primary.get("scoreUnit"));
      String name =
          benchmark.startsWith(PACKAGE) ? benchmark.substring(PACKAGE.length()) : benchmark;
      if (m.get("params") instanceof Map<?, ?> params && !params.isEmpty()) {
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> parts.add(k + "=" + v));
        name += "(" + String.join(",", parts) + ")";
      }
      Double error =
          primary.get("scoreError") instanceof Number e && !Double.isNaN(e.doubleValue())
              ? e.doubleValue() * toNanos
              : null;
      Double p50 = null;
      Double p99 = null;
      if (primary.get("scorePercentiles") instanceof Map<?, ?> percentiles) {
        p50 = percentile(percentiles, "50.0", toNanos);
        p99 = percentile(percentiles, "99.0", toNanos);
      }
      Double alloc = null;
      if (m.get("secondaryMetrics") instanceof Map<?, ?> secondary
          && secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm
          && norm.get("score") instanceof Number bytes) {
        alloc = bytes.doubleValue();
      }
      return new Result(name, mode, score.doubleValue() * toNanos, error, p50, p99, alloc);
    }

    private static @Nullable Double percentile(Map<?, ?> percentiles, String key, double toNanos) {
      return percentiles.get(key) instanceof Number n ? n.doubleValue() * toNanos : null;
    }

    private static double toNanos(@Nullable Object unit) {
      if (!(unit instanceof String u)) {
        return 1;
      }
      if (u.startsWith("us/")) {
        return 1_000;
      }
      if (u.startsWith("ms/")) {
        return 1_000_000;
      }
      if (u.startsWith("s/")) {
        return 1_000_000_000;
      }
      return 1;
    }
  }
}

package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The report computes each ratio from the one result file and says plainly what is not met. */
class ReportTest {

  static String result(
      String benchmark, String mode, String params, double score, String unit, String extra) {
    return String.format(
        Locale.ROOT,
        "{\"benchmark\":\"dev.planeguard.benchmarks.%s\",\"mode\":\"%s\",\"params\":{%s},"
            + "\"primaryMetric\":{\"score\":%s,\"scoreError\":1.5,\"scoreUnit\":\"%s\"%s}%s}",
        benchmark,
        mode,
        params,
        score,
        unit,
        mode.equals("sample")
            ? String.format(
                Locale.ROOT,
                ",\"scorePercentiles\":{\"50.0\":%s,\"99.0\":%s}",
                score * 0.9,
                score * 3)
            : "",
        extra);
  }

  static String alloc(double bytes) {
    return ",\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":"
        + bytes
        + ",\"scoreUnit\":\"B/op\"}}";
  }

  static String file(boolean good) {
    List<String> r = new ArrayList<>();
    r.add(
        result(
            "EngineBenchmark.humanCachedToken",
            "avgt",
            "",
            400,
            "ns/op",
            alloc(good ? 248 : 1400)));
    r.add(result("EngineBenchmark.humanCachedToken", "sample", "", good ? 400 : 1200, "ns/op", ""));
    r.add(result("EngineBenchmark.machineKey", "avgt", "", 700, "ns/op", alloc(900)));
    r.add(result("EngineBenchmark.machineKey", "sample", "", 0.7, "us/op", ""));
    r.add(result("EngineBenchmark.crossPlaneReject", "sample", "", 250, "ns/op", ""));
    r.add(result("EngineBenchmark.unmappedReject", "sample", "", 230, "ns/op", ""));
    r.add(
        result(
            "NewTokenBenchmark.humanNewTokenRs256",
            "avgt",
            "",
            good ? 40_000 : 50_000,
            "ns/op",
            ""));
    r.add(result("BaselineBenchmark.bareNimbusRs256", "avgt", "", 36_000, "ns/op", ""));
    r.add(
        result(
            "NewTokenBenchmark.humanNewTokenRs256Native",
            "avgt",
            "",
            good ? 18_000 : 25_200,
            "ns/op",
            ""));
    r.add(result("BaselineBenchmark.bareNimbusEs256", "avgt", "", 1_000_000, "ns/op", ""));
    r.add(
        result(
            "NewTokenBenchmark.humanNewTokenEs256Native",
            "avgt",
            "",
            good ? 60_000 : 110_000,
            "ns/op",
            ""));
    r.add(result("BaselineBenchmark.springSecurityNimbusJwtDecoder", "avgt", "", 48, "us/op", ""));
    r.add(result("RouteMatchBenchmark.routeMatch", "avgt", "\"rules\":\"10\"", 100, "ns/op", ""));
    r.add(
        result("RouteMatchBenchmark.routeMatch", "avgt", "\"rules\":\"10000\"", 120, "ns/op", ""));
    r.add(
        result("RouteMatchBenchmark.routeMatch", "thrpt", "\"rules\":\"10\"", 0.01, "ops/ns", ""));
    return "[" + String.join(",", r) + "]";
  }

  static String line(String report, String startsWith) {
    return report.lines().filter(l -> l.startsWith(startsWith)).findFirst().orElseThrow();
  }

  @Test
  void everyTargetIsComputedFromTheFile() throws Exception {
    String report = Report.render(file(true));
    assertThat(line(report, "| human decision, repeated token"))
        .contains("| 360 ns |")
        .endsWith("| yes |");
    assertThat(line(report, "| human cached vs Spring"))
        .contains("| 120.00× |")
        .endsWith("| yes |");
    assertThat(line(report, "| human decision, new RS256"))
        .contains("| 1.11× |")
        .endsWith("| yes |");
    assertThat(line(report, "| human decision, new RS256 token with `crypto-native`"))
        .contains("| 0.50× |")
        .contains("| ≤ 0.6× |")
        .endsWith("| yes |");
    assertThat(line(report, "| human decision, new ES256 token with `crypto-native`"))
        .contains("| 0.06× |")
        .contains("| ≤ 0.1× |")
        .endsWith("| yes |");
    assertThat(line(report, "| machine-key decision")).contains("| 630 ns |").endsWith("| yes |");
    assertThat(line(report, "| cross-plane rejection")).contains("| 225 ns |").endsWith("| yes |");
    assertThat(line(report, "| unmapped rejection")).contains("| 207 ns |").endsWith("| yes |");
    assertThat(line(report, "| route match")).contains("| 1.20× |").endsWith("| yes |");
    assertThat(line(report, "| allocation, cached")).contains("| 248 B |").endsWith("| yes |");
    assertThat(line(report, "| end-to-end")).endsWith("| not in this run |");
    long columns = line(report, "| goal |").chars().filter(c -> c == '|').count();
    for (String row : List.of("| human decision, repeated", "| route match", "| end-to-end")) {
      assertThat(line(report, row).chars().filter(c -> c == '|').count())
          .as(row)
          .isEqualTo(columns);
    }
    assertThat(line(report, "| `RouteMatchBenchmark.routeMatch(rules=10000)`")).contains("| 120 |");
  }

  @Test
  void aMissedTargetIsSaidPlainlyAndAMissingOneIsNeverMet() throws Exception {
    String report = Report.render(file(false));
    assertThat(line(report, "| human decision, repeated token"))
        .contains("| 1080 ns |")
        .endsWith("| **no** |");
    assertThat(line(report, "| human cached vs Spring")).endsWith("| yes |");
    assertThat(line(report, "| human decision, new RS256"))
        .contains("| 1.39× |")
        .endsWith("| **no** |");
    assertThat(line(report, "| allocation, cached")).contains("| 1400 B |").endsWith("| **no** |");
    assertThat(line(report, "| human decision, new RS256 token with `crypto-native`"))
        .contains("| 0.70× |")
        .endsWith("| **no** |");
    assertThat(line(report, "| human decision, new ES256 token with `crypto-native`"))
        .contains("| 0.11× |")
        .endsWith("| **no** |");
    String empty = Report.render("[]");
    assertThat(empty.lines().filter(l -> l.endsWith("| not measured |")).count()).isEqualTo(11);
    assertThat(line(empty, "| a rate limit's cost on the machine-key decision"))
        .contains("| ≤ 150 ns |")
        .endsWith("| not measured |");
    assertThat(empty).doesNotContain("| yes |");
  }
}

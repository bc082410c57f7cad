package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditEvent;
import dev.planeguard.Reason;
import dev.planeguard.spring.apps.DifferentialApp;
import dev.planeguard.spring.apps.DifferentialApp.Exchange;
import dev.planeguard.spring.apps.DifferentialApp.Fixture;
import dev.planeguard.spring.apps.DifferentialApp.Probe;
import dev.planeguard.spring.apps.DifferentialApp.Run;
import dev.planeguard.spring.apps.DifferentialApp.Running;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler runs only under a rule that covers it, checked differentially: thousands of generated
 * requests (methods, paths that do and do not match the handlers' regular expressions, suffixes and
 * conditions, path tricks of the parity kit, method overrides, credentials of either plane, with
 * and without scopes, invalid and ambiguous) go over raw sockets to a real Tomcat, and every
 * handler that runs is checked against the outcome its annotations or the policy file give it,
 * written down by hand in {@link DifferentialApp#EXPECTED}. The requests are the same on every run:
 * the random generator starts from a fixed value.
 */
class DispatchDifferentialTest {

  /** Requests per application configuration. */
  static final int REQUESTS = 6_000;

  @TempDir static Path dir;
  static Fixture fixture;

  @BeforeAll
  static void start() {
    fixture = Fixture.create(dir);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** Below the servlet path /svc, with Spring Boot's method override filter. */
  @Test
  void servletPathAndMethodOverride() {
    Tally tally;
    try (Running app = fixture.start("/svc", true)) {
      tally = send(app, new Random(0x5ca1ab1eL));
    }
    tally.assertNoViolation();
    tally.assertEveryHandlerRan();
    tally.assertTheOracleRefusesMisplacedRuns();
    tally.assertWidenedSiblingsFellThrough("/svc");
    assertThat(tally.overridden)
        .as("handlers that ran with the method a _method parameter asked for")
        .isPositive();
    assertThat(tally.refusedOverrides)
        .as("method overrides refused at dispatch (a public POST turned into a protected method)")
        .isPositive();
  }

  /** At the root, without a method override filter. */
  @Test
  void rootWithoutMethodOverride() {
    Tally tally;
    try (Running app = fixture.start("", false)) {
      tally = send(app, new Random(0x0ddba11L));
    }
    tally.assertNoViolation();
    tally.assertEveryHandlerRan();
    tally.assertTheOracleRefusesMisplacedRuns();
    tally.assertWidenedSiblingsFellThrough("");
    assertThat(tally.overridden).as("handlers that saw another method than the request's").isZero();
  }

  static Tally send(Running app, Random random) {
    Tally tally = new Tally(app.servletPath());
    long started = System.nanoTime();
    for (int i = 0; i < REQUESTS; i++) {
      Probe probe = DifferentialApp.generate(random::nextInt, app.servletPath());
      tally.add(app.exchange(probe));
    }
    tally.millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(tally.summary());
    return tally;
  }

  /** What the requests of one configuration came to. */
  static final class Tally {
    final String servletPath;
    final List<String> violations = new ArrayList<>();
    final Map<String, Integer> ran = new TreeMap<>();
    final Map<String, Run> firstRun = new TreeMap<>();
    final Map<Integer, Integer> statuses = new TreeMap<>();
    final Set<String> mismatchedRoutes = new TreeSet<>();

    /** "handler METHOD" for every method a handler saw. */
    final Set<String> served = new TreeSet<>();

    int requests;
    int runs;
    int mismatches;
    int overridden;
    int refusedOverrides;
    long millis;

    Tally(String servletPath) {
      this.servletPath = servletPath;
    }

    void add(Exchange e) {
      requests++;
      violations.addAll(e.violations());
      statuses.merge(e.status(), 1, Integer::sum);
      for (Run r : e.runs()) {
        runs++;
        ran.merge(r.handler(), 1, Integer::sum);
        firstRun.putIfAbsent(r.handler(), r);
        served.add(r.handler() + " " + r.method());
        if (!r.method().equals(e.probe().method())) {
          overridden++;
        }
      }
      if (e.dispatchMismatch()) {
        mismatches++;
        for (AuditEvent a : e.audit()) {
          if (a.reason() == Reason.DISPATCH_MISMATCH && a.route() != null) {
            mismatchedRoutes.add(a.route());
          }
        }
        if (e.probe().target().contains("_method=") || e.probe().body().contains("_method=")) {
          refusedOverrides++;
        }
      }
    }

    void assertNoViolation() {
      if (violations.isEmpty()) {
        return;
      }
      StringBuilder sb =
          new StringBuilder()
              .append(violations.size())
              .append(" handler runs of ")
              .append(requests)
              .append(" requests broke the dispatch invariant (servlet path \"")
              .append(servletPath)
              .append("\"):");
      violations.stream()
          .limit(100)
          .forEach(v -> sb.append(System.lineSeparator()).append("  - ").append(v));
      throw new AssertionError(sb.toString());
    }

    /** Every handler ran at least once, except the one that never may. */
    void assertEveryHandlerRan() {
      Set<String> expected = new TreeSet<>(DifferentialApp.EXPECTED.keySet());
      expected.remove("runs.purge");
      assertThat(ran.keySet()).as("handlers that ran").containsAll(expected);
      assertThat(ran).doesNotContainKey("runs.purge");
      assertThat(runs).as("handler runs").isGreaterThan(REQUESTS / 8);
      assertThat(served)
          .as("methods handlers saw")
          .contains("site.report HEAD", "site.page HEAD", "runs.get HEAD", "ops.all OPTIONS");
    }

    /**
     * The oracle is not vacuous: what real handler runs saw, attributed to handlers of another
     * plane, access, scope or method, breaks the invariant.
     */
    void assertTheOracleRefusesMisplacedRuns() {
      Run publicRun = firstRun.get("docs.page");
      Run humanRun = firstRun.get("fb.delete");
      Run machineRun = firstRun.get("fb.put");
      Run scopedHuman = firstRun.get("c.all");
      assertThat(DifferentialApp.violations(humanRun, DifferentialApp.MODE)).isEmpty();
      List<Run> misplaced =
          List.of(
              new Run("docs.all", "GET", publicRun.decision(), publicRun.principal()),
              new Run("fb.put", "PUT", humanRun.decision(), humanRun.principal()),
              new Run("fb.delete", "DELETE", machineRun.decision(), machineRun.principal()),
              new Run("fb.delete", "PUT", humanRun.decision(), humanRun.principal()),
              new Run("fb.delete", "DELETE", humanRun.decision(), null),
              new Run("fb.delete", "DELETE", humanRun.decision(), machineRun.principal()),
              new Run("c.all", "POST", humanRun.decision(), scopedHuman.principal()),
              new Run("dbg.info", "GET", humanRun.decision(), humanRun.principal()),
              new Run("runs.purge", "DELETE", machineRun.decision(), machineRun.principal()),
              new Run("q.all", "GET", null, null));
      for (Run run : misplaced) {
        assertThat(DifferentialApp.violations(run, DifferentialApp.MODE))
            .as("what the oracle says of %s", run)
            .isNotEmpty();
      }
    }

    /**
     * A request decided by the rule of a regular expression, a suffix or a condition that Spring
     * MVC sent to the broader handler beside it was refused at dispatch, for each of them.
     */
    void assertWidenedSiblingsFellThrough(String prefix) {
      assertThat(mismatchedRoutes)
          .as("rules under which a handler was refused at dispatch")
          .contains(
              prefix + "/docs/*",
              prefix + "/img/*",
              prefix + "/q/{term}",
              prefix + "/h/{term}",
              prefix + "/c/{term}");
    }

    String summary() {
      return "dispatch differential (servlet path \""
          + servletPath
          + "\"): "
          + requests
          + " requests in "
          + millis
          + " ms, "
          + runs
          + " handler runs, "
          + mismatches
          + " refused at dispatch, "
          + overridden
          + " with an overridden method; statuses "
          + statuses
          + "; runs "
          + ran;
    }
  }
}

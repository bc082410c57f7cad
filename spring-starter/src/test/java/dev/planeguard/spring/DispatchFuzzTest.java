package dev.planeguard.spring;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.planeguard.spring.apps.DifferentialApp;
import dev.planeguard.spring.apps.DifferentialApp.Exchange;
import dev.planeguard.spring.apps.DifferentialApp.Fixture;
import dev.planeguard.spring.apps.DifferentialApp.Probe;
import dev.planeguard.spring.apps.DifferentialApp.Running;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler runs only under a rule that covers it, for requests a coverage-guided fuzzer builds:
 * the fuzzer's input makes every choice of the request model the differential test uses (method,
 * path, path trick, query, method override, credential, headers, body), the request goes over a raw
 * socket to the application below the servlet path {@code /svc} with the method override filter on,
 * and every handler that runs is checked against its hand-written expected outcome.
 *
 * <p>A normal build runs the stored inputs in {@code DispatchFuzzTestInputs/oneRequest} (and the
 * empty input) as regression cases; no environment variable is needed. Each file is named after
 * what its request does: {@code run-*} reach a handler, {@code refused-*} are refused before one
 * runs. An input is only a sequence of choices of {@link DifferentialApp#generate}: change the
 * request model, and regenerate them.
 *
 * <p>To fuzz, set {@code JAZZER_FUZZ=1}; it stops after {@code maxDuration} ({@code
 * JAZZER_MAX_DURATION} overrides it). By default only this module's classes guide the fuzzer; to be
 * guided by planeguard's engine and Spring MVC's matching too:
 *
 * <pre>
 * export JAZZER_INSTRUMENT='dev.planeguard.**,org.springframework.web.servlet.mvc.condition.**'
 * JAZZER_FUZZ=1 ./mvnw -pl spring-starter test -Dtest=DispatchFuzzTest
 * </pre>
 *
 * <p>New inputs go to {@code .cifuzz-corpus} in the module directory (not kept), and an input that
 * breaks the invariant to the inputs directory beside the stored ones.
 */
class DispatchFuzzTest {

  @TempDir static Path dir;
  static Fixture fixture;
  static Running app;
  static int port;

  @BeforeAll
  static void start() {
    fixture = Fixture.create(dir);
    app = fixture.start("/svc", true);
    port = app.port();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @FuzzTest(maxDuration = "2m")
  void oneRequest(FuzzedDataProvider data) {
    Probe probe = DifferentialApp.generate(n -> data.consumeInt(0, n - 1), app.servletPath());
    // Connections to the application under test are the point; Jazzer reports any other.
    SilentCloseable allowed =
        BugDetectors.allowNetworkConnections(
            (host, p) -> p == port && (host.equals("127.0.0.1") || host.equals("localhost")));
    Exchange exchange;
    try {
      exchange = app.exchange(probe);
    } finally {
      allowed.close();
    }
    if (!exchange.violations().isEmpty()) {
      throw new AssertionError(
          "a handler ran under a rule that does not cover it:"
              + System.lineSeparator()
              + String.join(System.lineSeparator(), exchange.violations()));
    }
  }
}

package dev.planeguard.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures {@code System.out} and {@code System.err} while a scenario runs, so a test can search
 * everything the code under test printed or logged (SLF4J Simple writes to {@code System.err} and
 * looks the stream up on every write). Nothing captured is echoed to the console: a leak found by
 * {@link LeakCheck} must not be printed by the test either.
 *
 * <pre>{@code
 * OutputCapture output = OutputCapture.during(() -> enforcer.decide(request));
 * LeakCheck.create().apiKey("machine key", key).output(output).assertClean();
 * }</pre>
 *
 * <p>Or, when the scenario must hand values back, as a resource:
 *
 * <pre>{@code
 * try (OutputCapture output = OutputCapture.start()) {
 *   decision = enforcer.decide(request);
 * }
 * }</pre>
 *
 * <p>The streams are global: do not run capturing tests in parallel with tests that print.
 */
public final class OutputCapture implements AutoCloseable {

  /** A scenario whose output is captured. */
  @FunctionalInterface
  public interface Scenario {
    /** Runs the scenario. */
    void run() throws Exception;
  }

  private final PrintStream originalOut;
  private final PrintStream originalErr;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private boolean closed;

  private OutputCapture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** Starts capturing; {@link #close()} restores the original streams. */
  public static OutputCapture start() {
    return new OutputCapture();
  }

  /**
   * Runs {@code scenario} with both streams captured and returns the closed capture. An exception
   * thrown by the scenario is rethrown after the streams are restored.
   */
  public static OutputCapture during(Scenario scenario) throws Exception {
    try (OutputCapture capture = start()) {
      scenario.run();
      return capture;
    }
  }

  /** What was written to {@code System.out} so far. */
  public String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** What was written to {@code System.err} so far (SLF4J Simple's log lines). */
  public String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Restores the original streams. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      System.out.flush();
      System.err.flush();
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}

package dev.planeguard.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a background thread (a ledger's writer, a load) to reach a state. Never a timing
 * assertion: the bound only keeps a broken build from hanging.
 */
public final class Await {

  /** The longest wait before the test fails. */
  public static final Duration GUARD = Duration.ofSeconds(60);

  private Await() {}

  /** Returns once {@code condition} holds; fails after {@link #GUARD}. */
  public static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + GUARD);
      }
      Thread.sleep(5);
    }
  }
}

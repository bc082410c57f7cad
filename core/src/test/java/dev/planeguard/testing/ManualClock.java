package dev.planeguard.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock and a nanosecond ticker that move together, and only when a test says so: rate limits
 * refill, keys expire and ledgers rotate without a test ever sleeping.
 */
public final class ManualClock extends Clock {

  private final Instant start;
  private final AtomicLong elapsedNanos = new AtomicLong();

  /** A clock standing at {@code start}. */
  public ManualClock(Instant start) {
    this.start = start;
  }

  /** Moves the clock and the ticker forward. */
  public void advance(Duration d) {
    elapsedNanos.addAndGet(d.toNanos());
  }

  /** Sets the clock to {@code instant}, which may be before the current time. */
  public void set(Instant instant) {
    elapsedNanos.set(Duration.between(start, instant).toNanos());
  }

  /** Nanoseconds, as {@link System#nanoTime()}: an arbitrary origin, moving with the clock. */
  public long nanoTime() {
    return 1_000_000_000L + elapsedNanos.get();
  }

  @Override
  public Instant instant() {
    return start.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}

package dev.planeguard.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock and a nanosecond ticker that move together, and only when a test says so: the time of the
 * key usage tests, which must never sleep.
 */
final class ManualTime extends Clock {

  private final Instant start;
  private final AtomicLong elapsedNanos = new AtomicLong();

  ManualTime(Instant start) {
    this.start = start;
  }

  void advance(Duration d) {
    elapsedNanos.addAndGet(d.toNanos());
  }

  /** Nanoseconds, as {@link System#nanoTime()}: an arbitrary origin, moving with the clock. */
  long nanoTime() {
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

package dev.planeguard.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset the test sets: no sleeping, no timed assertions. */
final class OffsetClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  void set(Duration offset) {
    this.offset = offset;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + offset.toMillis();
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

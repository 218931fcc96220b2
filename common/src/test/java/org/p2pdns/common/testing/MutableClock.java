package org.p2pdns.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand, for TTLs, expiry and uptime. */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /** Starts at the real time. */
  public MutableClock() {
    this(Instant.now());
  }

  public MutableClock(long epochSecond) {
    this(Instant.ofEpochSecond(epochSecond));
  }

  private MutableClock(Instant start) {
    this.now = start;
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }
}

package org.p2pdns.bench.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Virtual time of a discrete-event simulation, in whole milliseconds, advanced by the event loop. */
final class SimClock extends Clock {
  private long nowMillis;

  long millis(long value) {
    nowMillis = value;
    return nowMillis;
  }

  @Override
  public long millis() {
    return nowMillis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(nowMillis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("simulation time has no zone");
  }
}

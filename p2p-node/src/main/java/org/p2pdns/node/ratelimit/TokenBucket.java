package org.p2pdns.node.ratelimit;

/**
 * A token bucket: holds up to {@code capacity} tokens, gains {@code perSecond} a second, and each
 * event takes one. A burst up to the capacity passes; beyond that, the refill rate. Time comes
 * from the caller (milliseconds of an injected clock), so tests need no sleeps. Not thread-safe:
 * the owner synchronizes.
 */
public final class TokenBucket {
  private final double capacity;
  private final double perMilli;
  private double tokens;
  private long at;

  public TokenBucket(double capacity, double perSecond, long nowMillis) {
    if (capacity < 1 || perSecond <= 0) {
      throw new IllegalArgumentException("capacity >= 1 and a positive rate");
    }
    this.capacity = capacity;
    this.perMilli = perSecond / 1000.0;
    this.tokens = capacity;
    this.at = nowMillis;
  }

  /** Takes a token when one is there. */
  public boolean tryTake(long nowMillis) {
    return tryTake(1, nowMillis);
  }

  /** Takes {@code n} tokens when that many are there; none otherwise. */
  public boolean tryTake(int n, long nowMillis) {
    refill(nowMillis);
    if (tokens >= n) {
      tokens -= n;
      return true;
    }
    return false;
  }

  /** Whether the bucket is full again at {@code nowMillis} (then it may be forgotten). */
  public boolean isFull(long nowMillis) {
    refill(nowMillis);
    return tokens >= capacity;
  }

  private void refill(long nowMillis) {
    if (nowMillis > at) {
      tokens = Math.min(capacity, tokens + (nowMillis - at) * perMilli);
      at = nowMillis;
    }
  }
}

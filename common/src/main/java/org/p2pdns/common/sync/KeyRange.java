package org.p2pdns.common.sync;

/**
 * The items between two bounds, [lower, upper). A reconciliation reports a whole range this way
 * when the peer holds nothing in it (a new node holds nothing at all), so the records can be
 * streamed in pages from the store instead of listed digest by digest.
 */
public record KeyRange(Bound lower, Bound upper) {
  public KeyRange {
    if (lower.isInfinite() || lower.compareTo(upper) > 0) {
      throw new IllegalArgumentException("empty or inverted range " + lower + ".." + upper);
    }
  }

  public static final KeyRange ALL = new KeyRange(Bound.ZERO, Bound.INFINITY);
}

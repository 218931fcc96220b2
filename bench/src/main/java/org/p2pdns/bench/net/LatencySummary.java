package org.p2pdns.bench.net;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies (nearest rank: the p-th percentile is the smallest value with
 * at least p% of the values at or below it, so every figure is a latency that occurred).
 */
public record LatencySummary(int count, long p50, long p95, long p99, long max, double mean) {

  /** Summarises {@code values} (any unit; nanoseconds in the benchmark). */
  public static LatencySummary of(long[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new LatencySummary(sorted.length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99),
        sorted[sorted.length - 1], sum / sorted.length);
  }

  /** The nearest-rank {@code percent}-th percentile of sorted values. */
  static long rank(long[] sorted, double percent) {
    int r = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, r) - 1)];
  }

  /** The fraction of {@code values} at or below {@code limit}. */
  public static double fractionAtMost(long[] values, long limit) {
    if (values.length == 0) {
      return 0;
    }
    long n = Arrays.stream(values).filter(v -> v <= limit).count();
    return (double) n / values.length;
  }
}

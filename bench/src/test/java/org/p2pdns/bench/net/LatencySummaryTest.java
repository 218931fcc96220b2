package org.p2pdns.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {
  @Test
  void nearestRankPercentilesAreValuesThatOccurred() {
    long[] v = new long[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i; // 1..100, unsorted
    }
    LatencySummary s = LatencySummary.of(v);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.p50()).isEqualTo(50);
    assertThat(s.p95()).isEqualTo(95);
    assertThat(s.p99()).isEqualTo(99);
    assertThat(s.max()).isEqualTo(100);
    assertThat(s.mean()).isCloseTo(50.5, within(1e-9));
  }

  @Test
  void fewValuesRoundUpToTheNextRank() {
    LatencySummary s = LatencySummary.of(new long[] {30, 10, 20});
    assertThat(s.p50()).isEqualTo(20);
    assertThat(s.p95()).isEqualTo(30);
    assertThat(LatencySummary.of(new long[] {7}).p50()).isEqualTo(7);
  }

  @Test
  void fractionWithinALimitCountsValuesAtTheLimit() {
    long[] v = {100, 1_000, 1_001, Long.MAX_VALUE};
    assertThat(LatencySummary.fractionAtMost(v, 1_000)).isEqualTo(0.5);
    assertThat(LatencySummary.fractionAtMost(new long[0], 1)).isZero();
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.testing.MutableClock;

class RecentlyForwardedTest {
  private final MutableClock clock = new MutableClock();

  private static byte[] digest(int i) {
    byte[] d = new byte[32];
    d[0] = (byte) i;
    d[1] = (byte) (i >> 8);
    return d;
  }

  @Test
  void remembersByDigestAndForgetsTheOldestPastItsCountBytesOrAge() {
    RecentlyForwarded r = new RecentlyForwarded(clock, 3, 1000, 60_000);
    r.put(digest(1), new byte[] {1});
    r.put(digest(2), new byte[] {2});
    r.put(digest(1), new byte[] {9}); // held already: the first stays
    assertThat(r.get(digest(1))).hasValueSatisfying(b -> assertThat(b).containsExactly(1));
    r.put(digest(3), new byte[] {3});
    r.put(digest(4), new byte[] {4});
    assertThat(r.size()).isEqualTo(3);
    assertThat(r.get(digest(1))).isEmpty();
    assertThat(r.get(digest(4))).isPresent();

    r.put(digest(5), new byte[990]); // over the byte bound: the oldest go until it fits
    assertThat(r.bytes()).isLessThanOrEqualTo(1000);
    assertThat(r.get(digest(5))).isPresent();
    assertThat(r.get(digest(2))).isEmpty();

    clock.advance(Duration.ofSeconds(61));
    assertThat(r.get(digest(5))).isEmpty();
    assertThat(r.size()).isZero();
    assertThat(r.bytes()).isZero();
  }
}

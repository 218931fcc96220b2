package org.p2pdns.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PropagationTrackerTest {
  @Test
  void aRecordIsEverywhereOnceEachNodesFirstNoticeArrived() throws Exception {
    PropagationTracker t = new PropagationTracker(3);
    t.expect("a.p2p", 1, 1_000);
    assertThat(t.seen(0, "a.p2p", 1, 1_500)).isTrue();
    assertThat(t.seen(2, "a.p2p", 1, 4_000)).isTrue();
    // A second notice from node 0 is not the first: its earlier time stands.
    assertThat(t.seen(0, "a.p2p", 1, 9_000)).isFalse();
    assertThat(t.awaitEverywhere("a.p2p", 1, Duration.ofMillis(10))).isFalse();
    PropagationTracker.Propagation half = t.propagation("a.p2p", 1);
    assertThat(half.latencyNanos()).containsExactly(500, -1, 3_000);
    assertThat(half.reached()).isEqualTo(2);
    assertThat(half.allPresentNanos()).isEmpty();

    assertThat(t.seen(1, "a.p2p", 1, 2_000)).isTrue();
    assertThat(t.awaitEverywhere("a.p2p", 1, Duration.ofMillis(10))).isTrue();
    PropagationTracker.Propagation all = t.propagation("a.p2p", 1);
    assertThat(all.latencyNanos()).containsExactly(500, 1_000, 3_000);
    assertThat(all.allPresentNanos()).contains(3_000L);
  }

  @Test
  void serialsAreTrackedApartAndStrangersOnlyCounted() {
    PropagationTracker t = new PropagationTracker(2);
    t.expect("a.p2p", 1, 0);
    t.expect("a.p2p", 2, 100);
    assertThat(t.seen(0, "a.p2p", 2, 150)).isTrue();
    assertThat(t.seen(1, "b.p2p", 1, 150)).isFalse();
    assertThat(t.seen(1, "a.p2p", 3, 150)).isFalse();
    assertThat(t.unexpected()).isEqualTo(2);
    assertThat(t.propagation("a.p2p", 1).reached()).isZero();
    assertThat(t.propagation("a.p2p", 2).latencyNanos()).containsExactly(50, -1);
    assertThatThrownBy(() -> t.expect("a.p2p", 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.seen(2, "a.p2p", 1, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aWaiterWakesWhenTheLastNodeReportsFromAnotherThread() throws Exception {
    PropagationTracker t = new PropagationTracker(2);
    t.expect("a.p2p", 1, System.nanoTime());
    t.seen(0, "a.p2p", 1, System.nanoTime());
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        return t.awaitEverywhere("a.p2p", 1, Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    t.seen(1, "a.p2p", 1, System.nanoTime());
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
  }
}

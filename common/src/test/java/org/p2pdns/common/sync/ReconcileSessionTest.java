package org.p2pdns.common.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.wire.MalformedException;

class ReconcileSessionTest {
  private static final ReconcileLimits LIMITS = ReconcileLimits.DEFAULT;

  /** Two sets built from a shared part plus each side's own items; the expected differences. */
  private static final class Pair {
    final SyncItemSet a = new SyncItemSet();
    final SyncItemSet b = new SyncItemSet();
    final Set<ByteBuffer> onlyA = new HashSet<>();
    final Set<ByteBuffer> onlyB = new HashSet<>();

    Pair(long seed, int shared, int aOnly, int bOnly, boolean timeKeys) {
      Random rnd = new Random(seed);
      for (int i = 0; i < shared; i++) {
        byte[] d = ReconcileHarness.randomDigest(rnd);
        long k = key(rnd, d, timeKeys);
        a.add(k, d);
        b.add(k, d);
      }
      for (int i = 0; i < aOnly; i++) {
        byte[] d = ReconcileHarness.randomDigest(rnd);
        a.add(key(rnd, d, timeKeys), d);
        onlyA.add(ByteBuffer.wrap(d));
      }
      for (int i = 0; i < bOnly; i++) {
        byte[] d = ReconcileHarness.randomDigest(rnd);
        b.add(key(rnd, d, timeKeys), d);
        onlyB.add(ByteBuffer.wrap(d));
      }
    }

    private static long key(Random rnd, byte[] d, boolean timeKeys) {
      // Time-like keys collide often (many records per second); digest keys are uniform.
      return timeKeys ? 1_700_000_000L + rnd.nextInt(5000) : SyncItemSet.word(d, 0);
    }

    ReconcileHarness reconcile() throws MalformedException {
      ReconcileHarness h = ReconcileHarness.run(a, b, LIMITS);
      assertThat(ReconcileHarness.lacks(h.initiator, a)).isEqualTo(onlyA);
      assertThat(ReconcileHarness.lacks(h.responder, b)).isEqualTo(onlyB);
      assertThat(h.initiator.isDone()).isTrue();
      assertThat(h.responder.isDone()).isTrue();
      return h;
    }
  }

  @Test
  void emptyAgainstEmptyEndsInOneRoundTrip() throws Exception {
    ReconcileHarness h = new Pair(1, 0, 0, 0, false).reconcile();
    assertThat(h.messages).isEqualTo(2);
  }

  @Test
  void emptyAgainstFullAndFullAgainstEmpty() throws Exception {
    // The empty side says so in its first message; the full side then knows to push everything.
    ReconcileHarness h = new Pair(2, 0, 0, 5000, false).reconcile();
    assertThat(h.messages).isEqualTo(2);
    // The full side learns it as one range to stream, not as 5,000 digests.
    assertThat(h.responder.remoteLacksRanges()).containsExactly(KeyRange.ALL);
    assertThat(h.responder.remoteLacks()).isEmpty();
    h = new Pair(3, 0, 5000, 0, false).reconcile();
    assertThat(h.messages).isEqualTo(3);
    assertThat(h.bytes).isLessThan(400);
  }

  @Test
  void identicalSetsAgreeAtOnce() throws Exception {
    ReconcileHarness h = new Pair(4, 20_000, 0, 0, false).reconcile();
    assertThat(h.messages).isEqualTo(2);
    assertThat(h.bytes).isLessThan(300);
  }

  @Test
  void oneSidedAndBothSidedDifferences() throws Exception {
    new Pair(5, 10_000, 37, 0, false).reconcile();
    new Pair(6, 10_000, 0, 37, false).reconcile();
    new Pair(7, 10_000, 25, 25, false).reconcile();
    new Pair(8, 10_000, 500, 700, false).reconcile();
    new Pair(9, 2_000, 3_000, 4_000, false).reconcile();
  }

  @Test
  void tinySets() throws Exception {
    for (int seed = 0; seed < 60; seed++) {
      Random r = new Random(seed);
      new Pair(100 + seed, r.nextInt(4), r.nextInt(4), r.nextInt(4), seed % 2 == 0).reconcile();
    }
  }

  @Test
  void randomSetsOfManyShapes() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 40; i++) {
      int shared = r.nextInt(3000);
      int aOnly = r.nextInt(i % 3 == 0 ? 2000 : 40);
      int bOnly = r.nextInt(i % 4 == 0 ? 2000 : 40);
      new Pair(1000 + i, shared, aOnly, bOnly, i % 2 == 0).reconcile();
    }
  }

  @Test
  void tiedKeysAreSeparatedByDigest() throws Exception {
    // Every item has the same key: bounds must cut inside the digests.
    Pair p = new Pair(11, 0, 0, 0, false);
    Random rnd = new Random(11);
    for (int i = 0; i < 3000; i++) {
      byte[] d = ReconcileHarness.randomDigest(rnd);
      p.a.add(7, d);
      if (i % 100 == 0) {
        p.onlyA.add(ByteBuffer.wrap(d));
      } else {
        p.b.add(7, d);
      }
    }
    p.reconcile();
  }

  @Test
  void aHundredDifferencesInAHundredThousandTakeAtMostFourRoundTrips() throws Exception {
    ReconcileHarness h = new Pair(12, 100_000, 0, 100, false).reconcile();
    assertThat(h.roundTrips()).isLessThanOrEqualTo(4);
    assertThat(h.bytes / 100.0).isLessThan(64);
    h = new Pair(13, 100_000, 50, 50, false).reconcile();
    assertThat(h.roundTrips()).isLessThanOrEqualTo(4);
    assertThat(h.bytes / 100.0).isLessThan(64);
  }

  @Test
  void smallMessageLimitStillConverges() throws Exception {
    ReconcileLimits small = new ReconcileLimits(ReconcileLimits.MIN_MESSAGE_BYTES, 16, 400);
    Pair p = new Pair(14, 20_000, 3000, 2500, false);
    ReconcileHarness h = ReconcileHarness.run(p.a, p.b, small);
    assertThat(ReconcileHarness.lacks(h.initiator, p.a)).isEqualTo(p.onlyA);
    assertThat(ReconcileHarness.lacks(h.responder, p.b)).isEqualTo(p.onlyB);
  }

  @Test
  void sameSetsGiveTheSameBytes() throws Exception {
    Pair p1 = new Pair(15, 5000, 40, 40, false);
    Pair p2 = new Pair(15, 5000, 40, 40, false);
    ReconcileSession s1 = new ReconcileSession(p1.a, LIMITS);
    ReconcileSession s2 = new ReconcileSession(p2.a, LIMITS);
    byte[] m1 = s1.initiate();
    assertThat(s2.initiate()).isEqualTo(m1);
    ReconcileSession r1 = new ReconcileSession(p1.b, LIMITS);
    ReconcileSession r2 = new ReconcileSession(p2.b, LIMITS);
    assertThat(r2.receive(m1)).get().isEqualTo(r1.receive(m1).get());
  }

  @Test
  void changesBetweenSessionsAreSeen() throws Exception {
    Pair p = new Pair(16, 5000, 0, 0, false);
    ReconcileHarness.run(p.a, p.b, LIMITS);
    Random rnd = new Random(16);
    byte[] old = p.a.digestAt(10);
    long oldKey = p.a.keyAt(10);
    byte[] fresh = ReconcileHarness.randomDigest(rnd);
    p.a.replace(oldKey, old, 99, fresh);
    ReconcileHarness h = ReconcileHarness.run(p.a, p.b, LIMITS);
    assertThat(ReconcileHarness.lacks(h.initiator, p.a)).containsExactly(ByteBuffer.wrap(fresh));
    assertThat(ReconcileHarness.lacks(h.responder, p.b)).containsExactly(ByteBuffer.wrap(old));
  }

  @Test
  void garbageAndMisuseAreRefused() throws Exception {
    Pair p = new Pair(17, 100, 1, 1, false);
    ReconcileSession s = new ReconcileSession(p.b, LIMITS);
    assertThatThrownBy(() -> s.receive(new byte[] {9, 9, 9})).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> s.receive(new byte[LIMITS.maxMessageBytes() + 1]))
        .isInstanceOf(MalformedException.class);
    ReconcileHarness h = ReconcileHarness.run(p.a, p.b, LIMITS);
    byte[] again = new ReconcileSession(p.a, LIMITS).initiate();
    ReconcileSession finished = h.initiator.isDone() ? h.initiator : h.responder;
    assertThatThrownBy(() -> finished.receive(again)).isInstanceOf(MalformedException.class);
  }

  @Test
  void aPeerCannotMakeOneMessageCostMuchCpu() throws Exception {
    // 500 ranges, each with 128 made-up power sums: every one invites a full decode attempt.
    Pair p = new Pair(19, 20_000, 0, 0, false);
    Random rnd = new Random(19);
    List<RangeElement> elements = new ArrayList<>();
    int parts = 500;
    for (int i = 1; i <= parts; i++) {
      int from = (i - 1) * p.b.size() / parts;
      int to = i * p.b.size() / parts;
      long[] sums = new long[ReconcileCodec.MAX_SUMS];
      for (int j = 0; j < sums.length; j++) {
        sums[j] = rnd.nextLong() & (Mod61.P >> 1);
      }
      Bound upper = i == parts ? Bound.INFINITY : p.b.boundBefore(to);
      elements.add(new RangeElement.Sums(upper, to - from, sums));
    }
    byte[] hostile = ReconcileCodec.encode(new ReconcileMessage(p.b.size(), elements));
    ReconcileSession s = new ReconcileSession(p.b, new ReconcileLimits(ReconcileCodec.MAX_MESSAGE_BYTES, 16, 64));
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = mx.getCurrentThreadCpuTime();
    byte[] reply = s.receive(hostile).orElseThrow();
    long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
    // Unchecked this is about 2 billion multiplications (several seconds); the allowance is 2^27.
    assertThat(cpuMs).isLessThan(3000);
    assertThat(ReconcileCodec.decode(reply).isFinished()).isFalse();
  }

  @Test
  void aPeerThatNeverStopsIsCutOff() throws Exception {
    ReconcileLimits limits = new ReconcileLimits(ReconcileLimits.MIN_MESSAGE_BYTES, 16, 3);
    Pair p = new Pair(18, 1000, 10, 10, false);
    ReconcileSession s = new ReconcileSession(p.b, limits);
    byte[] m = new ReconcileSession(p.a, limits).initiate();
    List<Exception> errors = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try {
        s.receive(m);
      } catch (MalformedException e) {
        errors.add(e);
      }
    }
    assertThat(errors).isNotEmpty();
  }
}

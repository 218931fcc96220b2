package org.p2pdns.common.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SyncItemSetTest {
  /** The same items in a plain sorted set: the model the blocked set must agree with. */
  private static final Comparator<byte[]> SORT_KEY = Arrays::compareUnsigned;

  private static byte[] sortKey(long key, byte[] digest) {
    byte[] k = new byte[40];
    SyncItemSet.putWord(k, 0, key);
    System.arraycopy(digest, 0, k, 8, 32);
    return k;
  }

  @Test
  void agreesWithASortedModelThroughInsertsAndRemovals() {
    Random rnd = new Random(3);
    SyncItemSet set = new SyncItemSet();
    TreeSet<byte[]> model = new TreeSet<>(SORT_KEY);
    List<long[]> keys = new ArrayList<>();
    List<byte[]> digests = new ArrayList<>();
    for (int step = 0; step < 30_000; step++) {
      if (digests.isEmpty() || rnd.nextInt(3) > 0) {
        byte[] d = new byte[32];
        rnd.nextBytes(d);
        long key = rnd.nextInt(50); // many ties: order falls to the digest
        assertThat(set.add(key, d)).isTrue();
        assertThat(set.add(key, d)).isFalse();
        model.add(sortKey(key, d));
        keys.add(new long[] {key});
        digests.add(d);
      } else {
        int i = rnd.nextInt(digests.size());
        assertThat(set.remove(keys.get(i)[0], digests.get(i))).isTrue();
        assertThat(set.remove(keys.get(i)[0], digests.get(i))).isFalse();
        model.remove(sortKey(keys.get(i)[0], digests.get(i)));
        keys.remove(i);
        digests.remove(i);
      }
    }
    assertThat(set.size()).isEqualTo(model.size());
    List<byte[]> ordered = new ArrayList<>(model);
    long[] prefix = new long[ordered.size() + 1];
    for (int i = 0; i < ordered.size(); i++) {
      byte[] k = ordered.get(i);
      assertThat(set.keyAt(i)).isEqualTo(SyncItemSet.word(k, 0));
      assertThat(set.digestAt(i)).isEqualTo(Arrays.copyOfRange(k, 8, 40));
      prefix[i + 1] = Mod61.add(prefix[i], Mod61.tagOfLastWord(SyncItemSet.word(k, 32)));
    }
    for (int q = 0; q < 2000; q++) {
      int a = rnd.nextInt(set.size() + 1);
      int b = a + rnd.nextInt(set.size() - a + 1);
      assertThat(set.tagSum(a, b)).isEqualTo(Mod61.sub(prefix[b], prefix[a]));
    }
    assertThat(set.totalSum()).isEqualTo(prefix[ordered.size()]);
    // Every cut separates its two neighbours, and positionOf finds it.
    for (int pos = 1; pos < set.size(); pos += 37) {
      Bound cut = set.boundBefore(pos);
      assertThat(set.positionOf(cut)).isEqualTo(pos);
      assertThat(cut.length()).isLessThanOrEqualTo(Bound.MAX_BYTES);
    }
    assertThat(set.positionOf(Bound.ZERO)).isZero();
    assertThat(set.positionOf(Bound.INFINITY)).isEqualTo(set.size());
  }

  @Test
  void powerSumDecodingFindsBothSidesExtras() {
    Random rnd = new Random(5);
    long[] shared = new long[500];
    for (int i = 0; i < shared.length; i++) {
      shared[i] = rnd.nextLong() & Mod61.P;
    }
    long[] ours = Arrays.copyOf(shared, 503);
    ours[500] = 11;
    ours[501] = 22;
    ours[502] = 33;
    long[] theirs = Arrays.copyOf(shared, 501);
    theirs[500] = 44;
    int n = 6;
    long[] a = PowerSums.of(ours, ours.length, n);
    long[] b = PowerSums.of(theirs, theirs.length, n);
    long[] diff = new long[n];
    for (int j = 0; j < n; j++) {
      diff[j] = Mod61.sub(a[j], b[j]);
    }
    PowerSums.Decoded found = PowerSums.decode(ours, ours.length, diff, n, 2);
    assertThat(found).isNotNull();
    assertThat(found.ourExtras()).containsExactlyInAnyOrder(500, 501, 502);
    // Their one extra is the root of z + m_1.
    assertThat(PowerSums.evaluate(found.theirPolynomial(), 44)).isZero();
    // With too few sums for 3 + 1 differences the decoder declines rather than guess.
    assertThat(PowerSums.decode(ours, ours.length, Arrays.copyOf(diff, 3), 3, 2)).isNull();
  }
}

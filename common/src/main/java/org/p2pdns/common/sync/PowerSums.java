package org.p2pdns.common.sync;

/**
 * Power sums of tags and the decoder that turns a difference of power sums back into the tags it
 * came from. If one side's range holds the other's items plus d extra ones, the differences of
 * their first d power sums are the power sums of the d extras; Newton's identities turn those into
 * the polynomial whose roots are the extras' tags, and the side holding them finds the roots by
 * evaluating that polynomial at each of its own tags (no root finding over the field needed).
 */
final class PowerSums {
  private static final long[] INVERSES = new long[ReconcileCodec.MAX_SUMS + 1];

  static {
    for (int j = 1; j <= ReconcileCodec.MAX_SUMS; j++) {
      INVERSES[j] = Mod61.inverse(j);
    }
  }

  private PowerSums() {}

  /** sums[j] = sum of t^(j+1) over the tags, j = 0..k-1. */
  static long[] of(long[] tags, int n, int k) {
    long[] s = new long[k];
    for (int i = 0; i < n; i++) {
      long t = tags[i];
      long pw = t;
      s[0] = Mod61.add(s[0], pw);
      for (int j = 1; j < k; j++) {
        pw = Mod61.mul(pw, t);
        s[j] = Mod61.add(s[j], pw);
      }
    }
    return s;
  }

  /**
   * The coefficients c[0..d] (c[0] = 1) of the monic polynomial z^d + c[1] z^(d-1) + ... + c[d]
   * whose roots have the power sums p[0..d-1].
   */
  static long[] polynomialFromPowerSums(long[] p, int d) {
    long[] e = new long[d + 1];
    e[0] = 1;
    for (int j = 1; j <= d; j++) {
      long acc = 0;
      for (int i = 1; i <= j; i++) {
        long term = Mod61.mul(e[j - i], p[i - 1]);
        acc = (i & 1) == 1 ? Mod61.add(acc, term) : Mod61.sub(acc, term);
      }
      e[j] = Mod61.mul(acc, INVERSES[j]);
    }
    long[] c = new long[d + 1];
    for (int j = 0; j <= d; j++) {
      c[j] = (j & 1) == 0 ? e[j] : Mod61.sub(0, e[j]);
    }
    return c;
  }

  static long evaluate(long[] c, long t) {
    long v = c[0];
    for (int j = 1; j < c.length; j++) {
      v = Mod61.add(Mod61.mul(v, t), c[j]);
    }
    return v;
  }
}

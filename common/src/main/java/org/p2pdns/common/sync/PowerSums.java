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

  /** What a two-sided decode found: the positions of our extras and the polynomial of theirs. */
  record Decoded(int[] ourExtras, long[] theirPolynomial) {}

  /**
   * Decodes a range where this side holds extras X and the peer extras Y, |X| - |Y| = delta,
   * from the differences of the first n power sums (ours minus theirs). Those are the power sums
   * of X minus those of Y, so exp(-sum D_j z^j / j) = prod(1 - xz) / prod(1 - yz): a rational
   * function whose numerator and denominator degrees (|X|, |Y|) are found by trying |Y| = 0, 1, ...
   * with |X| + |Y| &lt;= n (a Pade approximant), and whose numerator's roots are then looked for
   * among our own tags. The sums beyond |X| + |Y| verify the guess.
   *
   * @return null if no split of at most n differences fits
   */
  static Decoded decode(long[] tags, int m, long[] diff, int n, long delta) {
    long[] f = new long[n + 1];
    f[0] = 1;
    for (int j = 1; j <= n; j++) {
      long acc = 0;
      for (int i = 1; i <= j; i++) {
        acc = Mod61.add(acc, Mod61.mul(diff[i - 1], f[j - i]));
      }
      f[j] = Mod61.sub(0, Mod61.mul(acc, INVERSES[j]));
    }
    for (int b = 0; ; b++) {
      long a = delta + b;
      if (a < 0) {
        continue;
      }
      if (a + b > n) {
        return null;
      }
      long[] den = denominator(f, (int) a, b);
      if (den == null) {
        continue;
      }
      if (!tailVanishes(f, den, (int) a, b, n)) {
        continue;
      }
      long[] num = new long[(int) a + 1];
      for (int k = 0; k <= a; k++) {
        long v = 0;
        for (int i = 0; i <= Math.min(k, b); i++) {
          v = Mod61.add(v, Mod61.mul(den[i], f[k - i]));
        }
        num[k] = v;
      }
      int[] roots = new int[(int) a];
      int found = 0;
      boolean tooMany = false;
      for (int i = 0; i < m && a > 0; i++) {
        if (evaluate(num, tags[i]) == 0) {
          if (found == a) {
            tooMany = true;
            break;
          }
          roots[found++] = i;
        }
      }
      if (!tooMany && found == a) {
        return new Decoded(roots, den);
      }
    }
  }

  /**
   * The denominator 1 + m_1 z + ... + m_b z^b making the coefficients a+1..a+b of f times it
   * vanish, or null if that system is singular.
   */
  private static long[] denominator(long[] f, int a, int b) {
    long[][] rows = new long[b][b + 1];
    for (int r = 0; r < b; r++) {
      int k = a + 1 + r;
      for (int c = 0; c < b; c++) {
        int idx = k - (c + 1);
        rows[r][c] = idx >= 0 ? f[idx] : 0;
      }
      rows[r][b] = Mod61.sub(0, f[k]);
    }
    for (int col = 0; col < b; col++) {
      int pivot = -1;
      for (int r = col; r < b; r++) {
        if (rows[r][col] != 0) {
          pivot = r;
          break;
        }
      }
      if (pivot < 0) {
        return null;
      }
      long[] tmp = rows[col];
      rows[col] = rows[pivot];
      rows[pivot] = tmp;
      long inv = Mod61.inverse(rows[col][col]);
      for (int c = col; c <= b; c++) {
        rows[col][c] = Mod61.mul(rows[col][c], inv);
      }
      for (int r = 0; r < b; r++) {
        if (r != col && rows[r][col] != 0) {
          long factor = rows[r][col];
          for (int c = col; c <= b; c++) {
            rows[r][c] = Mod61.sub(rows[r][c], Mod61.mul(factor, rows[col][c]));
          }
        }
      }
    }
    long[] den = new long[b + 1];
    den[0] = 1;
    for (int r = 0; r < b; r++) {
      den[r + 1] = rows[r][b];
    }
    return den;
  }

  /** True if f times the denominator has no terms between degree a+b+1 and n: the extra sums agree. */
  private static boolean tailVanishes(long[] f, long[] den, int a, int b, int n) {
    for (int k = a + b + 1; k <= n; k++) {
      long v = 0;
      for (int i = 0; i <= b; i++) {
        v = Mod61.add(v, Mod61.mul(den[i], f[k - i]));
      }
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  static long evaluate(long[] c, long t) {
    long v = c[0];
    for (int j = 1; j < c.length; j++) {
      v = Mod61.add(Mod61.mul(v, t), c[j]);
    }
    return v;
  }
}

package org.p2pdns.common.sync;

/**
 * Arithmetic modulo the Mersenne prime p = 2^61 - 1, the field the reconciliation fingerprints
 * and power sums live in. A Mersenne modulus reduces with shifts, and a prime one lets the
 * decoder divide (Newton's identities need 1/j).
 */
public final class Mod61 {
  /** The modulus, 2^61 - 1. */
  public static final long P = (1L << 61) - 1;

  private Mod61() {}

  public static long add(long a, long b) {
    long s = a + b;
    return s >= P ? s - P : s;
  }

  public static long sub(long a, long b) {
    long d = a - b;
    return d < 0 ? d + P : d;
  }

  public static long mul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    // a*b = hi*2^64 + lo; 2^61 == 1 (mod p), so fold the bits above 61 back onto the low 61.
    long folded = (lo & P) + ((lo >>> 61) | (hi << 3));
    return folded >= P ? folded - P : folded;
  }

  public static long pow(long base, long exp) {
    long result = 1;
    long b = base;
    long e = exp;
    while (e > 0) {
      if ((e & 1) != 0) {
        result = mul(result, b);
      }
      b = mul(b, b);
      e >>>= 1;
    }
    return result;
  }

  /** The inverse of a non-zero element (Fermat: a^(p-2)). */
  public static long inverse(long a) {
    if (a == 0) {
      throw new ArithmeticException("0 has no inverse");
    }
    return pow(a, P - 2);
  }

  /**
   * The tag of a 32-byte record digest: its last 8 bytes (big-endian) reduced into the field. Tags
   * are what fingerprints sum and what id lists carry; digests are uniform, so tags are too.
   */
  public static long tagOfLastWord(long lastWord) {
    long t = lastWord & P;
    return t == P ? 0 : t;
  }
}

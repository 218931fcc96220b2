package org.p2pdns.common.sync;

import java.util.Arrays;

/**
 * A point in the order of sync items: a prefix of an item's 40-byte sort key (8-byte key, then the
 * 32-byte digest), compared as if padded with zero bytes, or infinity. A range [lower, upper)
 * holds the items with lower &lt;= item &lt; upper. Bounds are cut as short as the two items they
 * separate allow, which keeps them to 2-4 bytes on the wire for uniform keys.
 */
public final class Bound implements Comparable<Bound> {
  public static final int MAX_BYTES = 40;
  /** Below every item. */
  public static final Bound ZERO = new Bound(new byte[0], false);
  /** Above every item. */
  public static final Bound INFINITY = new Bound(new byte[0], true);

  private final byte[] prefix;
  private final boolean infinite;
  private final long[] words;

  private Bound(byte[] prefix, boolean infinite) {
    this.prefix = prefix;
    this.infinite = infinite;
    this.words = new long[5];
    for (int i = 0; i < prefix.length; i++) {
      words[i / 8] |= (prefix[i] & 0xffL) << (56 - 8 * (i % 8));
    }
  }

  /** A finite bound from its prefix bytes (at most 40). */
  public static Bound of(byte[] prefix) {
    if (prefix.length > MAX_BYTES) {
      throw new IllegalArgumentException("bound of " + prefix.length + " bytes exceeds " + MAX_BYTES);
    }
    return new Bound(prefix.clone(), false);
  }

  public boolean isInfinite() {
    return infinite;
  }

  /** The prefix bytes; empty for {@link #ZERO} and {@link #INFINITY}. */
  public byte[] prefix() {
    return prefix.clone();
  }

  public int length() {
    return prefix.length;
  }

  byte byteAt(int i) {
    return prefix[i];
  }

  /** Compares an item's sort key (key, then the digest as four big-endian words) to this bound. */
  int compareItem(long key, long w0, long w1, long w2, long w3) {
    if (infinite) {
      return -1;
    }
    int c = Long.compareUnsigned(key, words[0]);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w0, words[1]);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w1, words[2]);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w2, words[3]);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(w3, words[4]);
  }

  @Override
  public int compareTo(Bound o) {
    if (infinite || o.infinite) {
      return Boolean.compare(infinite, o.infinite);
    }
    for (int i = 0; i < 5; i++) {
      int c = Long.compareUnsigned(words[i], o.words[i]);
      if (c != 0) {
        return c;
      }
    }
    // Equal once padded: the shorter prefix is the same point; order by length for a total order.
    return Integer.compare(prefix.length, o.prefix.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bound b && b.infinite == infinite && Arrays.equals(b.prefix, prefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(prefix) * 31 + (infinite ? 1 : 0);
  }

  @Override
  public String toString() {
    if (infinite) {
      return "Bound(inf)";
    }
    StringBuilder sb = new StringBuilder("Bound(");
    for (byte b : prefix) {
      sb.append(String.format("%02x", b));
    }
    return sb.append(')').toString();
  }
}

package org.p2pdns.common.sync;

import java.util.Arrays;

/**
 * One range of a reconciliation message. Ranges are contiguous: each covers [the previous
 * element's upper bound (or {@link Bound#ZERO}), its own upper bound), and the last one ends at
 * {@link Bound#INFINITY}. Layout of each kind: docs/protocol.md, part 4.
 */
public sealed interface RangeElement
    permits RangeElement.Skip, RangeElement.Sums, RangeElement.Ids, RangeElement.Need,
    RangeElement.Poly {

  Bound upper();

  /** Nothing left to do in this range. */
  record Skip(Bound upper) implements RangeElement {}

  /**
   * The sender's summary of the range: its item count and the first n power sums of its tags
   * modulo 2^61-1 (sums[0] = sum of t, sums[1] = sum of t^2, ...). The first sum is the
   * fingerprint; more sums let the side holding d extra items name them (d &lt;= n).
   */
  record Sums(Bound upper, long count, long[] sums) implements RangeElement {
    public Sums {
      if (count < 0) {
        throw new IllegalArgumentException("negative count");
      }
      if ((count == 0) != (sums.length == 0)) {
        throw new IllegalArgumentException("an empty range has no sums, any other at least one");
      }
      sums = sums.clone();
    }

    @Override
    public long[] sums() {
      return sums.clone();
    }

    long sum(int i) {
      return sums[i];
    }

    int sumCount() {
      return sums.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sums s && s.upper.equals(upper) && s.count == count
          && Arrays.equals(s.sums, sums);
    }

    @Override
    public int hashCode() {
      return upper.hashCode() * 31 + Long.hashCode(count) * 7 + Arrays.hashCode(sums);
    }

    @Override
    public String toString() {
      return "Sums[" + upper + ", count=" + count + ", sums=" + sums.length + "]";
    }
  }

  /** Every item the sender holds in a small range, as tags in item order. */
  record Ids(Bound upper, long[] tags) implements RangeElement {
    public Ids {
      tags = tags.clone();
    }

    @Override
    public long[] tags() {
      return tags.clone();
    }

    int size() {
      return tags.length;
    }

    long tag(int i) {
      return tags[i];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ids s && s.upper.equals(upper) && Arrays.equals(s.tags, tags);
    }

    @Override
    public int hashCode() {
      return upper.hashCode() * 31 + Arrays.hashCode(tags);
    }

    @Override
    public String toString() {
      return "Ids[" + upper + ", " + tags.length + " tags]";
    }
  }

  /** The answer to {@link Ids}: the tags of that list the sender does not hold. */
  record Need(Bound upper, long[] tags) implements RangeElement {
    public Need {
      if (tags.length == 0) {
        throw new IllegalArgumentException("a need names at least one tag");
      }
      tags = tags.clone();
    }

    @Override
    public long[] tags() {
      return tags.clone();
    }

    int size() {
      return tags.length;
    }

    long tag(int i) {
      return tags[i];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Need s && s.upper.equals(upper) && Arrays.equals(s.tags, tags);
    }

    @Override
    public int hashCode() {
      return upper.hashCode() * 31 + Arrays.hashCode(tags);
    }

    @Override
    public String toString() {
      return "Need[" + upper + ", " + tags.length + " tags]";
    }
  }

  /**
   * "Your extra items here are the roots of z^b + c[0] z^(b-1) + ... + c[b-1]": sent by a side
   * that decoded both directions of a range from the peer's power sums, so the peer can find its
   * b extras among its own tags without another exchange of sums.
   */
  record Poly(Bound upper, long[] coefficients) implements RangeElement {
    public Poly {
      if (coefficients.length == 0) {
        throw new IllegalArgumentException("a polynomial of degree 0 names nothing");
      }
      coefficients = coefficients.clone();
    }

    @Override
    public long[] coefficients() {
      return coefficients.clone();
    }

    int degree() {
      return coefficients.length;
    }

    /** The monic polynomial as Horner coefficients, highest first. */
    long[] monic() {
      long[] c = new long[coefficients.length + 1];
      c[0] = 1;
      System.arraycopy(coefficients, 0, c, 1, coefficients.length);
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Poly s && s.upper.equals(upper) && Arrays.equals(s.coefficients, coefficients);
    }

    @Override
    public int hashCode() {
      return upper.hashCode() * 31 + Arrays.hashCode(coefficients);
    }

    @Override
    public String toString() {
      return "Poly[" + upper + ", degree " + coefficients.length + "]";
    }
  }
}

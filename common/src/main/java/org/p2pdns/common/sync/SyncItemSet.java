package org.p2pdns.common.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * The sorted set of (key, digest) items one side reconciles: every record it holds, ordered by a
 * 64-bit key (unsigned) and then by the 32-byte digest. It answers the questions a reconciliation
 * asks in logarithmic time: how many items lie below a bound, and the fingerprint (count and sum
 * of tags modulo 2^61-1) of any run of positions.
 *
 * <p>Items live in blocks of at most {@value #BLOCK_MAX}; each block keeps the running sum of its
 * tags, and a directory over the blocks keeps their starting positions and the sum before each.
 * An insert or removal costs one block's shift plus an O(blocks) directory refresh on the next
 * query, so a node's store can change between sessions (and between messages) without any range
 * fingerprint being recomputed from its items.
 *
 * <p>Not thread-safe: the owner serializes changes and reconciliation steps.
 */
public final class SyncItemSet {
  static final int BLOCK_MAX = 1024;

  private final ArrayList<Block> blocks = new ArrayList<>();
  private int size;
  private long totalSum;
  private boolean directoryStale = true;
  private int[] blockStart = new int[0];
  private long[] sumBefore = new long[0];

  public SyncItemSet() {
    blocks.add(new Block(16));
  }

  public int size() {
    return size;
  }

  /** Sum of all tags modulo 2^61-1. */
  public long totalSum() {
    return totalSum;
  }

  /** Adds an item; false if it was already there. */
  public boolean add(long key, byte[] digest) {
    checkDigest(digest);
    long w0 = word(digest, 0);
    long w1 = word(digest, 8);
    long w2 = word(digest, 16);
    long w3 = word(digest, 24);
    int bi = blockFor(key, w0, w1, w2, w3);
    Block b = blocks.get(bi);
    int at = b.search(key, w0, w1, w2, w3);
    if (at >= 0) {
      return false;
    }
    int insertedAt = -at - 1;
    b.insert(insertedAt, key, w0, w1, w2, w3);
    if (b.n > BLOCK_MAX) {
      // Appending in order (a bulk load, or keys that grow with time) leaves full blocks behind.
      blocks.add(bi + 1, b.splitOff(insertedAt == b.n - 1 ? b.n - 1 : b.n / 2));
    }
    size++;
    totalSum = Mod61.add(totalSum, Mod61.tagOfLastWord(w3));
    directoryStale = true;
    return true;
  }

  /** Removes an item; false if it was not there. */
  public boolean remove(long key, byte[] digest) {
    checkDigest(digest);
    long w0 = word(digest, 0);
    long w1 = word(digest, 8);
    long w2 = word(digest, 16);
    long w3 = word(digest, 24);
    int bi = blockFor(key, w0, w1, w2, w3);
    Block b = blocks.get(bi);
    int at = b.search(key, w0, w1, w2, w3);
    if (at < 0) {
      return false;
    }
    b.delete(at);
    if (b.n == 0 && blocks.size() > 1) {
      blocks.remove(bi);
    }
    size--;
    totalSum = Mod61.sub(totalSum, Mod61.tagOfLastWord(w3));
    directoryStale = true;
    return true;
  }

  /** A record changed: its old version leaves, its new one enters. */
  public void replace(long oldKey, byte[] oldDigest, long newKey, byte[] newDigest) {
    remove(oldKey, oldDigest);
    add(newKey, newDigest);
  }

  public boolean contains(long key, byte[] digest) {
    checkDigest(digest);
    long w0 = word(digest, 0);
    long w1 = word(digest, 8);
    long w2 = word(digest, 16);
    long w3 = word(digest, 24);
    return blocks.get(blockFor(key, w0, w1, w2, w3)).search(key, w0, w1, w2, w3) >= 0;
  }

  /** The number of items below the bound, which is also the position of the first item at or above it. */
  public int positionOf(Bound bound) {
    if (bound.isInfinite()) {
      return size;
    }
    refreshDirectory();
    // The last block whose first item is below the bound holds the answer.
    int lo = 0;
    int hi = blocks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      Block b = blocks.get(mid);
      if (b.n > 0 && bound.compareItem(b.keys[0], b.w0[0], b.w1[0], b.w2[0], b.w3[0]) < 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    Block b = blocks.get(lo);
    int l = 0;
    int h = b.n;
    while (l < h) {
      int mid = (l + h) >>> 1;
      if (bound.compareItem(b.keys[mid], b.w0[mid], b.w1[mid], b.w2[mid], b.w3[mid]) < 0) {
        l = mid + 1;
      } else {
        h = mid;
      }
    }
    return blockStart[lo] + l;
  }

  /** Sum of the tags of positions [from, to) modulo 2^61-1. */
  public long tagSum(int from, int to) {
    checkRange(from, to);
    return Mod61.sub(prefixSum(to), prefixSum(from));
  }

  private long prefixSum(int pos) {
    if (pos == size) {
      return totalSum;
    }
    refreshDirectory();
    int bi = blockIndexOf(pos);
    return Mod61.add(sumBefore[bi], blocks.get(bi).prefix[pos - blockStart[bi]]);
  }

  /** The tag of the item at a position. */
  public long tagAt(int pos) {
    Cursor c = cursor(pos);
    return Mod61.tagOfLastWord(c.block.w3[c.offset]);
  }

  /** Fills {@code out} with the tags of positions [from, to). */
  public void tags(int from, int to, long[] out) {
    checkRange(from, to);
    if (to == from) {
      return;
    }
    Cursor c = cursor(from);
    for (int i = 0; i < to - from; i++) {
      out[i] = Mod61.tagOfLastWord(c.block.w3[c.offset]);
      c.next();
    }
  }

  public long keyAt(int pos) {
    Cursor c = cursor(pos);
    return c.block.keys[c.offset];
  }

  public byte[] digestAt(int pos) {
    Cursor c = cursor(pos);
    Block b = c.block;
    int o = c.offset;
    byte[] d = new byte[32];
    putWord(d, 0, b.w0[o]);
    putWord(d, 8, b.w1[o]);
    putWord(d, 16, b.w2[o]);
    putWord(d, 24, b.w3[o]);
    return d;
  }

  /** The 40-byte sort key of the item at a position. */
  byte[] sortKeyAt(int pos) {
    Cursor c = cursor(pos);
    Block b = c.block;
    int o = c.offset;
    byte[] k = new byte[Bound.MAX_BYTES];
    putWord(k, 0, b.keys[o]);
    putWord(k, 8, b.w0[o]);
    putWord(k, 16, b.w1[o]);
    putWord(k, 24, b.w2[o]);
    putWord(k, 32, b.w3[o]);
    return k;
  }

  /**
   * The shortest bound that separates position pos-1 from pos: above the first, at or below the
   * second. Both sides then agree on which items the bound cuts off, whatever else they hold.
   */
  public Bound boundBefore(int pos) {
    if (pos <= 0 || pos >= size) {
      throw new IndexOutOfBoundsException("no item pair around " + pos);
    }
    byte[] a = sortKeyAt(pos - 1);
    byte[] b = sortKeyAt(pos);
    int d = 0;
    while (a[d] == b[d]) {
      d++;
    }
    byte[] p = new byte[d + 1];
    System.arraycopy(b, 0, p, 0, d + 1);
    return Bound.of(p);
  }

  /** How many items lie in a range. */
  public int count(KeyRange range) {
    return positionOf(range.upper()) - positionOf(range.lower());
  }

  /** All digests in positions [from, to), in order. */
  public List<byte[]> digests(int from, int to) {
    checkRange(from, to);
    List<byte[]> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(digestAt(i));
    }
    return out;
  }

  private void checkRange(int from, int to) {
    if (from < 0 || to > size || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size);
    }
  }

  private Cursor cursor(int pos) {
    if (pos < 0 || pos >= size) {
      throw new IndexOutOfBoundsException("position " + pos + " of " + size);
    }
    refreshDirectory();
    int bi = blockIndexOf(pos);
    return new Cursor(bi, pos - blockStart[bi]);
  }

  private int blockIndexOf(int pos) {
    int lo = 0;
    int hi = blocks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (blockStart[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    // Skip empty blocks that share the start (only the last block can be empty).
    while (lo < blocks.size() - 1 && blocks.get(lo).n == 0) {
      lo++;
    }
    return lo;
  }

  private void refreshDirectory() {
    if (!directoryStale) {
      return;
    }
    int n = blocks.size();
    if (blockStart.length != n) {
      blockStart = new int[n];
      sumBefore = new long[n];
    }
    int pos = 0;
    long sum = 0;
    for (int i = 0; i < n; i++) {
      Block b = blocks.get(i);
      blockStart[i] = pos;
      sumBefore[i] = sum;
      pos += b.n;
      sum = Mod61.add(sum, b.prefix[b.n]);
    }
    directoryStale = false;
  }

  /** The block an item belongs in: the last one whose first item is not above it. */
  private int blockFor(long key, long w0, long w1, long w2, long w3) {
    int lo = 0;
    int hi = blocks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      Block b = blocks.get(mid);
      if (compare(b.keys[0], b.w0[0], b.w1[0], b.w2[0], b.w3[0], key, w0, w1, w2, w3) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  static int compare(long k1, long a0, long a1, long a2, long a3,
      long k2, long b0, long b1, long b2, long b3) {
    int c = Long.compareUnsigned(k1, k2);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a0, b0);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a1, b1);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(a2, b2);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(a3, b3);
  }

  private static void checkDigest(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("digest of " + digest.length + " bytes, want 32");
    }
  }

  static long word(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  static void putWord(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private final class Cursor {
    int blockIndex;
    Block block;
    int offset;

    Cursor(int blockIndex, int offset) {
      this.blockIndex = blockIndex;
      this.block = blocks.get(blockIndex);
      this.offset = offset;
    }

    void next() {
      offset++;
      while (offset >= block.n && blockIndex < blocks.size() - 1) {
        blockIndex++;
        block = blocks.get(blockIndex);
        offset = 0;
      }
    }
  }

  /** A sorted run of items with the running sum of their tags (prefix[i] = sum of tags 0..i-1). */
  private static final class Block {
    int n;
    long[] keys;
    long[] w0;
    long[] w1;
    long[] w2;
    long[] w3;
    long[] prefix;

    Block(int capacity) {
      keys = new long[capacity];
      w0 = new long[capacity];
      w1 = new long[capacity];
      w2 = new long[capacity];
      w3 = new long[capacity];
      prefix = new long[capacity + 1];
    }

    /** Index of the item, or -(insertion point) - 1. */
    int search(long key, long a0, long a1, long a2, long a3) {
      int lo = 0;
      int hi = n - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = compare(keys[mid], w0[mid], w1[mid], w2[mid], w3[mid], key, a0, a1, a2, a3);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -lo - 1;
    }

    void insert(int at, long key, long a0, long a1, long a2, long a3) {
      if (n == keys.length) {
        grow(Math.min(BLOCK_MAX + 1, Math.max(16, keys.length * 2)));
      }
      int tail = n - at;
      System.arraycopy(keys, at, keys, at + 1, tail);
      System.arraycopy(w0, at, w0, at + 1, tail);
      System.arraycopy(w1, at, w1, at + 1, tail);
      System.arraycopy(w2, at, w2, at + 1, tail);
      System.arraycopy(w3, at, w3, at + 1, tail);
      keys[at] = key;
      w0[at] = a0;
      w1[at] = a1;
      w2[at] = a2;
      w3[at] = a3;
      n++;
      recomputePrefix(at);
    }

    void delete(int at) {
      int tail = n - at - 1;
      System.arraycopy(keys, at + 1, keys, at, tail);
      System.arraycopy(w0, at + 1, w0, at, tail);
      System.arraycopy(w1, at + 1, w1, at, tail);
      System.arraycopy(w2, at + 1, w2, at, tail);
      System.arraycopy(w3, at + 1, w3, at, tail);
      n--;
      recomputePrefix(at);
    }

    Block splitOff(int half) {
      int moved = n - half;
      Block upper = new Block(Math.max(16, moved));
      System.arraycopy(keys, half, upper.keys, 0, moved);
      System.arraycopy(w0, half, upper.w0, 0, moved);
      System.arraycopy(w1, half, upper.w1, 0, moved);
      System.arraycopy(w2, half, upper.w2, 0, moved);
      System.arraycopy(w3, half, upper.w3, 0, moved);
      upper.n = moved;
      upper.recomputePrefix(0);
      n = half;
      // A block split in the middle keeps a quarter of room to grow, not half its arrays empty.
      int target = Math.max(16, half + half / 4);
      if (keys.length > target) {
        grow(target);
      }
      return upper;
    }

    private void grow(int capacity) {
      keys = java.util.Arrays.copyOf(keys, capacity);
      w0 = java.util.Arrays.copyOf(w0, capacity);
      w1 = java.util.Arrays.copyOf(w1, capacity);
      w2 = java.util.Arrays.copyOf(w2, capacity);
      w3 = java.util.Arrays.copyOf(w3, capacity);
      prefix = java.util.Arrays.copyOf(prefix, capacity + 1);
    }

    private void recomputePrefix(int from) {
      for (int i = from; i < n; i++) {
        prefix[i + 1] = Mod61.add(prefix[i], Mod61.tagOfLastWord(w3[i]));
      }
    }
  }
}

package org.p2pdns.frontend.cache;

import java.util.List;

/**
 * One cached answer: its wire bytes and where in them the TTLs are, so that a copy can be served
 * with the TTLs lowered by the time spent in the cache.
 */
public final class CachedAnswer {
  private static final int HEADER = 12;
  private static final int TYPE_OPT = 41;

  private final byte[] wire;
  private final int[] ttlOffsets;
  private final long[] ttls;
  private final long storedAtMillis;
  private final long expiresAtMillis;
  private final List<String> tags;

  private CachedAnswer(byte[] wire, int[] ttlOffsets, long[] ttls, long storedAtMillis,
      long expiresAtMillis, List<String> tags) {
    this.wire = wire;
    this.ttlOffsets = ttlOffsets;
    this.ttls = ttls;
    this.storedAtMillis = storedAtMillis;
    this.expiresAtMillis = expiresAtMillis;
    this.tags = List.copyOf(tags);
  }

  /** Indexes the TTLs of {@code wire}; null if the bytes are not one well-formed message. */
  static CachedAnswer of(byte[] wire, long now, long lifetimeMillis, List<String> tags) {
    if (wire.length < HEADER) {
      return null;
    }
    int qd = u16(wire, 4);
    int rrs = u16(wire, 6) + u16(wire, 8) + u16(wire, 10);
    int[] offsets = new int[rrs];
    long[] ttls = new long[rrs];
    int n = 0;
    int p = HEADER;
    try {
      for (int i = 0; i < qd; i++) {
        p = skipName(wire, p) + 4;
      }
      for (int i = 0; i < rrs; i++) {
        p = skipName(wire, p);
        int type = u16(wire, p);
        if (type != TYPE_OPT) {
          offsets[n] = p + 4;
          ttls[n] = ((long) u16(wire, p + 4) << 16) | u16(wire, p + 6);
          n++;
        }
        p += 10 + u16(wire, p + 8);
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      return null;
    }
    if (p != wire.length) {
      return null;
    }
    return new CachedAnswer(wire, java.util.Arrays.copyOf(offsets, n),
        java.util.Arrays.copyOf(ttls, n), now, now + lifetimeMillis, tags);
  }

  public int length() {
    return wire.length;
  }

  public long expiresAtMillis() {
    return expiresAtMillis;
  }

  public List<String> tags() {
    return tags;
  }

  /**
   * A copy for one query: its id, its RD bit and its question name bytes (same length, maybe
   * other letter case) at {@code [12, qnameEnd)}; TTLs lowered by the whole seconds cached.
   */
  public byte[] render(byte[] query, int qnameEnd, long nowMillis) {
    byte[] out = wire.clone();
    out[0] = query[0];
    out[1] = query[1];
    out[2] = (byte) ((out[2] & ~0x01) | (query[2] & 0x01));
    System.arraycopy(query, HEADER, out, HEADER, qnameEnd - HEADER);
    long elapsed = (nowMillis - storedAtMillis) / 1000;
    if (elapsed > 0) {
      for (int i = 0; i < ttlOffsets.length; i++) {
        long ttl = Math.max(0, ttls[i] - elapsed);
        int o = ttlOffsets[i];
        out[o] = (byte) (ttl >>> 24);
        out[o + 1] = (byte) (ttl >>> 16);
        out[o + 2] = (byte) (ttl >>> 8);
        out[o + 3] = (byte) ttl;
      }
    }
    return out;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
  }

  private static int skipName(byte[] b, int p) {
    while (true) {
      int len = b[p] & 0xFF;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xC0) == 0xC0) {
        return p + 2;
      }
      if ((len & 0xC0) != 0) {
        throw new ArrayIndexOutOfBoundsException("bad label type");
      }
      p += 1 + len;
    }
  }
}

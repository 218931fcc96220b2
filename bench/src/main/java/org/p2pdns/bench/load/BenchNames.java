package org.p2pdns.bench.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * The benchmark's names and their resource records, a pure function of the index: the signed
 * records submitted to the node and the zone file served by Knot are made from the same
 * {@link Record} objects, so both servers answer the same data.
 *
 * <p>Name {@code i} (1-based) is {@code n0000042.SUFFIX} with one A record {@code 10.x.y.z} (the
 * index in the low 24 bits); every {@value #AAAA_EVERY}th also has an AAAA record and every
 * {@value #TXT_EVERY}th a TXT record, so the records are not all of one shape.
 */
public record BenchNames(String suffix, int count, long ttl) {
  public static final int AAAA_EVERY = 50;
  public static final int TXT_EVERY = 500;
  /** A, plus at most AAAA and TXT. */
  public static final int MAX_RRS_PER_NAME = 3;

  public BenchNames {
    if (count < 1 || count > 16_000_000) {
      throw new IllegalArgumentException("between 1 and 16,000,000 names (the A record holds the "
          + "index in 24 bits), not " + count);
    }
    if (ttl < 0 || ttl > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("TTL outside 0..2^31-1: " + ttl);
    }
  }

  /** Digits of the index in a name: at least 7, so 100,000 names sort as they count. */
  private int width() {
    return Math.max(7, Integer.toString(count).length());
  }

  /** The registrable name of index {@code i} (1-based), lower case, no trailing dot. */
  public String name(int i) {
    checkIndex(i);
    String digits = Integer.toString(i);
    StringBuilder b = new StringBuilder(1 + width() + 1 + suffix.length()).append('n');
    for (int pad = width() - digits.length(); pad > 0; pad--) {
      b.append('0');
    }
    return b.append(digits).append('.').append(suffix).toString();
  }

  /** The resource records of index {@code i}, all owned by {@link #name(int)} itself. */
  public List<Record> rrs(int i) {
    checkIndex(i);
    Name owner;
    try {
      owner = Name.fromString(name(i) + ".");
    } catch (TextParseException e) {
      throw new IllegalStateException("bench names are valid DNS names: " + name(i), e);
    }
    List<Record> out = new ArrayList<>(MAX_RRS_PER_NAME);
    out.add(new ARecord(owner, DClass.IN, ttl, address(new byte[] {
        10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i})));
    if (i % AAAA_EVERY == 0) {
      byte[] v6 = new byte[16];
      v6[0] = 0x20;
      v6[1] = 0x01;
      v6[2] = 0x0d;
      v6[3] = (byte) 0xb8;
      for (int k = 0; k < 4; k++) {
        v6[12 + k] = (byte) (i >>> (24 - 8 * k));
      }
      out.add(new AAAARecord(owner, DClass.IN, ttl, address(v6)));
    }
    if (i % TXT_EVERY == 0) {
      out.add(new TXTRecord(owner, DClass.IN, ttl, "p2pdns benchmark record " + i));
    }
    return out;
  }

  private static InetAddress address(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are an address", e);
    }
  }

  private void checkIndex(int i) {
    if (i < 1 || i > count) {
      throw new IndexOutOfBoundsException("index " + i + " outside 1.." + count);
    }
  }
}

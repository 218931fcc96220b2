package org.p2pdns.common.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * Bytes of a {@link ReconcileMessage}: {@code u8 version, varint senderTotal}, then elements of
 * {@code bound, u8 type, payload} until the element whose bound is infinity, which must end the
 * message. Bounds share their leading bytes with the previous bound. Full layout:
 * docs/protocol.md, part 4.
 */
public final class ReconcileCodec {
  public static final int VERSION = 1;
  /** The most power sums one range may carry, and the highest degree of a polynomial. */
  public static final int MAX_SUMS = 128;
  /** The most tags one id list or need list may carry. */
  public static final int MAX_LIST = 64;
  /** No message is larger than this, whatever a session's own limit. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  static final int SKIP = 0;
  static final int SUMS = 1;
  static final int IDS = 2;
  static final int NEED = 3;
  static final int POLY = 4;

  private static final int BOUND_INFINITE = 0xFF;
  private static final int BOUND_LONG_FORM = 0xFE;
  private static final long MAX_COUNT = 1L << 40;

  private ReconcileCodec() {}

  public static byte[] encode(ReconcileMessage m) {
    WireWriter w = new WireWriter(64 + 16 * m.elements().size());
    w.u8(VERSION);
    writeVarint(w, m.senderTotal());
    Bound previous = Bound.ZERO;
    for (RangeElement e : m.elements()) {
      writeBound(w, previous, e.upper());
      previous = e.upper();
      if (e instanceof RangeElement.Skip) {
        w.u8(SKIP);
      } else if (e instanceof RangeElement.Sums s) {
        w.u8(SUMS);
        writeVarint(w, s.count());
        if (s.count() > 0) {
          w.u8(s.sumCount());
          for (int i = 0; i < s.sumCount(); i++) {
            w.i64(s.sum(i));
          }
        }
      } else if (e instanceof RangeElement.Ids ids) {
        w.u8(IDS).u8(ids.size());
        for (int i = 0; i < ids.size(); i++) {
          w.i64(ids.tag(i));
        }
      } else if (e instanceof RangeElement.Need need) {
        w.u8(NEED).u8(need.size());
        for (int i = 0; i < need.size(); i++) {
          w.i64(need.tag(i));
        }
      } else if (e instanceof RangeElement.Poly poly) {
        long[] c = poly.coefficients();
        w.u8(POLY).u8(c.length);
        for (long v : c) {
          w.i64(v);
        }
      }
    }
    return w.toByteArray();
  }

  /** The encoded size of one element after {@code previous}, without encoding the message. */
  static int encodedSize(Bound previous, RangeElement e) {
    int n = boundSize(previous, e.upper()) + 1;
    if (e instanceof RangeElement.Sums s) {
      n += varintSize(s.count()) + (s.count() > 0 ? 1 + 8 * s.sumCount() : 0);
    } else if (e instanceof RangeElement.Ids ids) {
      n += 1 + 8 * ids.size();
    } else if (e instanceof RangeElement.Need need) {
      n += 1 + 8 * need.size();
    } else if (e instanceof RangeElement.Poly poly) {
      n += 1 + 8 * poly.degree();
    }
    return n;
  }

  public static ReconcileMessage decode(byte[] bytes) throws MalformedException {
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new MalformedException("reconcile message of " + bytes.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("version");
    if (version != VERSION) {
      throw new MalformedException("reconcile version " + version + ", want " + VERSION);
    }
    long total = readVarint(r, "sender total");
    if (total > MAX_COUNT) {
      throw new MalformedException("sender total " + total + " out of range");
    }
    List<RangeElement> elements = new ArrayList<>();
    Bound previous = Bound.ZERO;
    while (true) {
      Bound upper = readBound(r, previous);
      if (upper.compareTo(previous) <= 0 && !elements.isEmpty()) {
        throw new MalformedException("range bound does not increase: " + upper + " after " + previous);
      }
      int type = r.u8("range type");
      switch (type) {
        case SKIP:
          elements.add(new RangeElement.Skip(upper));
          break;
        case SUMS: {
          long count = readVarint(r, "range count");
          if (count > MAX_COUNT) {
            throw new MalformedException("range count " + count + " out of range");
          }
          long[] sums = new long[0];
          if (count > 0) {
            int n = r.u8("sum count");
            if (n < 1 || n > MAX_SUMS) {
              throw new MalformedException("sum count " + n + " outside 1.." + MAX_SUMS);
            }
            sums = readFieldElements(r, n, "power sum");
          }
          elements.add(new RangeElement.Sums(upper, count, sums));
          break;
        }
        case IDS:
        case NEED: {
          int n = r.u8("tag count");
          if (n < 1 || n > MAX_LIST) {
            throw new MalformedException("tag count " + n + " outside 1.." + MAX_LIST);
          }
          long[] tags = readFieldElements(r, n, "tag");
          elements.add(type == IDS ? new RangeElement.Ids(upper, tags) : new RangeElement.Need(upper, tags));
          break;
        }
        case POLY: {
          int b = r.u8("polynomial degree");
          if (b < 1 || b > MAX_SUMS) {
            throw new MalformedException("polynomial degree " + b + " outside 1.." + MAX_SUMS);
          }
          elements.add(new RangeElement.Poly(upper, readFieldElements(r, b, "coefficient")));
          break;
        }
        default:
          throw new MalformedException("unknown range type " + type);
      }
      previous = upper;
      if (upper.isInfinite()) {
        break;
      }
    }
    r.expectEnd("reconcile message");
    return new ReconcileMessage(total, elements);
  }

  private static long[] readFieldElements(WireReader r, int n, String what) throws MalformedException {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long v = r.i64(what);
      if (v < 0 || v >= Mod61.P) {
        throw new MalformedException(what + " is not below 2^61-1");
      }
      out[i] = v;
    }
    return out;
  }

  private static int sharedPrefix(Bound previous, Bound upper) {
    int max = Math.min(previous.length(), upper.length());
    int i = 0;
    while (i < max && previous.byteAt(i) == upper.byteAt(i)) {
      i++;
    }
    return i;
  }

  private static int boundSize(Bound previous, Bound upper) {
    if (upper.isInfinite()) {
      return 1;
    }
    int shared = sharedPrefix(previous, upper);
    int fresh = upper.length() - shared;
    return (shared <= 14 && fresh <= 15 ? 1 : 3) + fresh;
  }

  private static void writeBound(WireWriter w, Bound previous, Bound upper) {
    if (upper.isInfinite()) {
      w.u8(BOUND_INFINITE);
      return;
    }
    int shared = sharedPrefix(previous, upper);
    int fresh = upper.length() - shared;
    if (shared <= 14 && fresh <= 15) {
      w.u8((shared << 4) | fresh);
    } else {
      w.u8(BOUND_LONG_FORM).u8(shared).u8(fresh);
    }
    byte[] p = upper.prefix();
    w.bytes(Arrays.copyOfRange(p, shared, p.length));
  }

  private static Bound readBound(WireReader r, Bound previous) throws MalformedException {
    int h = r.u8("bound header");
    if (h == BOUND_INFINITE) {
      return Bound.INFINITY;
    }
    int shared;
    int fresh;
    if (h == BOUND_LONG_FORM) {
      shared = r.u8("bound shared length");
      fresh = r.u8("bound length");
    } else if (h >= 0xF0) {
      throw new MalformedException("bad bound header " + h);
    } else {
      shared = h >>> 4;
      fresh = h & 0x0F;
    }
    if (shared > previous.length() || shared + fresh > Bound.MAX_BYTES) {
      throw new MalformedException("bound shares " + shared + " and adds " + fresh + " bytes after one of "
          + previous.length());
    }
    byte[] p = new byte[shared + fresh];
    for (int i = 0; i < shared; i++) {
      p[i] = previous.byteAt(i);
    }
    byte[] tail = r.bytes(fresh, "bound bytes");
    System.arraycopy(tail, 0, p, shared, fresh);
    return Bound.of(p);
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /** Unsigned LEB128: 7 bits a byte, low first, high bit set on all but the last byte. */
  static void writeVarint(WireWriter w, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint");
    }
    while ((v & ~0x7FL) != 0) {
      w.u8((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    w.u8((int) v);
  }

  static long readVarint(WireReader r, String what) throws MalformedException {
    long v = 0;
    for (int i = 0; i < 9; i++) {
      int b = r.u8(what);
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MalformedException(what + ": varint not in its shortest form");
        }
        return v;
      }
    }
    throw new MalformedException(what + ": varint longer than 9 bytes");
  }
}

package org.p2pdns.common.wire;

import java.nio.charset.StandardCharsets;

/**
 * One parse cursor over a byte array, big-endian. Every read checks the remaining length first and
 * throws {@link MalformedException} on short input, so a decoder never sees a half-read value.
 */
public final class WireReader {
  private final byte[] buf;
  private final int end;
  private int pos;

  public WireReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  public WireReader(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException("offset " + offset + " length " + length);
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  private void need(int n, String what) throws MalformedException {
    if (n < 0 || end - pos < n) {
      throw new MalformedException("truncated: " + what + " needs " + n + " bytes, " + (end - pos) + " left");
    }
  }

  public int u8(String what) throws MalformedException {
    need(1, what);
    return buf[pos++] & 0xff;
  }

  public int u16(String what) throws MalformedException {
    need(2, what);
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  public long u32(String what) throws MalformedException {
    need(4, what);
    long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
        | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  public long i64(String what) throws MalformedException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos + i] & 0xff);
    }
    pos += 8;
    return v;
  }

  public byte[] bytes(int n, String what) throws MalformedException {
    need(n, what);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A byte string preceded by its u16 length. */
  public byte[] bytes16(String what) throws MalformedException {
    return bytes(u16(what + " length"), what);
  }

  /** A byte string preceded by its u32 length, refused above {@code max}. */
  public byte[] bytes32(int max, String what) throws MalformedException {
    long n = u32(what + " length");
    if (n > max) {
      throw new MalformedException(what + " of " + n + " bytes exceeds " + max);
    }
    return bytes((int) n, what);
  }

  /** A UTF-8 string preceded by its u16 length. */
  public String string16(String what) throws MalformedException {
    return new String(bytes16(what), StandardCharsets.UTF_8);
  }

  public boolean bool(String what) throws MalformedException {
    int v = u8(what);
    if (v > 1) {
      throw new MalformedException(what + ": boolean byte " + v);
    }
    return v == 1;
  }

  /** Refuses trailing bytes: one value has exactly one encoding. */
  public void expectEnd(String what) throws MalformedException {
    if (pos != end) {
      throw new MalformedException(what + ": " + (end - pos) + " trailing bytes");
    }
  }
}

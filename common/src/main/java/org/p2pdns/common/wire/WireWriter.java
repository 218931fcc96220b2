package org.p2pdns.common.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer; the counterpart of {@link WireReader}. */
public final class WireWriter {
  private byte[] buf;
  private int len;

  public WireWriter() {
    this(128);
  }

  public WireWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  public WireWriter u8(int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException("u8 out of range: " + v);
    }
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public WireWriter u16(int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException("u16 out of range: " + v);
    }
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public WireWriter u32(long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("u32 out of range: " + v);
    }
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  public WireWriter i64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  public WireWriter bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  public WireWriter bytes16(byte[] b) {
    return u16(b.length).bytes(b);
  }

  public WireWriter bytes32(byte[] b) {
    return u32(b.length).bytes(b);
  }

  public WireWriter string16(String s) {
    return bytes16(s.getBytes(StandardCharsets.UTF_8));
  }

  public WireWriter bool(boolean v) {
    return u8(v ? 1 : 0);
  }

  public int size() {
    return len;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}

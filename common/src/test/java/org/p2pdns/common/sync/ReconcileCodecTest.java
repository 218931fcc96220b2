package org.p2pdns.common.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.wire.MalformedException;

class ReconcileCodecTest {
  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void bytesAreAsDocumented() throws Exception {
    ReconcileMessage m = new ReconcileMessage(300, List.of(
        new RangeElement.Skip(Bound.of(bytes(0x12))),
        new RangeElement.Sums(Bound.of(bytes(0x12, 0x34)), 2, new long[] {7}),
        new RangeElement.Sums(Bound.INFINITY, 0, new long[0])));
    byte[] expected = bytes(
        0x01, 0xAC, 0x02,             // version 1, sender total 300 as varint
        0x01, 0x12, 0x00,             // bound: shares 0, adds 1 byte (12); SKIP
        0x11, 0x34, 0x01, 0x02, 0x01, // bound: shares 1, adds 1 (34); SUMS count 2, 1 sum
        0, 0, 0, 0, 0, 0, 0, 7,       //   sum 7
        0xFF, 0x01, 0x00);            // bound infinity; SUMS count 0
    assertThat(ReconcileCodec.encode(m)).isEqualTo(expected);
    assertThat(ReconcileCodec.decode(expected)).isEqualTo(m);
  }

  @Test
  void everyElementKindSurvivesARoundTrip() throws Exception {
    byte[] long40 = new byte[40];
    Arrays.fill(long40, (byte) 0x5A);
    ReconcileMessage m = new ReconcileMessage(1L << 33, List.of(
        new RangeElement.Ids(Bound.of(bytes(1, 2, 3)), new long[] {1, Mod61.P - 1}),
        new RangeElement.Need(Bound.of(bytes(1, 2, 4)), new long[] {5}),
        new RangeElement.Poly(Bound.of(long40), new long[] {9, 10, 11}),
        new RangeElement.Sums(Bound.INFINITY, 123_456, new long[] {1, 2, 3, 4})));
    byte[] enc = ReconcileCodec.encode(m);
    assertThat(ReconcileCodec.decode(enc)).isEqualTo(m);
    assertThat(ReconcileCodec.encode(ReconcileCodec.decode(enc))).isEqualTo(enc);
    for (int n = 0; n < enc.length; n++) {
      byte[] cut = Arrays.copyOf(enc, n);
      assertThatThrownBy(() -> ReconcileCodec.decode(cut)).isInstanceOf(MalformedException.class);
    }
  }

  @Test
  void garbageIsRefused() {
    byte[][] bad = {
        bytes(),
        bytes(2, 0, 0xFF, 0),                      // version 2
        bytes(1, 0, 0xF3, 0),                      // reserved bound header
        bytes(1, 0, 0x21, 7, 0, 0xFF, 0),          // shares 2 bytes of an empty bound
        bytes(1, 0, 0x01, 5, 0, 0x01, 5, 0, 0xFF, 0), // bound does not increase
        bytes(1, 0, 0xFF, 9),                      // unknown type
        bytes(1, 0, 0xFF, 0, 0),                   // trailing byte after infinity
        bytes(1, 0, 0xFF, 1, 1, 0),                // count 1 with no sums
        bytes(1, 0, 0xFF, 1, 1, 1, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), // sum = p
        bytes(1, 0x80, 0x00, 0xFF, 0),             // varint not in shortest form
        bytes(1, 0, 0xFF, 2, 0),                   // empty id list
        bytes(1, 0, 0xFF, 4, 0),                   // polynomial of degree 0
        bytes(1, 0, 0xFE, 0, 41),                  // bound longer than 40 bytes
    };
    for (byte[] b : bad) {
      assertThatThrownBy(() -> ReconcileCodec.decode(b)).as(Arrays.toString(b))
          .isInstanceOf(MalformedException.class);
    }
  }
}

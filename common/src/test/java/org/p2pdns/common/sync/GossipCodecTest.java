package org.p2pdns.common.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.wire.MalformedException;

class GossipCodecTest {
  private static byte[] digest(int fill) {
    byte[] d = new byte[32];
    Arrays.fill(d, (byte) fill);
    return d;
  }

  @Test
  void bytesAreAsDocumented() throws Exception {
    assertThat(GossipCodec.encode(new GossipMessage.Prune())).containsExactly(4);
    assertThat(GossipCodec.encode(new GossipMessage.Push(3, new byte[] {7, 8})))
        .containsExactly(1, 3, 0, 0, 0, 2, 7, 8);
    byte[] ihave = GossipCodec.encode(new GossipMessage.IHave(9, List.of(digest(0xAB))));
    assertThat(ihave).hasSize(4 + 32);
    assertThat(Arrays.copyOf(ihave, 4)).containsExactly(2, 9, 0, 1);
    GossipMessage back = GossipCodec.decode(ihave);
    assertThat(((GossipMessage.IHave) back).hops()).isEqualTo(9);
    assertThat(((GossipMessage.IHave) back).digests().get(0)).isEqualTo(digest(0xAB));
    assertThat(GossipCodec.encode(new GossipMessage.Graft(List.of()))).containsExactly(3, 0, 0);
    assertThat(((GossipMessage.Graft) GossipCodec.decode(new byte[] {3, 0, 0})).digests()).isEmpty();
    byte[] graft = GossipCodec.encode(new GossipMessage.Graft(List.of(digest(1), digest(2))));
    assertThat(graft[0]).isEqualTo((byte) 3);
    assertThat(((GossipMessage.Graft) GossipCodec.decode(graft)).digests()).hasSize(2);
    GossipMessage.Push push = (GossipMessage.Push) GossipCodec.decode(new byte[] {1, 3, 0, 0, 0, 2, 7, 8});
    assertThat(push.hops()).isEqualTo(3);
    assertThat(push.record()).containsExactly(7, 8);
  }

  @Test
  void everyTruncationIsRefused() {
    byte[] full = GossipCodec.encode(new GossipMessage.Graft(List.of(digest(1), digest(2))));
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> GossipCodec.decode(cut)).isInstanceOf(MalformedException.class);
    }
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {9})).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {4, 0})).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {2, 1, 0, 0})).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {1, 1, 0, 0, 0, 0})).isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {1, 1, (byte) 0xFF, 0, 0, 0}))
        .isInstanceOf(MalformedException.class);
  }
}

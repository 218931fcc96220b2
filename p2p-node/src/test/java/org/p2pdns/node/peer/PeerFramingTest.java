package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;

/** The framing handlers of the real pipeline, without TLS, on an EmbeddedChannel. */
class PeerFramingTest {
  private static EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    PeerChannelInitializer.addFraming(ch.pipeline());
    return ch;
  }

  @Test
  void aMessageIsWrittenAsLengthAndPayload() {
    EmbeddedChannel ch = channel();
    ch.writeOutbound(new PeerMessage.Ping(1));
    ByteBuf out = Unpooled.buffer();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.writeBytes(b);
      b.release();
    }
    assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(out)))
        .isEqualTo("00000009" + "040000000000000001");
    out.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void framesFedOneByteAtATimeDecode() {
    EmbeddedChannel ch = channel();
    PeerMessage a = new PeerMessage.Disconnect(DisconnectReason.SLOW, "slow");
    PeerMessage b = new PeerMessage.RecordPush(1, new byte[] {5, 6, 7});
    ByteBuf stream = Unpooled.buffer();
    for (PeerMessage m : new PeerMessage[] {a, b}) {
      byte[] p = PeerMessageCodec.encode(m);
      stream.writeInt(p.length).writeBytes(p);
    }
    java.util.List<ByteBuf> fed = new java.util.ArrayList<>();
    while (stream.isReadable()) {
      ByteBuf one = Unpooled.buffer(1).writeByte(stream.readByte());
      fed.add(one);
      ch.writeInbound(one);
    }
    stream.release();
    assertThat(fed).allSatisfy(b1 -> assertThat(b1.refCnt()).isZero());
    assertThat((Object) ch.readInbound()).isEqualTo(a);
    assertThat((Object) ch.readInbound()).isEqualTo(b);
    assertThat((Object) ch.readInbound()).isNull();
    ch.finish();
  }

  @Test
  void garbageIsAProtocolErrorWithAReason() {
    EmbeddedChannel ch = channel();
    ByteBuf frame = Unpooled.buffer().writeInt(3).writeBytes(new byte[] {0x7f, 1, 2});
    assertThatThrownBy(() -> ch.writeInbound(frame))
        .satisfies(t -> {
          PeerErrors.Triage triage = PeerErrors.triage(t);
          assertThat(triage.kind()).isEqualTo(PeerErrors.Kind.PROTOCOL);
          assertThat(triage.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        });
    assertThat(frame.refCnt()).isZero();
    ch.finish();
  }

  @Test
  void aForeignHelloVersionIsRefusedByVersion() {
    EmbeddedChannel ch = channel();
    // A node of protocol version 1 (before the gossip tree and the ownership messages).
    ByteBuf frame = Unpooled.buffer().writeInt(3).writeBytes(new byte[] {0x01, 0, 1});
    assertThatThrownBy(() -> ch.writeInbound(frame))
        .satisfies(t -> assertThat(PeerErrors.triage(t).reason())
            .isEqualTo(DisconnectReason.PROTOCOL_VERSION));
    ch.finish();
  }

  @Test
  void anOversizeFrameIsRefusedBeforeItIsBuffered() {
    EmbeddedChannel ch = channel();
    ByteBuf header = Unpooled.buffer().writeInt(PeerMessageCodec.MAX_FRAME_BYTES + 1)
        .writeZero(16);
    assertThatThrownBy(() -> ch.writeInbound(header))
        .isInstanceOf(TooLongFrameException.class)
        .satisfies(t -> assertThat(PeerErrors.triage(t).kind())
            .isEqualTo(PeerErrors.Kind.PROTOCOL));
    assertThat(header.refCnt()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void errorsAreSortedByCause() {
    assertThat(PeerErrors.triage(new java.io.IOException("reset")).kind())
        .isEqualTo(PeerErrors.Kind.IO);
    assertThat(PeerErrors.triage(new javax.net.ssl.SSLHandshakeException("bad cert")).kind())
        .isEqualTo(PeerErrors.Kind.IO);
    assertThat(PeerErrors.triage(new IllegalStateException("our bug")).kind())
        .isEqualTo(PeerErrors.Kind.BUG);
  }
}

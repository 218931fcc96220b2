package org.p2pdns.node.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.wire.MalformedException;

/** One frame payload to one {@link PeerMessage} and back: a thin shell over the plain codec. */
final class PeerFrameCodec extends MessageToMessageCodec<ByteBuf, PeerMessage> {
  @Override
  protected void encode(ChannelHandlerContext ctx, PeerMessage msg, List<Object> out) {
    out.add(ctx.alloc().buffer().writeBytes(PeerMessageCodec.encode(msg)));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
      throws PeerProtocolException {
    byte[] bytes = ByteBufUtil.getBytes(frame);
    try {
      out.add(PeerMessageCodec.decode(bytes));
    } catch (MalformedException e) {
      int version = PeerMessageCodec.helloVersion(bytes);
      if (version >= 0 && version != PeerMessageCodec.PROTOCOL_VERSION) {
        throw new PeerProtocolException(DisconnectReason.PROTOCOL_VERSION, "the peer speaks "
            + "protocol version " + version + ", this node " + PeerMessageCodec.PROTOCOL_VERSION);
      }
      throw new PeerProtocolException(DisconnectReason.PROTOCOL_ERROR, e.getMessage(), e);
    }
  }
}

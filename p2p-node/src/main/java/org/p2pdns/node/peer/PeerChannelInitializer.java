package org.p2pdns.node.peer;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.p2pdns.common.peer.PeerMessageCodec;

/**
 * The peer link pipeline, in order: TLS, then frames (a u32 length before each payload, at most
 * {@link PeerMessageCodec#MAX_FRAME_BYTES}), then messages, then the idle timer, then the
 * handshake, which puts the session in its place.
 */
final class PeerChannelInitializer extends ChannelInitializer<SocketChannel> {
  static final int LENGTH_BYTES = 4;

  private final PeerNetwork network;
  private final Supplier<LinkSetup> setups;

  PeerChannelInitializer(PeerNetwork network, Supplier<LinkSetup> setups) {
    this.network = network;
    this.setups = setups;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    LinkSetup setup = setups.get();
    // Connections still in their handshake cost a TLS engine each until the deadline: the
    // network caps how many inbound ones may be, so a flood of idle connections cannot pile up.
    if (!network.track(ch, setup)) {
      return;
    }
    PeerNetworkConfig config = network.config();
    SslHandler tls = setup.outbound
        ? network.tls().client().newHandler(ch.alloc())
        : network.tls().server().newHandler(ch.alloc());
    // The handshake handler's deadline covers TLS and HELLO together; TLS gets no timer of its own.
    tls.setHandshakeTimeoutMillis(0);
    ChannelPipeline p = ch.pipeline();
    p.addLast("tls", tls);
    addFraming(p);
    p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(),
        config.pingInterval().toMillis(), 0, TimeUnit.MILLISECONDS));
    p.addLast("handshake", new HandshakeHandler(network, setup));
  }

  /** Frames and messages: what lies between TLS and the protocol handlers. */
  static void addFraming(ChannelPipeline p) {
    p.addLast("frame-decoder", new LengthFieldBasedFrameDecoder(
        PeerMessageCodec.MAX_FRAME_BYTES + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES, true));
    p.addLast("frame-encoder", new LengthFieldPrepender(LENGTH_BYTES));
    p.addLast("messages", new PeerFrameCodec());
  }
}

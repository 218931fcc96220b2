package org.p2pdns.node.peer;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer handshake, after TLS: each side sends HELLO, checks the other's (protocol version,
 * network id, the announcement's key is the TLS key, the pinned id, not itself) and answers
 * HELLO_ACK or REJECT. When it has both sent and received HELLO_ACK, it puts a {@link PeerSession}
 * in its own place. The whole set-up, TCP to HELLO_ACK, has a deadline.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

  private final PeerNetwork network;
  private final LinkSetup setup;
  private ScheduledFuture<?> deadline;
  private byte[] tlsKey;
  private String peerId;
  private PeerMessage.Hello theirHello;
  private boolean helloSent;
  private boolean ackReceived;
  private boolean done;

  HandshakeHandler(PeerNetwork network, LinkSetup setup) {
    this.network = network;
    this.setup = setup;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    long ms = network.config().handshakeTimeout().toMillis();
    deadline = ctx.executor().schedule(() -> {
      if (!done) {
        fail(ctx, DisconnectReason.TIMEOUT, "no handshake within " + ms + " ms", false);
      }
    }, ms, TimeUnit.MILLISECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelDeadline();
    if (!done) {
      done = true;
      setup.result.completeExceptionally(new PeerHandshakeException(DisconnectReason.OTHER,
          "the connection closed during the handshake"));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (!e.isSuccess()) {
        fail(ctx, DisconnectReason.OTHER, "TLS handshake failed: " + e.cause().getMessage(),
            false);
        return;
      }
      onTlsUp(ctx);
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  private void onTlsUp(ChannelHandlerContext ctx) {
    X509Certificate cert;
    try {
      Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession()
          .getPeerCertificates();
      cert = (X509Certificate) chain[0];
    } catch (SSLPeerUnverifiedException | ClassCastException | IndexOutOfBoundsException e) {
      fail(ctx, DisconnectReason.ID_MISMATCH, "the peer presented no certificate", true);
      return;
    }
    // The trust manager already refused any other kind of key.
    tlsKey = PeerIdentity.rawPublicKey(cert).orElse(null);
    if (tlsKey == null) {
      fail(ctx, DisconnectReason.ID_MISMATCH, "the peer's certificate key is not Ed25519", true);
      return;
    }
    peerId = NodeIds.idOf(tlsKey);
    if (setup.pinnedId.isPresent() && !setup.pinnedId.get().equals(peerId)) {
      network.logRefusal(setup, ctx.channel(), "refused peer at " + where(ctx) + ": expected node "
          + setup.pinnedId.get() + ", it proved node " + peerId);
      fail(ctx, DisconnectReason.ID_MISMATCH, "expected node " + setup.pinnedId.get()
          + ", you are " + peerId, true);
      return;
    }
    helloSent = true;
    ctx.writeAndFlush(network.ownHello(setup.probe)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done) {
      return;
    }
    if (!helloSent) {
      fail(ctx, DisconnectReason.PROTOCOL_ERROR, "a message before TLS was up", true);
    } else if (msg instanceof PeerMessage.Hello h) {
      onHello(ctx, h);
    } else if (msg instanceof PeerMessage.HelloAck) {
      if (ackReceived) {
        fail(ctx, DisconnectReason.PROTOCOL_ERROR, "a second HELLO_ACK", true);
        return;
      }
      ackReceived = true;
      maybeEstablished(ctx);
    } else if (msg instanceof PeerMessage.Reject r) {
      network.logRefusal(setup, ctx.channel(), "peer " + (peerId == null ? "?" : peerId) + " at " + where(ctx)
          + " refused this node: " + r.reason() + (r.detail().isEmpty() ? "" : " (" + r.detail()
          + ")"));
      finish(ctx, r.reason(), "refused by the peer: " + r.reason() + " " + r.detail());
    } else if (msg instanceof PeerMessage.Disconnect d) {
      finish(ctx, d.reason(), "the peer disconnected: " + d.reason() + " " + d.detail());
    } else {
      fail(ctx, DisconnectReason.PROTOCOL_ERROR, "unexpected "
          + msg.getClass().getSimpleName() + " during the handshake", true);
    }
  }

  private void onHello(ChannelHandlerContext ctx, PeerMessage.Hello h) {
    if (theirHello != null) {
      fail(ctx, DisconnectReason.PROTOCOL_ERROR, "a second HELLO", true);
      return;
    }
    byte[] ours = network.networkId();
    if (!Arrays.equals(h.networkId(), ours)) {
      String theirs = HexFormat.of().formatHex(h.networkId());
      network.logRefusal(setup, ctx.channel(), "refused peer " + peerId + " at " + where(ctx)
          + ": network id mismatch, this node " + network.nodeId() + " is on network "
          + HexFormat.of().formatHex(ours) + ", the peer on " + theirs
          + " (different network parameters)");
      fail(ctx, DisconnectReason.NETWORK_MISMATCH, "this node is on network "
          + HexFormat.of().formatHex(ours).substring(0, 16) + "..", true);
      return;
    }
    if (!Arrays.equals(h.announcement().publicKey(), tlsKey)) {
      network.logRefusal(setup, ctx.channel(), "refused peer at " + where(ctx) + ": its HELLO names node "
          + h.nodeId() + " but TLS proved node " + peerId);
      fail(ctx, DisconnectReason.ID_MISMATCH, "HELLO key differs from the TLS key", true);
      return;
    }
    if (!h.announcement().verify(ours)) {
      fail(ctx, DisconnectReason.BAD_ANNOUNCEMENT, "the announcement signature does not hold",
          true);
      return;
    }
    if (peerId.equals(network.nodeId())) {
      fail(ctx, DisconnectReason.SELF, "a node does not link to itself", true);
      return;
    }
    if (network.score().refused(peerId)) {
      fail(ctx, DisconnectReason.LOW_SCORE, "score too low", true);
      return;
    }
    theirHello = h;
    ctx.writeAndFlush(new PeerMessage.HelloAck())
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    maybeEstablished(ctx);
  }

  private void maybeEstablished(ChannelHandlerContext ctx) {
    if (theirHello == null || !ackReceived) {
      if (ackReceived && theirHello == null) {
        fail(ctx, DisconnectReason.PROTOCOL_ERROR, "HELLO_ACK before HELLO", true);
      }
      return;
    }
    done = true;
    cancelDeadline();
    PeerSession session = new PeerSession(network, ctx.channel(), theirHello, setup);
    ctx.pipeline().replace(this, "session", session);
    network.linkEstablished(session, setup, theirHello);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (done) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    PeerErrors.Triage t = PeerErrors.triage(cause);
    switch (t.kind()) {
      case PROTOCOL -> {
        if (t.reason() == DisconnectReason.PROTOCOL_VERSION) {
          // An older or newer node, not a hostile one: refused, but its score stays, so that it
          // links at once when it is upgraded instead of sitting out a ban.
          network.logRefusal(setup, ctx.channel(), "refused peer at " + where(ctx) + ": " + t.message());
        } else {
          LOG.debug("{} handshake with {}: protocol error: {}", setup.direction(), where(ctx),
              t.message());
          if (peerId != null) {
            network.score().penalize(peerId, PeerScore.Offence.MALFORMED_FRAME);
          }
        }
        fail(ctx, t.reason(), t.message(), true);
      }
      case IO -> {
        LOG.debug("{} handshake with {}: {}", setup.direction(), where(ctx), t.message());
        fail(ctx, DisconnectReason.OTHER, t.message(), false);
      }
      case BUG -> {
        LOG.error("{} handshake with {} failed on our side", setup.direction(), where(ctx),
            cause);
        fail(ctx, DisconnectReason.OTHER, "internal error", true);
      }
    }
  }

  /** Ends the handshake with a REJECT (when TLS is up), then closes. */
  private void fail(ChannelHandlerContext ctx, DisconnectReason reason, String detail,
      boolean tellPeer) {
    if (done) {
      return;
    }
    network.countRefusal(reason);
    LOG.debug("{} handshake with {} failed: {} {}", setup.direction(), where(ctx), reason, detail);
    if (tellPeer && ctx.channel().isActive() && tlsKey != null) {
      ctx.writeAndFlush(new PeerMessage.Reject(reason, detail))
          .addListener(ChannelFutureListener.CLOSE);
      // A peer that does not read must not keep the socket open.
      ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
      finish(ctx, reason, detail, false);
    } else {
      finish(ctx, reason, detail, true);
    }
  }

  private void finish(ChannelHandlerContext ctx, DisconnectReason reason, String detail) {
    finish(ctx, reason, detail, true);
  }

  private void finish(ChannelHandlerContext ctx, DisconnectReason reason, String detail,
      boolean close) {
    done = true;
    cancelDeadline();
    if (close) {
      ctx.close();
    }
    setup.result.completeExceptionally(new PeerHandshakeException(reason, detail));
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  private static String where(ChannelHandlerContext ctx) {
    return String.valueOf(ctx.channel().remoteAddress());
  }
}

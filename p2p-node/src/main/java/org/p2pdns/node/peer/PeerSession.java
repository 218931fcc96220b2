package org.p2pdns.node.peer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.NodeAnnouncement;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An established link: answers keep-alives, closes a silent or slow peer, hands membership
 * messages to the network and everything else to the node's services.
 *
 * <p>Back-pressure: the outbound queue is the channel's, bounded by its write-buffer marks. Above
 * the high mark gossip is dropped (reconciliation repairs it); a queue that stays above it for
 * the slow-peer timeout, or grows past the hard limit, closes the link with SLOW.
 */
final class PeerSession extends ChannelInboundHandlerAdapter implements PeerLink {
  private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

  private final PeerNetwork network;
  private final Channel channel;
  private final PeerMessage.Hello hello;
  private final LinkSetup setup;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Membership messages of this link waiting for the membership thread. */
  final java.util.concurrent.atomic.AtomicInteger queuedMembership =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile DisconnectReason localReason;
  private volatile DisconnectReason remoteReason;
  private volatile boolean admitted;
  private ScheduledFuture<?> slowCheck;
  /** Reading is paused by {@link #pauseReading} (event loop only). */
  private boolean paused;
  private long pingNonce;

  PeerSession(PeerNetwork network, Channel channel, PeerMessage.Hello hello, LinkSetup setup) {
    this.network = network;
    this.channel = channel;
    this.hello = hello;
    this.setup = setup;
  }

  @Override
  public String nodeId() {
    return hello.nodeId();
  }

  NodeAnnouncement announcement() {
    return hello.announcement();
  }

  String softwareVersion() {
    return hello.softwareVersion();
  }

  @Override
  public boolean outbound() {
    return setup.outbound;
  }

  Optional<PeerAddress> dialedAddress() {
    return setup.dialed;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  @Override
  public boolean isOpen() {
    return channel.isActive() && !closing.get();
  }

  void admitted() {
    admitted = true;
  }

  boolean wasAdmitted() {
    return admitted;
  }

  /** The reason this node closed the link with, or null. */
  DisconnectReason localReason() {
    return localReason;
  }

  /** The reason the peer sent in its DISCONNECT, or null. */
  DisconnectReason remoteReason() {
    return remoteReason;
  }

  long droppedMessages() {
    return dropped.get();
  }

  Channel channel() {
    return channel;
  }

  @Override
  public boolean send(PeerMessage message) {
    if (!isOpen()) {
      return false;
    }
    if (channel.bytesBeforeWritable() > network.config().maxPendingBytes()
        - network.config().writeBufferLow()) {
      // The queue passed the hard limit: the peer reads far too slowly.
      network.score().penalize(nodeId(), PeerScore.Offence.SLOW);
      disconnect(DisconnectReason.SLOW, "outbound queue over "
          + network.config().maxPendingBytes() + " bytes");
      return false;
    }
    if (!channel.isWritable() && message instanceof PeerMessage.RecordPush) {
      dropped.incrementAndGet();
      return false;
    }
    channel.writeAndFlush(message).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    return true;
  }

  @Override
  public void penalize(PeerScore.Offence offence) {
    int score = network.score().penalize(nodeId(), offence);
    LOG.debug("peer {} scored {} for {}", nodeId(), score, offence);
    if (network.score().refused(nodeId())) {
      disconnect(DisconnectReason.LOW_SCORE, "score " + score);
    }
  }

  @Override
  public void pauseReading(long millis) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> pauseReading(millis));
      return;
    }
    if (paused || closing.get()) {
      return;
    }
    paused = true;
    channel.config().setAutoRead(false);
    channel.eventLoop().schedule(() -> {
      paused = false;
      if (!closing.get()) {
        channel.config().setAutoRead(true);
      }
    }, Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void disconnect(DisconnectReason reason, String detail) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    localReason = reason;
    // Read nothing more from a peer being closed: a flooder's frames in flight cost nothing.
    channel.config().setAutoRead(false);
    if (channel.isActive()) {
      channel.writeAndFlush(new PeerMessage.Disconnect(reason, detail))
          .addListener(ChannelFutureListener.CLOSE);
      // A peer that does not read its DISCONNECT is closed anyway.
      channel.eventLoop().schedule(() -> channel.close(), 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    PeerMessage m = (PeerMessage) msg;
    if (closing.get() && !(m instanceof PeerMessage.Disconnect)) {
      return; // this node is closing the link (a ban, say): what is still decoded is dropped
    }
    if (m instanceof PeerMessage.Ping p) {
      send(new PeerMessage.Pong(p.nonce()));
    } else if (m instanceof PeerMessage.Pong) {
      // Any frame counts as life; the idle handler saw it already.
    } else if (m instanceof PeerMessage.Disconnect d) {
      remoteReason = d.reason();
      LOG.debug("peer {} disconnected: {} {}", nodeId(), d.reason(), d.detail());
      ctx.close();
    } else if (m instanceof PeerMessage.NodesRequest || m instanceof PeerMessage.Nodes) {
      network.membershipMessage(this, m);
    } else if (m instanceof PeerMessage.Hello || m instanceof PeerMessage.HelloAck
        || m instanceof PeerMessage.Reject) {
      penalize(PeerScore.Offence.UNEXPECTED_MESSAGE);
      disconnect(DisconnectReason.PROTOCOL_ERROR, "handshake message on an established link");
    } else if (admitted) {
      network.listener().onMessage(this, m);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent e) {
      if (e.state() == IdleState.READER_IDLE) {
        LOG.debug("peer {} silent for {}: closing", nodeId(), network.config().idleTimeout());
        disconnect(DisconnectReason.TIMEOUT, "nothing received for "
            + network.config().idleTimeout().toSeconds() + " s");
      } else if (e.state() == IdleState.WRITER_IDLE) {
        send(new PeerMessage.Ping(++pingNonce));
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!channel.isWritable() && slowCheck == null) {
      long ms = network.config().slowPeerTimeout().toMillis();
      slowCheck = ctx.executor().schedule(() -> {
        slowCheck = null;
        if (!channel.isWritable()) {
          network.score().penalize(nodeId(), PeerScore.Offence.SLOW);
          disconnect(DisconnectReason.SLOW, "outbound queue full for " + ms + " ms");
        }
      }, ms, TimeUnit.MILLISECONDS);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (slowCheck != null) {
      slowCheck.cancel(false);
    }
    closing.set(true);
    network.linkClosed(this);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    PeerErrors.Triage t = PeerErrors.triage(cause);
    switch (t.kind()) {
      case PROTOCOL -> {
        LOG.debug("peer {}: protocol error: {}", nodeId(), t.message());
        network.score().penalize(nodeId(), PeerScore.Offence.MALFORMED_FRAME);
        disconnect(t.reason(), t.message());
      }
      case IO -> {
        LOG.debug("peer {}: {}", nodeId(), t.message());
        ctx.close();
      }
      case BUG -> {
        LOG.error("link with peer {} failed on our side", nodeId(), cause);
        disconnect(DisconnectReason.OTHER, "internal error");
      }
    }
  }

  @Override
  public String toString() {
    return "PeerSession[" + nodeId() + " " + setup.direction() + " " + channel.remoteAddress()
        + "]";
  }
}

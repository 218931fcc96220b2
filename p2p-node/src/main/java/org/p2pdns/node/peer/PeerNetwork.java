package org.p2pdns.node.peer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.NodeAnnouncement;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer-to-peer network: listens for peers, dials bootstrap and known nodes, keeps at
 * most one link per pair of nodes, and gives the node's services a {@link PeerLink} per peer and
 * a {@link PeerMessageListener} for what peers send. Netty stays inside this package.
 *
 * <p>Threads: each link's handlers and the listener run on that link's Netty event loop;
 * membership (the node table, dials, back-offs) runs on one thread of its own.
 */
public final class PeerNetwork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerNetwork.class);

  private final PeerNetworkConfig config;
  private final PeerIdentity identity;
  private final byte[] networkId;
  private final PeerScore score;
  /** The services that hear from peers (gossip, reconciliation); each ignores what is not its. */
  private final List<PeerMessageListener> listeners = new CopyOnWriteArrayList<>();
  private final PeerMessageListener fanOut = new PeerMessageListener() {
    @Override
    public void onLinkUp(PeerLink link) {
      for (PeerMessageListener l : listeners) {
        l.onLinkUp(link);
      }
    }

    @Override
    public void onMessage(PeerLink link, PeerMessage message) {
      for (PeerMessageListener l : listeners) {
        l.onMessage(link, message);
      }
    }

    @Override
    public void onLinkDown(PeerLink link) {
      for (PeerMessageListener l : listeners) {
        l.onLinkDown(link);
      }
    }
  };
  private final Clock clock;
  private final PeerTls tls;
  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final ScheduledExecutorService membershipThread;
  private final Membership membership;
  private final Map<String, PeerSession> links = new ConcurrentHashMap<>();
  private final Map<DisconnectReason, LongAdder> refusals = new ConcurrentHashMap<>();
  /** Membership messages of one link that may wait for the membership thread at once. */
  static final int MAX_QUEUED_MEMBERSHIP = 8;
  private final LongAdder membershipDropped = new LongAdder();
  private final LogThrottle logThrottle;
  private final java.util.concurrent.atomic.AtomicInteger inboundHandshakes =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile PeerMessage.Hello ownHello;
  private volatile InetSocketAddress bound;
  private Channel server;
  private Bootstrap dialer;
  private volatile boolean closed;

  public PeerNetwork(PeerNetworkConfig config, PeerIdentity identity, byte[] networkId,
      NodeTable table, PeerScore score, PeerMessageListener listener, Clock clock)
      throws SSLException {
    this.config = config;
    this.identity = identity;
    this.networkId = networkId.clone();
    this.score = score;
    this.listeners.add(listener);
    this.clock = clock;
    this.tls = new PeerTls(identity);
    this.logThrottle = new LogThrottle(clock, java.time.Duration.ofMinutes(1));
    this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
        new DefaultThreadFactory("peer-io", true), NioIoHandler.newFactory());
    this.channels = new DefaultChannelGroup("peers", GlobalEventExecutor.INSTANCE);
    this.membershipThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peer-membership");
      t.setDaemon(true);
      return t;
    });
    this.membership = new Membership(this, table, clock);
  }

  /**
   * Binds the listener, announces this node, and starts dialing. Returns the bound address (the
   * real port when the configured one is 0).
   */
  public InetSocketAddress start() throws InterruptedException, java.io.IOException {
    WriteBufferWaterMark marks = new WriteBufferWaterMark(config.writeBufferLow(),
        config.writeBufferHigh());
    ServerBootstrap sb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
        .childHandler(new PeerChannelInitializer(this, LinkSetup::inbound));

    try {
      server = sb.bind(config.listenHost(), config.listenPort()).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      membershipThread.shutdownNow();
      throw new java.io.IOException("cannot listen for peers at " + config.listenHost() + ":"
          + config.listenPort() + ": " + e.getMessage(), e);
    }
    bound = (InetSocketAddress) server.localAddress();
    dialer = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()));
    NodeAnnouncement announcement = NodeAnnouncement.sign(identity.key(), networkId,
        advertisedAddresses(), clock.millis());
    ownHello = new PeerMessage.Hello(config.protocolVersion(), networkId, 0,
        config.softwareVersion(), announcement);
    LOG.info("peer listener at {}, node {}, announcing {}", bound, identity.nodeId(),
        announcement.addresses());
    onMembershipThread(() -> membership.start(config.bootstrap()));
    long every = config.maintenanceInterval().toMillis();
    membershipThread.scheduleWithFixedDelay(() -> {
      try {
        membership.tick();
      } catch (RuntimeException e) {
        LOG.error("membership maintenance failed", e);
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    return bound;
  }

  private List<PeerAddress> advertisedAddresses() {
    if (!config.advertise().isEmpty()) {
      return config.advertise();
    }
    InetAddress a = bound.getAddress();
    String host = a.isAnyLocalAddress() ? "" : a.getHostAddress();
    return List.of(new PeerAddress(host, bound.getPort()));
  }

  public InetSocketAddress boundAddress() {
    return bound;
  }

  public String nodeId() {
    return identity.nodeId();
  }

  /** This node's current signed announcement. */
  public NodeAnnouncement announcement() {
    return ownHello.announcement();
  }

  /**
   * Dials a peer now (as {@code p2pdns connect} asks). Completes with the peer's node id once the
   * handshake succeeded, or fails with a {@link PeerHandshakeException} saying why. The peer
   * joins the known nodes either way it answered.
   */
  public CompletableFuture<String> connect(DialTarget target) {
    CompletableFuture<PeerSession> f = new CompletableFuture<>();
    onMembershipThread(() -> membership.dial(target, false).whenComplete((s, err) -> {
      if (err != null) {
        f.completeExceptionally(err);
      } else {
        f.complete(s);
      }
    }));
    return f.thenApply(PeerSession::nodeId);
  }

  /** The links that are up now. */
  public List<PeerLink> links() {
    return new ArrayList<>(links.values());
  }

  public Optional<PeerLink> link(String nodeId) {
    return Optional.ofNullable(links.get(nodeId));
  }

  int linkCount() {
    return links.size();
  }

  boolean isLinked(String nodeId) {
    PeerSession s = links.get(nodeId);
    return s != null && s.isOpen();
  }

  /** Sends to every link but {@code except} (may be null); returns how many took the message. */
  public int broadcast(PeerMessage message, PeerLink except) {
    int n = 0;
    for (PeerSession s : links.values()) {
      if (s != except && s.send(message)) {
        n++;
      }
    }
    return n;
  }

  /** Every known node with its state, for {@code p2pdns nodes}. */
  public List<NodeStatus> nodes() {
    try {
      return membershipThread.submit(membership::statuses).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (RejectedExecutionException e) {
      // Closing: the membership thread takes no more work, and nobody needs the list any more.
      LOG.debug("known nodes not listed: the peer network is closing");
      return List.of();
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("cannot list the known nodes", e);
      return List.of();
    }
  }

  /** How many handshakes this node refused or had refused, by reason, since start. */
  public Map<DisconnectReason, Long> refusals() {
    Map<DisconnectReason, Long> out = new EnumMap<>(DisconnectReason.class);
    refusals.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  // ---- package-private: the handlers' view of the network ----

  PeerNetworkConfig config() {
    return config;
  }

  PeerTls tls() {
    return tls;
  }

  byte[] networkId() {
    return networkId.clone();
  }

  PeerMessage.Hello ownHello(boolean probe) {
    PeerMessage.Hello h = ownHello;
    return probe ? new PeerMessage.Hello(h.protocolVersion(), h.networkId(),
        PeerMessage.Hello.PROBE, h.softwareVersion(), h.announcement()) : h;
  }

  PeerScore score() {
    return score;
  }

  PeerMessageListener listener() {
    return fanOut;
  }

  /** Adds a service that hears every link event and message (before {@link #start}). */
  public void addListener(PeerMessageListener l) {
    listeners.add(l);
  }

  /** Most inbound connections allowed in their handshake at once. */
  int maxInboundHandshakes() {
    return 2 * config.maxLinks();
  }

  /**
   * Registers a new connection; false (and the connection is closed) when too many inbound
   * connections are still in their handshake.
   */
  boolean track(Channel ch, LinkSetup setup) {
    if (!setup.outbound) {
      if (inboundHandshakes.incrementAndGet() > maxInboundHandshakes()) {
        inboundHandshakes.decrementAndGet();
        countRefusal(DisconnectReason.TOO_MANY_PEERS);
        LOG.debug("closed a connection from {}: {} handshakes in progress", ch.remoteAddress(),
            maxInboundHandshakes());
        ch.close();
        return false;
      }
      // Counted until the handshake ends or the connection closes, whichever comes first.
      java.util.concurrent.atomic.AtomicBoolean counted =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      Runnable release = () -> {
        if (counted.compareAndSet(true, false)) {
          inboundHandshakes.decrementAndGet();
        }
      };
      setup.result.whenComplete((s, e) -> release.run());
      ch.closeFuture().addListener(f -> release.run());
    }
    channels.add(ch);
    return true;
  }

  void countRefusal(DisconnectReason reason) {
    refusals.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /**
   * A handshake problem worth an operator's attention (wrong network, wrong id). A dial this node
   * chose is logged at WARN; an inbound peer only once a minute per address, so a stranger cannot
   * flood the log.
   */
  void logRefusal(LinkSetup setup, Channel ch, String message) {
    String key = setup.outbound ? "out " + setup.dialed.map(Object::toString).orElse("?")
        : "in " + hostOf(ch);
    if (logThrottle.allow(key)) {
      LOG.warn(message);
    } else {
      LOG.debug(message);
    }
  }

  private static String hostOf(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
  }

  void onMembershipThread(Runnable r) {
    try {
      membershipThread.execute(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.error("membership task failed", e);
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("membership is shut down; dropped a task");
    }
  }

  CompletableFuture<PeerSession> dialRaw(DialTarget target, boolean probe) {
    LinkSetup setup = LinkSetup.outbound(target.address(), target.pinnedId(), probe);
    if (closed || dialer == null) {
      setup.result.completeExceptionally(new PeerHandshakeException(DisconnectReason.SHUTDOWN,
          "the peer network is not running"));
      return setup.result;
    }
    PeerAddress a = target.address();
    dialer.clone().handler(new PeerChannelInitializer(this, () -> setup))
        .connect(InetSocketAddress.createUnresolved(a.host(), a.port()))
        .addListener(f -> {
          if (!f.isSuccess()) {
            setup.result.completeExceptionally(new PeerHandshakeException(DisconnectReason.OTHER,
                "cannot connect to " + a + ": " + f.cause().getMessage()));
          }
        });
    return setup.result;
  }

  /**
   * Called on the link's event loop when its handshake succeeded: admits it unless it duplicates
   * a link to the same node (then the link dialed by the node with the smaller id stays, a rule
   * both ends apply alike) or the node has enough links.
   */
  void linkEstablished(PeerSession session, LinkSetup setup, PeerMessage.Hello theirs) {
    String id = session.nodeId();
    if (setup.probe || theirs.probe()) {
      // Only an address check: never admitted; the dialer closes it.
      if (setup.outbound) {
        session.disconnect(DisconnectReason.PROBE_DONE, "address checked");
      }
      setup.result.complete(session);
      return;
    }
    PeerSession loser = null;
    DisconnectReason refuse = null;
    synchronized (links) {
      PeerSession existing = links.get(id);
      if (closed) {
        refuse = DisconnectReason.SHUTDOWN;
      } else if (existing != null && existing.isOpen()) {
        PeerSession keep = keeper(existing, session);
        loser = keep == session ? existing : session;
        if (keep == session) {
          links.put(id, session);
        }
      } else if (links.size() >= config.maxLinks()) {
        refuse = DisconnectReason.TOO_MANY_PEERS;
      } else {
        links.put(id, session);
      }
    }
    if (loser != null) {
      loser.disconnect(DisconnectReason.DUPLICATE, "one link per pair of nodes");
    }
    if (refuse != null || loser == session) {
      if (refuse != null) {
        session.disconnect(refuse, refuse == DisconnectReason.SHUTDOWN ? "the node is stopping"
            : "this node has enough links");
      }
      setup.result.complete(session);
      return;
    }
    session.admitted();
    String how = setup.outbound ? "outbound to " + setup.dialed.orElseThrow()
        : "inbound from " + session.remoteAddress();
    if (setup.outbound || logThrottle.allow("up " + hostOf(session.channel()))) {
      LOG.info("link up with node {} ({}, {})", id, how, session.softwareVersion());
    } else {
      LOG.debug("link up with node {} ({}, {})", id, how, session.softwareVersion());
    }
    fanOut.onLinkUp(session);
    session.send(new PeerMessage.NodesRequest("", PeerMessage.MAX_NODES));
    onMembershipThread(() -> membership.linkUp(session));
    setup.result.complete(session);
  }

  private PeerSession keeper(PeerSession a, PeerSession b) {
    String smaller = nodeId().compareTo(a.nodeId()) < 0 ? nodeId() : a.nodeId();
    String dialerA = a.outbound() ? nodeId() : a.nodeId();
    String dialerB = b.outbound() ? nodeId() : b.nodeId();
    if (dialerA.equals(dialerB)) {
      return a; // both dialed by the same side: keep the older
    }
    return dialerA.equals(smaller) ? a : b;
  }

  void linkClosed(PeerSession session) {
    boolean removed = links.remove(session.nodeId(), session);
    if (!session.wasAdmitted()) {
      return;
    }
    if (removed) {
      LOG.debug("link down with node {} (ours: {}, theirs: {})", session.nodeId(),
          session.localReason(), session.remoteReason());
    }
    fanOut.onLinkDown(session);
    onMembershipThread(() -> membership.linkDown(session));
  }

  /**
   * Hands a membership message to the membership thread. At most
   * {@link #MAX_QUEUED_MEMBERSHIP} per link wait there at once; more are dropped (counted), so a
   * peer that sends NODES faster than their signatures can be checked costs bounded memory.
   */
  void membershipMessage(PeerSession session, PeerMessage m) {
    if (session.queuedMembership.incrementAndGet() > MAX_QUEUED_MEMBERSHIP) {
      session.queuedMembership.decrementAndGet();
      membershipDropped.increment();
      return;
    }
    Runnable done = session.queuedMembership::decrementAndGet;
    if (m instanceof PeerMessage.NodesRequest r) {
      onMembershipThread(() -> {
        done.run();
        membership.nodesRequest(session, r);
      });
    } else if (m instanceof PeerMessage.Nodes n) {
      onMembershipThread(() -> {
        done.run();
        membership.nodes(session, n);
      });
    } else {
      done.run();
    }
  }

  /** One line for people: what the bounds on membership turned away since start. */
  public String membershipBounds() {
    String inner;
    try {
      inner = membershipThread.submit(membership::boundsSummary).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inner = "?";
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      inner = "?";
    }
    return inner + " (at most " + config.maxKnownNodes() + " kept); " + membershipDropped.sum()
        + " membership messages dropped (queue full)";
  }

  /** Says goodbye to every peer, then stops listening and dialing. The node table stays open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PeerSession s : links.values()) {
      s.disconnect(DisconnectReason.SHUTDOWN, "the node is stopping");
    }
    membershipThread.shutdown();
    try {
      membershipThread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    membershipThread.shutdownNow();
    if (server != null) {
      server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    // Let the DISCONNECTs flush (bounded), then close whatever is left.
    channels.newCloseFuture().awaitUninterruptibly(500, TimeUnit.MILLISECONDS);
    channels.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}

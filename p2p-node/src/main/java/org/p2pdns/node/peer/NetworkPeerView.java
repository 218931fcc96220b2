package org.p2pdns.node.peer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.node.query.PeerView;

/** The query server's view of the peer network: {@code p2pdns nodes} and the peers status line. */
public final class NetworkPeerView implements PeerView {
  /** Most recent Connect signatures remembered against replay. */
  private static final int MAX_REMEMBERED = 10_000;

  private final PeerNetwork network;
  private final RecordGossip gossip;
  private final ControlKey controlKey;
  private final Clock clock;
  /** Macs of Connect requests seen, to their time: a copied request is refused. */
  private final Map<String, Long> seenMacs = new LinkedHashMap<>();

  public NetworkPeerView(PeerNetwork network, RecordGossip gossip, ControlKey controlKey,
      Clock clock) {
    this.network = network;
    this.gossip = gossip;
    this.controlKey = controlKey;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<NodeResponse> connect(NodeRequest.Connect request) {
    long id = request.requestId();
    long now = clock.millis();
    if (!request.verify(controlKey)) {
      return done(new NodeResponse.Error(id, NodeResponse.ErrorCode.UNAUTHORIZED,
          "connect needs the node's control key (" + ControlKey.FILE_NAME + " in its data dir)"));
    }
    if (Math.abs(now - request.issuedAt()) > ControlKey.MAX_AGE_MILLIS) {
      return done(new NodeResponse.Error(id, NodeResponse.ErrorCode.UNAUTHORIZED,
          "the request's time is more than " + ControlKey.MAX_AGE_MILLIS / 1000
              + " s from the node's clock"));
    }
    synchronized (seenMacs) {
      seenMacs.values().removeIf(t -> now - t > 2 * ControlKey.MAX_AGE_MILLIS);
      if (seenMacs.size() >= MAX_REMEMBERED
          || seenMacs.putIfAbsent(HexFormat.of().formatHex(request.mac()), now) != null) {
        return done(new NodeResponse.Error(id, NodeResponse.ErrorCode.UNAUTHORIZED,
            "a repeated control request"));
      }
    }
    DialTarget target;
    try {
      target = DialTarget.parse(request.target());
    } catch (IllegalArgumentException e) {
      return done(new NodeResponse.Error(id, NodeResponse.ErrorCode.BAD_REQUEST, e.getMessage()));
    }
    return network.connect(target).handle((nodeId, err) -> {
      if (err == null) {
        return new NodeResponse.Connect(id, true, nodeId, "connected to node " + nodeId
            + " at " + target.address());
      }
      Throwable cause = err instanceof CompletionException && err.getCause() != null
          ? err.getCause() : err;
      String why = cause instanceof PeerHandshakeException h
          ? h.reason() + ": " + h.getMessage() : String.valueOf(cause.getMessage());
      return new NodeResponse.Connect(id, false, "", "cannot connect to " + target + ": " + why);
    });
  }

  /** {@code HOST:PORT}, IPv6 in brackets, without the resolver's "/" prefix. */
  static String hostPort(java.net.InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private static CompletableFuture<NodeResponse> done(NodeResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  @Override
  public List<NodeResponse.NodeEntry> knownNodes() {
    List<NodeResponse.NodeEntry> out = new ArrayList<>();
    out.add(new NodeResponse.NodeEntry(network.nodeId(), hostPort(network.boundAddress()),
        "self", 0, 0));
    for (NodeStatus n : network.nodes()) {
      out.add(new NodeResponse.NodeEntry(n.nodeId(), n.address(), n.state().label(),
          n.lastContact(), n.score(), 0, network.score().bannedUntil(n.nodeId())));
    }
    return out;
  }

  @Override
  public String peeringSummary() {
    List<PeerLink> links = network.links();
    long outbound = links.stream().filter(PeerLink::outbound).count();
    List<NodeStatus> nodes = network.nodes();
    long unreachable = nodes.stream()
        .filter(n -> n.state() == NodeStatus.State.UNREACHABLE).count();
    StringBuilder sb = new StringBuilder();
    sb.append("listening at ").append(hostPort(network.boundAddress())).append("; ")
        .append(links.size()).append(" links (").append(outbound).append(" outbound); ")
        .append(nodes.size()).append(" known nodes (").append(unreachable)
        .append(" unreachable); gossip: ").append(gossip.summary());
    sb.append("; membership: ").append(network.membershipBounds());
    Map<DisconnectReason, Long> refused = network.refusals();
    if (!refused.isEmpty()) {
      sb.append("; handshakes refused: ").append(refused);
    }
    return sb.toString();
  }
}

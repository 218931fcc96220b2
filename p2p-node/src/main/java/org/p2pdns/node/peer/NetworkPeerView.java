package org.p2pdns.node.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.node.query.PeerView;

/** The query server's view of the peer network: {@code p2pdns nodes} and the peers status line. */
public final class NetworkPeerView implements PeerView {
  private final PeerNetwork network;
  private final RecordGossip gossip;

  public NetworkPeerView(PeerNetwork network, RecordGossip gossip) {
    this.network = network;
    this.gossip = gossip;
  }

  @Override
  public List<NodeResponse.NodeEntry> knownNodes() {
    List<NodeResponse.NodeEntry> out = new ArrayList<>();
    out.add(new NodeResponse.NodeEntry(network.nodeId(), network.announcement().addresses()
        .stream().map(Object::toString).findFirst().orElse(String.valueOf(
            network.boundAddress())), "self", 0, 0));
    for (NodeStatus n : network.nodes()) {
      out.add(new NodeResponse.NodeEntry(n.nodeId(), n.address(), n.state().label(),
          n.lastContact(), n.score()));
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
    sb.append("listening at ").append(network.boundAddress()).append("; ")
        .append(links.size()).append(" links (").append(outbound).append(" outbound); ")
        .append(nodes.size()).append(" known nodes (").append(unreachable)
        .append(" unreachable); gossip: ").append(gossip.summary());
    Map<DisconnectReason, Long> refused = network.refusals();
    if (!refused.isEmpty()) {
      sb.append("; handshakes refused: ").append(refused);
    }
    return sb.toString();
  }
}

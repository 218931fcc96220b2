package org.p2pdns.node.query;

import java.util.List;
import org.p2pdns.common.query.NodeResponse;

/**
 * What the query server reports about other nodes (the Nodes request and the peers line of
 * Status). The peer-to-peer layer provides the real one; until it runs, {@link #notRunning} says
 * so honestly: the node knows only itself.
 */
public interface PeerView {
  /** The nodes this node knows, itself first. */
  List<NodeResponse.NodeEntry> knownNodes();

  /** One line for people on the state of peering. */
  String peeringSummary();

  /** The view of a node without a peer layer: itself, at its configured peer address. */
  static PeerView notRunning(String selfNodeId, String listenAddress) {
    NodeResponse.NodeEntry self =
        new NodeResponse.NodeEntry(selfNodeId, listenAddress, "self", 0, 0);
    return new PeerView() {
      @Override
      public List<NodeResponse.NodeEntry> knownNodes() {
        return List.of(self);
      }

      @Override
      public String peeringSummary() {
        return "not running yet: this node holds only records submitted to it (no peer "
            + "listener at " + listenAddress + ", no peers)";
      }
    };
  }
}

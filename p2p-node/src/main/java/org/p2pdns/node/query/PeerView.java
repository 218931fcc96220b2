package org.p2pdns.node.query;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;

/**
 * What the query server reports about other nodes (the Nodes request and the peers line of
 * Status), and where it hands a Connect request. The peer-to-peer layer provides it
 * ({@code org.p2pdns.node.peer.NetworkPeerView}); the query server does not depend on Netty.
 */
public interface PeerView {
  /** The nodes this node knows, itself first. */
  List<NodeResponse.NodeEntry> knownNodes();

  /** One line for people on the state of peering. */
  String peeringSummary();

  /**
   * Answers a Connect request (checks its control-key signature, dials): the response to send,
   * a {@link NodeResponse.Connect} or an {@link NodeResponse.Error} (UNAUTHORIZED).
   */
  CompletableFuture<NodeResponse> connect(NodeRequest.Connect request);

  /**
   * Answers a Trust request (the operator's weights): a {@link NodeResponse.Trust} or an
   * {@link NodeResponse.Error}. A view without a web of trust answers UNSUPPORTED.
   */
  default CompletableFuture<NodeResponse> trust(NodeRequest.Trust request) {
    return CompletableFuture.completedFuture(new NodeResponse.Error(request.requestId(),
        NodeResponse.ErrorCode.UNSUPPORTED, "this node has no web of trust"));
  }

  /** Answers an Endorse request: a {@link NodeResponse.Endorse} or an Error. As {@link #trust}. */
  default CompletableFuture<NodeResponse> endorse(NodeRequest.Endorse request) {
    return CompletableFuture.completedFuture(new NodeResponse.Error(request.requestId(),
        NodeResponse.ErrorCode.UNSUPPORTED, "this node has no web of trust"));
  }
}

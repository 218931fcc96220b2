package org.p2pdns.node.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.node.query.PeerView;

/** The peer view of a query server tested without a peer layer: the node knows only itself. */
public final class LonePeerView implements PeerView {
  private final NodeResponse.NodeEntry self;

  public LonePeerView(String selfNodeId, String listenAddress) {
    this.self = new NodeResponse.NodeEntry(selfNodeId, listenAddress, "self", 0, 0);
  }

  @Override
  public List<NodeResponse.NodeEntry> knownNodes() {
    return List.of(self);
  }

  @Override
  public String peeringSummary() {
    return "no peer layer in this test";
  }

  @Override
  public CompletableFuture<NodeResponse> connect(NodeRequest.Connect request) {
    return CompletableFuture.completedFuture(new NodeResponse.Error(request.requestId(),
        NodeResponse.ErrorCode.UNSUPPORTED, "no peer layer in this test"));
  }
}

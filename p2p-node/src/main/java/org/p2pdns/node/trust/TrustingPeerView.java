package org.p2pdns.node.trust;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.node.query.ControlGuard;
import org.p2pdns.node.query.PeerView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query server's view of the peers with the web of trust added: {@code p2pdns nodes} shows
 * each node's trust weight, and the Trust and Endorse control requests (both need the node's
 * control key) change the operator's weights and this node's endorsements.
 */
public final class TrustingPeerView implements PeerView {
  private static final Logger LOG = LoggerFactory.getLogger(TrustingPeerView.class);

  private final PeerView peers;
  private final WebOfTrust web;
  private final EndorsementGossip gossip;
  private final ControlKey controlKey;
  private final ControlGuard guard;

  public TrustingPeerView(PeerView peers, WebOfTrust web, EndorsementGossip gossip,
      ControlKey controlKey, ControlGuard guard) {
    this.peers = peers;
    this.web = web;
    this.gossip = gossip;
    this.controlKey = controlKey;
    this.guard = guard;
  }

  @Override
  public List<NodeResponse.NodeEntry> knownNodes() {
    List<NodeResponse.NodeEntry> out = new ArrayList<>();
    for (NodeResponse.NodeEntry e : peers.knownNodes()) {
      out.add(new NodeResponse.NodeEntry(e.nodeId(), e.address(), e.state(), e.lastContact(),
          e.score(), web.weightMilliOf(e.nodeId()), e.bannedUntil()));
    }
    return out;
  }

  @Override
  public String peeringSummary() {
    return peers.peeringSummary() + "; trust: " + web.summary() + "; " + gossip.summary();
  }

  @Override
  public CompletableFuture<NodeResponse> connect(NodeRequest.Connect request) {
    return peers.connect(request);
  }

  @Override
  public CompletableFuture<NodeResponse> trust(NodeRequest.Trust r) {
    return CompletableFuture.completedFuture(answerTrust(r));
  }

  private NodeResponse answerTrust(NodeRequest.Trust r) {
    long id = r.requestId();
    Optional<NodeResponse> refused = guard.check(id, "trust", r.verify(controlKey),
        r.issuedAt(), r.mac());
    if (refused.isPresent()) {
      return refused.get();
    }
    if (r.op() != NodeRequest.Trust.LIST && !NodeIds.isNodeId(r.nodeId())) {
      return badRequest(id, "'" + r.nodeId() + "' is not a node id (64 lower-case hex digits)");
    }
    String message;
    try {
      switch (r.op()) {
        case NodeRequest.Trust.SET -> {
          web.setOperatorWeight(r.nodeId(), r.weightMilli());
          message = "node " + r.nodeId() + " now has operator weight "
              + TrustRoots.format(r.weightMilli());
          LOG.info("operator set the trust weight of node {} to {}", r.nodeId(),
              TrustRoots.format(r.weightMilli()));
        }
        case NodeRequest.Trust.REMOVE -> {
          boolean had = web.removeOperatorWeight(r.nodeId());
          message = had ? "removed the operator weight of node " + r.nodeId()
              : "node " + r.nodeId() + " had no operator weight set with p2pdns trust";
          LOG.info("operator removed the trust weight of node {}", r.nodeId());
        }
        default -> message = "";
      }
    } catch (SQLException e) {
      LOG.error("cannot store a trust weight", e);
      return new NodeResponse.Error(id, NodeResponse.ErrorCode.INTERNAL,
          "cannot store the weight: " + e.getMessage());
    }
    return new NodeResponse.Trust(id, message, web.entries());
  }

  @Override
  public CompletableFuture<NodeResponse> endorse(NodeRequest.Endorse r) {
    return CompletableFuture.completedFuture(answerEndorse(r));
  }

  private NodeResponse answerEndorse(NodeRequest.Endorse r) {
    long id = r.requestId();
    Optional<NodeResponse> refused = guard.check(id, "endorse", r.verify(controlKey),
        r.issuedAt(), r.mac());
    if (refused.isPresent()) {
      return refused.get();
    }
    if (r.op() != NodeRequest.Endorse.LIST && !NodeIds.isNodeId(r.nodeId())) {
      return badRequest(id, "'" + r.nodeId() + "' is not a node id (64 lower-case hex digits)");
    }
    String message = "";
    if (r.op() != NodeRequest.Endorse.LIST) {
      boolean withdraw = r.op() == NodeRequest.Endorse.WITHDRAW;
      try {
        web.endorse(r.nodeId(), withdraw);
      } catch (IllegalStateException e) {
        return badRequest(id, e.getMessage());
      } catch (SQLException e) {
        LOG.error("cannot store an endorsement", e);
        return new NodeResponse.Error(id, NodeResponse.ErrorCode.INTERNAL,
            "cannot store the endorsement: " + e.getMessage());
      }
      message = (withdraw ? "withdrew the endorsement of node " : "endorsed node ")
          + r.nodeId() + "; signed with this node's key, spreading to its peers";
      LOG.info("operator {} node {}", withdraw ? "withdrew the endorsement of" : "endorsed",
          r.nodeId());
    }
    return new NodeResponse.Endorse(id, message, web.ownEndorsements());
  }

  private static NodeResponse badRequest(long id, String message) {
    return new NodeResponse.Error(id, NodeResponse.ErrorCode.BAD_REQUEST, message);
  }
}

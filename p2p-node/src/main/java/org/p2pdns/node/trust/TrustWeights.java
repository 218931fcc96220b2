package org.p2pdns.node.trust;

/**
 * How much this node trusts other nodes: the operator's own trust (configuration and
 * {@code p2pdns trust}) and what flows to other nodes along signed endorsements. A node that
 * takes a name's record from several peers (a new node filling its store) weighs each peer's
 * answer by this, so that a majority of untrusted nodes, which cost nothing to make, cannot
 * outvote the peers the operator trusts.
 */
public interface TrustWeights {
  /** The weight of a node, 0 or more; 0 for a node nobody trusted has vouched for. */
  double weightOf(String nodeId);

  /** Trusts nobody: every peer weighs 0. */
  static TrustWeights none() {
    return nodeId -> 0;
  }
}

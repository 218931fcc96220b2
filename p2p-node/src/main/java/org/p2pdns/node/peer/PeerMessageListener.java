package org.p2pdns.node.peer;

import org.p2pdns.common.peer.PeerMessage;

/**
 * What the node's services (gossip, record fetches, reconciliation) hear from the peer network.
 * Called on the link's Netty event loop thread: return quickly, hand slow work (signature checks
 * in bulk, database writes) to the service's own executor.
 */
public interface PeerMessageListener {
  /** A link finished its handshake. */
  default void onLinkUp(PeerLink link) {}

  /**
   * A message for the services: {@link PeerMessage.RecordPush}, a {@link
   * PeerMessage.RecordRequest}, {@link PeerMessage.Records} or {@link PeerMessage.Reconcile}.
   * Handshake, keep-alive and membership messages are handled by the peer network itself.
   */
  void onMessage(PeerLink link, PeerMessage message);

  /** A link went down (after {@link #onLinkUp}). */
  default void onLinkDown(PeerLink link) {}

  PeerMessageListener NONE = (link, message) -> { };
}

package org.p2pdns.node.peer;

import java.net.InetSocketAddress;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessage;

/** An established, authenticated link to one peer node: what the node's services see of it. */
public interface PeerLink {
  /** The peer's node id, proven by TLS (the hash of its certificate key). */
  String nodeId();

  /** Whether this node dialed the link. */
  boolean outbound();

  InetSocketAddress remoteAddress();

  /** Whether the link is still up. */
  boolean isOpen();

  /**
   * Queues a message to the peer. Never blocks. Returns false when the message was not queued:
   * the link is closed, or the peer reads too slowly and the message could be dropped (a
   * {@link PeerMessage.RecordPush}: reconciliation repairs what gossip loses). A peer whose queue
   * overflows past the hard limit is disconnected.
   */
  boolean send(PeerMessage message);

  /** Lowers the peer's score; a peer at the limit is disconnected with LOW_SCORE. */
  void penalize(PeerScore.Offence offence);

  /**
   * Reads nothing more from the peer for {@code millis} (back-pressure: its sends stall in TCP
   * instead of being read and dropped). A link that is closing stays paused.
   */
  default void pauseReading(long millis) {}

  /** Sends DISCONNECT with the reason and closes the link. */
  void disconnect(DisconnectReason reason, String detail);
}

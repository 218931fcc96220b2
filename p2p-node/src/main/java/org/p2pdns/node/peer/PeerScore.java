package org.p2pdns.node.peer;

/**
 * How well a peer has behaved. Invalid traffic lowers the score; a peer at or below the limit is
 * banned: disconnected and refused for a while ({@link DecayingPeerScore} says how long).
 * Refusals an honest node can cause (clock skew, stale serials, rate limits) are never offences.
 */
public interface PeerScore {
  /** What a peer did wrong, and what it costs. */
  enum Offence {
    /** A frame that does not decode or is over the size limit. */
    MALFORMED_FRAME(25),
    /** A message out of place (a second HELLO, a RECORDS nobody asked for). */
    UNEXPECTED_MESSAGE(10),
    /** A node announcement whose signature does not hold. */
    INVALID_ANNOUNCEMENT(20),
    /** A record that fails a validation rule. */
    INVALID_RECORD(10),
    /** A peer that let its outbound queue overflow. */
    SLOW(5);

    private final int penalty;

    Offence(int penalty) {
      this.penalty = penalty;
    }

    public int penalty() {
      return penalty;
    }
  }

  /** Records an offence of the node; returns its new score. */
  int penalize(String nodeId, Offence offence);

  /** The node's current score; 0 for a node never seen misbehaving. */
  int score(String nodeId);

  /** Whether links with the node are to be closed and refused now. */
  boolean refused(String nodeId);

  /** Until when (Unix ms) the node is refused; 0 when it is not. */
  default long bannedUntil(String nodeId) {
    return refused(nodeId) ? Long.MAX_VALUE : 0;
  }
}

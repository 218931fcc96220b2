package org.p2pdns.common.peer;

import java.util.Optional;

/**
 * Why a node refuses a handshake (REJECT) or ends a link (DISCONNECT). A receiver that meets a
 * code it does not know treats it as {@link #OTHER}.
 */
public enum DisconnectReason {
  /** None of the others; the detail text says more. */
  OTHER(0),
  /** The peers speak different protocol versions. */
  PROTOCOL_VERSION(1),
  /** The peers belong to different networks (different network parameters). */
  NETWORK_MISMATCH(2),
  /** The node id is not the one pinned for this address, or not the hash of the TLS key. */
  ID_MISMATCH(3),
  /** The node dialed itself. */
  SELF(4),
  /** A second link between the same two nodes; the other one stays. */
  DUPLICATE(5),
  /** The node has as many links as it allows. */
  TOO_MANY_PEERS(6),
  /** The HELLO's node announcement does not verify. */
  BAD_ANNOUNCEMENT(7),
  /** A frame that does not decode, a message out of place, or a frame over the size limit. */
  PROTOCOL_ERROR(8),
  /** The handshake did not finish in time, or the peer fell silent. */
  TIMEOUT(9),
  /** The peer reads too slowly: its outbound queue stayed full. */
  SLOW(10),
  /** The node is shutting down. */
  SHUTDOWN(11),
  /** The peer's score fell below the limit (invalid traffic). */
  LOW_SCORE(12),
  /** A probe link made only to check that an address reaches the node. */
  PROBE_DONE(13);

  private final int code;

  DisconnectReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<DisconnectReason> fromCode(int code) {
    for (DisconnectReason r : values()) {
      if (r.code == code) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}

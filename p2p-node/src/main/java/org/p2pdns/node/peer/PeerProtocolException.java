package org.p2pdns.node.peer;

import org.p2pdns.common.peer.DisconnectReason;

/** A peer broke the protocol: the link is closed with {@link #reason()} and the peer scored. */
final class PeerProtocolException extends Exception {
  private static final long serialVersionUID = 1L;
  private final DisconnectReason reason;

  PeerProtocolException(DisconnectReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  PeerProtocolException(DisconnectReason reason, String message) {
    this(reason, message, null);
  }

  DisconnectReason reason() {
    return reason;
  }
}

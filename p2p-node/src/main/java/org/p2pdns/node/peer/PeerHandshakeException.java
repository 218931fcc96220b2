package org.p2pdns.node.peer;

import org.p2pdns.common.peer.DisconnectReason;

/** A link that did not come up: why, in the protocol's terms, and in words for people. */
public final class PeerHandshakeException extends Exception {
  private static final long serialVersionUID = 1L;
  private final DisconnectReason reason;

  public PeerHandshakeException(DisconnectReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DisconnectReason reason() {
    return reason;
  }
}

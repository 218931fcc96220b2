package org.p2pdns.node.peer;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.common.peer.PeerAddress;

/**
 * What one connection attempt knows before the handshake: its direction, the address dialed and
 * the node id pinned for it, and the future that learns how the handshake ended.
 */
final class LinkSetup {
  final boolean outbound;
  final Optional<PeerAddress> dialed;
  final Optional<String> pinnedId;
  /** A dial made only to check that the address reaches the node; closed after the handshake. */
  final boolean probe;
  final CompletableFuture<PeerSession> result = new CompletableFuture<>();

  private LinkSetup(boolean outbound, Optional<PeerAddress> dialed, Optional<String> pinnedId,
      boolean probe) {
    this.outbound = outbound;
    this.probe = probe;
    this.dialed = dialed;
    this.pinnedId = pinnedId;
  }

  static LinkSetup inbound() {
    return new LinkSetup(false, Optional.empty(), Optional.empty(), false);
  }

  static LinkSetup outbound(PeerAddress address, Optional<String> pinnedId, boolean probe) {
    return new LinkSetup(true, Optional.of(address), pinnedId, probe);
  }

  String direction() {
    return outbound ? "outbound" : "inbound";
  }
}

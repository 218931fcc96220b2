package org.p2pdns.node.records;

/**
 * Where a submitted record came from. Listeners use it not to send a record back where it came
 * from, and to score peers on what they send.
 */
public sealed interface Origin {
  /** A local client over the control endpoint (the CLI, a tool). */
  record Client() implements Origin {}

  /** A peer node, named by its node id. */
  record Peer(String nodeId) implements Origin {}

  /**
   * A new node's vote among its peers chose this record (docs/protocol.md 3.8b); {@code nodeId}
   * is one peer that listed it. Every peer asked holds it already: gossip does not pass it on.
   */
  record Voted(String nodeId) implements Origin {}

  Origin CLIENT = new Client();

  static Origin peer(String nodeId) {
    return new Peer(nodeId);
  }

  static Origin voted(String nodeId) {
    return new Voted(nodeId);
  }
}

package org.p2pdns.common.query;

/**
 * A request to the node over its local JeroMQ endpoint (docs/protocol.md, "Node query protocol").
 * Each carries a request id that the response echoes, so many can be in flight on one socket.
 */
public sealed interface NodeRequest {
  long requestId();

  /** Network parameters, node id, boot id and change-feed endpoint. */
  record Info(long requestId) implements NodeRequest {}

  /** The record of a registered name (lower case, no trailing dot). */
  record Lookup(long requestId, String name) implements NodeRequest {}

  /** A signed record to validate, store and spread. */
  record Submit(long requestId, byte[] record) implements NodeRequest {
    public Submit {
      record = record.clone();
    }
  }

  /** Registered names after {@code after} (exclusive, "" from the start), at most {@code limit}. */
  record ListNames(long requestId, String after, int limit) implements NodeRequest {
    public ListNames {
      if (limit < 1 || limit > NodeQueryCodec.MAX_LIST) {
        throw new IllegalArgumentException("limit between 1 and " + NodeQueryCodec.MAX_LIST);
      }
    }
  }

  /** The node's state as key/value lines for people. */
  record Status(long requestId) implements NodeRequest {}

  /** The nodes this node knows. */
  record Nodes(long requestId) implements NodeRequest {}
}

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

  /**
   * The first step of a claim (docs/protocol.md 2.3, type 0x0A): a commitment (1.5a) to keep and
   * spread. Needs no key: it is checked by its proof of work and its time.
   */
  record SubmitCommitment(long requestId, byte[] commitment) implements NodeRequest {
    public SubmitCommitment {
      commitment = commitment.clone();
    }

    @Override
    public byte[] commitment() {
      return commitment.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SubmitCommitment c && c.requestId == requestId
          && java.util.Arrays.equals(c.commitment, commitment);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(requestId) * 31 + java.util.Arrays.hashCode(commitment);
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

  /**
   * Dial a peer now: {@code ID@HOST:PORT} (pinned) or {@code HOST:PORT}. Changes the node, so it
   * carries an HMAC made with the node's {@link ControlKey} over its fields and {@code issuedAt}
   * (Unix ms; the node refuses requests older or newer than a minute, and repeats).
   */
  record Connect(long requestId, String target, long issuedAt, byte[] mac)
      implements NodeRequest {
    public Connect {
      if (mac.length != ControlKey.MAC_BYTES) {
        throw new IllegalArgumentException("mac is " + ControlKey.MAC_BYTES + " bytes");
      }
      mac = mac.clone();
    }

    /** A request signed with {@code key} at {@code nowMillis}. */
    public static Connect signed(long requestId, String target, long nowMillis, ControlKey key) {
      return new Connect(requestId, target, nowMillis,
          key.mac(NodeQueryCodec.CONNECT, requestId, nowMillis, signedFields(target)));
    }

    /** The fields the mac covers, as encoded. */
    public static byte[] signedFields(String target) {
      return new org.p2pdns.common.wire.WireWriter(64).string16(target).toByteArray();
    }

    public boolean verify(ControlKey key) {
      return key.verify(NodeQueryCodec.CONNECT, requestId, issuedAt, signedFields(target), mac);
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }
  }
}

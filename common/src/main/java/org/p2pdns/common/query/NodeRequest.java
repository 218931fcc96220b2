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

  /**
   * The operator's trust in other nodes (docs/protocol.md 3.10): list, set or remove the weight
   * of a node. Carries an HMAC with the node's {@link ControlKey} as {@link Connect} does (the
   * list too: trust is the operator's business).
   *
   * @param op {@link #LIST}, {@link #SET} or {@link #REMOVE}
   * @param nodeId the node (empty for LIST)
   * @param weightMilli for SET, the weight in thousandths (0..1,000,000,000); else 0
   */
  record Trust(long requestId, int op, String nodeId, long weightMilli, long issuedAt, byte[] mac)
      implements NodeRequest {
    public static final int LIST = 0;
    public static final int SET = 1;
    public static final int REMOVE = 2;
    /** The largest weight: a million, in thousandths. */
    public static final long MAX_WEIGHT_MILLI = 1_000_000_000L;

    public Trust {
      if (op < LIST || op > REMOVE) {
        throw new IllegalArgumentException("unknown trust op " + op);
      }
      if (weightMilli < 0 || weightMilli > MAX_WEIGHT_MILLI) {
        throw new IllegalArgumentException("weight outside 0.." + MAX_WEIGHT_MILLI / 1000);
      }
      if (mac.length != ControlKey.MAC_BYTES) {
        throw new IllegalArgumentException("mac is " + ControlKey.MAC_BYTES + " bytes");
      }
      mac = mac.clone();
    }

    public static Trust signed(long requestId, int op, String nodeId, long weightMilli,
        long nowMillis, ControlKey key) {
      return new Trust(requestId, op, nodeId, weightMilli, nowMillis, key.mac(
          NodeQueryCodec.TRUST, requestId, nowMillis, signedFields(op, nodeId, weightMilli)));
    }

    public static byte[] signedFields(int op, String nodeId, long weightMilli) {
      return new org.p2pdns.common.wire.WireWriter(80).u8(op).string16(nodeId).i64(weightMilli)
          .toByteArray();
    }

    public boolean verify(ControlKey key) {
      return key.verify(NodeQueryCodec.TRUST, requestId, issuedAt,
          signedFields(op, nodeId, weightMilli), mac);
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }
  }

  /**
   * The node's own endorsements (docs/protocol.md 3.10): list them, endorse a node (the node
   * signs an endorsement with its node key and spreads it), or withdraw one. Carries an HMAC with
   * the node's {@link ControlKey}.
   *
   * @param op {@link #LIST}, {@link #ENDORSE} or {@link #WITHDRAW}
   * @param nodeId the node (empty for LIST)
   */
  record Endorse(long requestId, int op, String nodeId, long issuedAt, byte[] mac)
      implements NodeRequest {
    public static final int LIST = 0;
    public static final int ENDORSE = 1;
    public static final int WITHDRAW = 2;

    public Endorse {
      if (op < LIST || op > WITHDRAW) {
        throw new IllegalArgumentException("unknown endorse op " + op);
      }
      if (mac.length != ControlKey.MAC_BYTES) {
        throw new IllegalArgumentException("mac is " + ControlKey.MAC_BYTES + " bytes");
      }
      mac = mac.clone();
    }

    public static Endorse signed(long requestId, int op, String nodeId, long nowMillis,
        ControlKey key) {
      return new Endorse(requestId, op, nodeId, nowMillis, key.mac(NodeQueryCodec.ENDORSE,
          requestId, nowMillis, signedFields(op, nodeId)));
    }

    public static byte[] signedFields(int op, String nodeId) {
      return new org.p2pdns.common.wire.WireWriter(72).u8(op).string16(nodeId).toByteArray();
    }

    public boolean verify(ControlKey key) {
      return key.verify(NodeQueryCodec.ENDORSE, requestId, issuedAt, signedFields(op, nodeId),
          mac);
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }
  }
}

package org.p2pdns.common.query;

import java.util.List;
import java.util.Optional;

/** The node's answers; each echoes the request id of its request. */
public sealed interface NodeResponse {
  long requestId();

  /**
   * @param networkParams the encoded {@link org.p2pdns.common.network.NetworkParams}
   * @param nodeId the node's id (hex)
   * @param bootId random per start of the node: a change tells the front-end that it may have
   *     missed change notices and must drop its cache
   * @param feedEndpoint where the node publishes {@link ChangeNotice}s
   */
  record Info(long requestId, byte[] networkParams, String nodeId, long bootId,
      String feedEndpoint, String version) implements NodeResponse {
    public Info {
      networkParams = networkParams.clone();
    }
  }

  /** What the node holds for a name. */
  enum LookupStatus {
    /** A live record: serve it. */
    FOUND(0),
    /** No record for the name. */
    NOT_FOUND(1),
    /** A record past its expiry: not served; shown by {@code p2pdns show}. */
    EXPIRED(2),
    /** The owner revoked the name: not served. */
    REVOKED(3),
    /** Peers disagree on the name and trusted evidence has not settled it. */
    CONTESTED(4);

    private final int code;

    LookupStatus(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Optional<LookupStatus> fromCode(int code) {
      for (LookupStatus s : values()) {
        if (s.code == code) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * @param record the encoded signed record, empty for NOT_FOUND
   * @param detail a note for people (why contested, evidence of equivocation), may be empty
   */
  record Lookup(long requestId, LookupStatus status, byte[] record, String detail)
      implements NodeResponse {
    public Lookup {
      record = record.clone();
    }
  }

  /** What became of a submitted record. */
  enum SubmitStatus {
    STORED(0), DUPLICATE(1), REFUSED(2);

    private final int code;

    SubmitStatus(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Optional<SubmitStatus> fromCode(int code) {
      for (SubmitStatus s : values()) {
        if (s.code == code) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * @param reasonCode a {@link org.p2pdns.common.record.RefusalReason} code when refused, else 0
   */
  record Submit(long requestId, SubmitStatus status, int reasonCode, String message)
      implements NodeResponse {}

  /** What became of a submitted commitment; the fields are those of {@link Submit}. */
  record CommitmentSubmitted(long requestId, SubmitStatus status, int reasonCode, String message)
      implements NodeResponse {}

  record Names(long requestId, List<String> names, boolean more) implements NodeResponse {
    public Names {
      if (names.size() > NodeQueryCodec.MAX_LIST) {
        // The decoder refuses more: fail where the list is made, not at the client.
        throw new IllegalArgumentException("at most " + NodeQueryCodec.MAX_LIST + " names");
      }
      names = List.copyOf(names);
    }
  }

  /** One line of status: a key and a value. */
  record Field(String key, String value) {}

  record Status(long requestId, List<Field> fields) implements NodeResponse {
    public Status {
      fields = List.copyOf(fields);
    }
  }

  /**
   * One known node. Times are Unix milliseconds, 0 for never.
   *
   * @param trustMilli the node's trust weight as this node computes it, in thousandths
   * @param bannedUntil until when the node is refused for invalid traffic; 0 when not banned
   */
  record NodeEntry(String nodeId, String address, String state, long lastContact, int score,
      long trustMilli, long bannedUntil) {
    /** A node with no trust and no ban. */
    public NodeEntry(String nodeId, String address, String state, long lastContact, int score) {
      this(nodeId, address, state, lastContact, score, 0, 0);
    }
  }

  record Nodes(long requestId, List<NodeEntry> nodes) implements NodeResponse {
    public Nodes {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * What became of a Connect request.
   *
   * @param nodeId the node that answered at the address, when connected
   * @param message for people: why not, when not connected
   */
  record Connect(long requestId, boolean connected, String nodeId, String message)
      implements NodeResponse {}

  /**
   * One node the operator trusts, or that trust flows to (docs/protocol.md 3.10).
   *
   * @param operatorMilli the weight set with {@code p2pdns trust} (thousandths), -1 when none
   * @param configMilli the weight from {@code node.trust} (thousandths), -1 when none
   * @param weightMilli the weight the node uses (thousandths)
   * @param via for people: where the weight comes from
   */
  record TrustEntry(String nodeId, long operatorMilli, long configMilli, long weightMilli,
      String via) {}

  /** The trust table after a Trust request: every node with a weight or an operator entry. */
  record Trust(long requestId, String message, List<TrustEntry> entries) implements NodeResponse {
    public Trust {
      entries = List.copyOf(entries);
    }
  }

  /** After an Endorse request: the node ids this node endorses now. */
  record Endorse(long requestId, String message, List<String> endorsed) implements NodeResponse {
    public Endorse {
      endorsed = List.copyOf(endorsed);
    }
  }

  /** Why a request could not be served. */
  enum ErrorCode {
    BAD_REQUEST(1), UNAUTHORIZED(2), INTERNAL(3), UNSUPPORTED(4), BUSY(5);

    private final int code;

    ErrorCode(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Optional<ErrorCode> fromCode(int code) {
      for (ErrorCode c : values()) {
        if (c.code == code) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }
  }

  record Error(long requestId, ErrorCode code, String message) implements NodeResponse {}
}

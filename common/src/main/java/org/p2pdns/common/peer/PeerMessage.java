package org.p2pdns.common.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.sync.GossipMessage;

/**
 * The messages of a peer link, one per frame (docs/protocol.md, part 3). Immutable values; the
 * compact constructors enforce the same limits the decoder does, so a message that can be built
 * can be sent.
 */
public sealed interface PeerMessage {

  /** Longest detail text of REJECT and DISCONNECT, in characters (ASCII after cleaning). */
  int MAX_DETAIL_CHARS = 200;
  /** Longest software version text. */
  int MAX_SOFTWARE_CHARS = 64;
  /** Most node entries in one NODES message, so the frame stays under the limit. */
  int MAX_NODES = 200;
  /** Most names, digests or records in one request or RECORDS page. */
  int MAX_ITEMS = 1000;
  /** Most endorsements in one ENDORSEMENTS message (at most 310 KB). */
  int MAX_ENDORSEMENTS = 500;

  /**
   * Opens the handshake; each side sends one as soon as TLS is up.
   *
   * @param flags bit 0 ({@link #PROBE}): the sender dialed only to check that this address
   *     reaches this node and closes the link after the handshake; other bits are 0
   */
  record Hello(int protocolVersion, byte[] networkId, int flags, String softwareVersion,
      NodeAnnouncement announcement) implements PeerMessage {
    /** The link is a probe: neither side admits it; the dialer closes it with PROBE_DONE. */
    public static final int PROBE = 0x01;

    public Hello {
      if (protocolVersion < 0 || protocolVersion > 0xffff) {
        throw new IllegalArgumentException("protocol version is a u16");
      }
      if ((flags & ~PROBE) != 0) {
        throw new IllegalArgumentException("unknown HELLO flags " + flags);
      }
      if (networkId.length != Hashes.SHA256_BYTES) {
        throw new IllegalArgumentException("network id is 32 bytes");
      }
      networkId = networkId.clone();
      softwareVersion = cleanText(softwareVersion, MAX_SOFTWARE_CHARS);
    }

    @Override
    public byte[] networkId() {
      return networkId.clone();
    }

    public boolean probe() {
      return (flags & PROBE) != 0;
    }

    /** The sender's node id: the hash of the announcement's key. */
    public String nodeId() {
      return announcement.nodeId();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Hello h && protocolVersion == h.protocolVersion && flags == h.flags
          && Arrays.equals(networkId, h.networkId) && softwareVersion.equals(h.softwareVersion)
          && announcement.equals(h.announcement);
    }

    @Override
    public int hashCode() {
      return announcement.hashCode();
    }
  }

  /** The peer's HELLO was accepted. */
  record HelloAck() implements PeerMessage {}

  /** The peer's HELLO was refused; the sender closes the link after it. */
  record Reject(DisconnectReason reason, String detail) implements PeerMessage {
    public Reject {
      detail = cleanText(detail, MAX_DETAIL_CHARS);
    }
  }

  /** Keep-alive; answered by a PONG with the same nonce. */
  record Ping(long nonce) implements PeerMessage {}

  record Pong(long nonce) implements PeerMessage {}

  /** The sender closes the link after it. */
  record Disconnect(DisconnectReason reason, String detail) implements PeerMessage {
    public Disconnect {
      detail = cleanText(detail, MAX_DETAIL_CHARS);
    }
  }

  /**
   * Asks for known nodes in node id order after {@code afterNodeId} ("" from the start), at most
   * {@code limit}.
   */
  record NodesRequest(String afterNodeId, int limit) implements PeerMessage {
    public NodesRequest {
      if (!afterNodeId.isEmpty() && !NodeIds.isNodeId(afterNodeId)) {
        throw new IllegalArgumentException("after must be empty or a node id");
      }
      if (limit < 1 || limit > MAX_NODES) {
        throw new IllegalArgumentException("limit between 1 and " + MAX_NODES);
      }
    }
  }

  /**
   * A node the sender knows: its own signed announcement, and the addresses at which the sender
   * itself reached it (a subset of what it announced, with the source placeholder filled in).
   */
  record NodeEntry(NodeAnnouncement announcement, List<PeerAddress> reached) {
    public NodeEntry {
      reached = List.copyOf(reached);
      if (reached.size() > NodeAnnouncement.MAX_ADDRESSES) {
        throw new IllegalArgumentException("at most " + NodeAnnouncement.MAX_ADDRESSES
            + " reached addresses");
      }
      for (PeerAddress a : reached) {
        if (a.isSourcePlaceholder()) {
          throw new IllegalArgumentException("a reached address has a host");
        }
      }
    }
  }

  /**
   * Known nodes: the answer to NODES_REQUEST ({@code more} when another page follows), or pushed
   * unasked when the sender learns of a node.
   */
  record Nodes(List<NodeEntry> nodes, boolean more) implements PeerMessage {
    public Nodes {
      nodes = List.copyOf(nodes);
      if (nodes.size() > MAX_NODES) {
        throw new IllegalArgumentException("at most " + MAX_NODES + " nodes");
      }
    }
  }

  /**
   * Signed endorsements the sender holds (its own and those it relays), sent after the NODES
   * exchange when a link comes up and pushed when the sender learns a new one. Receivers verify
   * each signature; an endorsement counts only for the trust its receiver computes itself.
   */
  record Endorsements(List<Endorsement> endorsements) implements PeerMessage {
    public Endorsements {
      endorsements = List.copyOf(endorsements);
      if (endorsements.size() > MAX_ENDORSEMENTS) {
        throw new IllegalArgumentException("at most " + MAX_ENDORSEMENTS + " endorsements");
      }
    }
  }

  /**
   * A signed record spread by gossip. Receivers de-duplicate by the SHA-256 of {@code record} (the
   * record's digest) and forward with {@code hops + 1}.
   */
  record RecordPush(int hops, byte[] record) implements PeerMessage {
    public RecordPush {
      if (hops < 0 || hops > 0xff) {
        throw new IllegalArgumentException("hops is a u8");
      }
      checkRecordBytes(record);
      record = record.clone();
    }

    @Override
    public byte[] record() {
      return record.clone();
    }

    /** The record's digest, its identity for de-duplication. */
    public byte[] digest() {
      return Hashes.sha256(record);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RecordPush p && hops == p.hops && Arrays.equals(record, p.record);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(record);
    }
  }

  /**
   * Asks for records; answered by RECORDS with the same {@code requestId} (a u32 chosen by the
   * asker).
   */
  sealed interface RecordRequest extends PeerMessage {
    long requestId();
  }

  /** The current records of these registrable names. */
  record RecordsByName(long requestId, List<String> names) implements RecordRequest {
    public RecordsByName {
      checkRequestId(requestId);
      names = List.copyOf(names);
      if (names.isEmpty() || names.size() > MAX_ITEMS) {
        throw new IllegalArgumentException("between 1 and " + MAX_ITEMS + " names");
      }
      for (String n : names) {
        checkName(n);
      }
    }
  }

  /** The records with these digests, those the answerer still holds. */
  record RecordsByDigest(long requestId, List<byte[]> digests) implements RecordRequest {
    public RecordsByDigest {
      checkRequestId(requestId);
      if (digests.isEmpty() || digests.size() > MAX_ITEMS) {
        throw new IllegalArgumentException("between 1 and " + MAX_ITEMS + " digests");
      }
      List<byte[]> copy = new ArrayList<>(digests.size());
      for (byte[] d : digests) {
        if (d.length != Hashes.SHA256_BYTES) {
          throw new IllegalArgumentException("a digest is 32 bytes");
        }
        copy.add(d.clone());
      }
      digests = List.copyOf(copy);
    }

    @Override
    public List<byte[]> digests() {
      return digests.stream().map(byte[]::clone).toList();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof RecordsByDigest r) || r.requestId != requestId
          || r.digests.size() != digests.size()) {
        return false;
      }
      for (int i = 0; i < digests.size(); i++) {
        if (!Arrays.equals(digests.get(i), r.digests.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(requestId) * 31 + digests.size();
    }
  }

  /**
   * One page of the whole store in name order: records of names after {@code afterName} ("" from
   * the start), at most {@code limit}. The whole-store transfer of a new node.
   */
  record RecordPage(long requestId, String afterName, int limit) implements RecordRequest {
    public RecordPage {
      checkRequestId(requestId);
      if (!afterName.isEmpty()) {
        checkName(afterName);
      }
      if (limit < 1 || limit > MAX_ITEMS) {
        throw new IllegalArgumentException("limit between 1 and " + MAX_ITEMS);
      }
    }
  }

  /**
   * Encoded signed records answering the request {@code requestId}. For a page, {@code more}
   * says that names after the last one remain; the asker goes on from the last record's name.
   */
  record Records(long requestId, List<byte[]> records, boolean more) implements PeerMessage {
    public Records {
      checkRequestId(requestId);
      if (records.size() > MAX_ITEMS) {
        throw new IllegalArgumentException("at most " + MAX_ITEMS + " records");
      }
      List<byte[]> copy = new ArrayList<>(records.size());
      for (byte[] r : records) {
        checkRecordBytes(r);
        copy.add(r.clone());
      }
      records = List.copyOf(copy);
    }

    @Override
    public List<byte[]> records() {
      return records.stream().map(byte[]::clone).toList();
    }

    public int count() {
      return records.size();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Records r) || r.requestId != requestId || r.more != more
          || r.records.size() != records.size()) {
        return false;
      }
      for (int i = 0; i < records.size(); i++) {
        if (!Arrays.equals(records.get(i), r.records.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(requestId) * 31 + records.size();
    }
  }

  /**
   * A claim's commitment spread by gossip (docs/protocol.md 3.3, 0x23): receivers keep it when
   * they witness it live and forward it once. {@code commitment} is its encoding (1.5a), checked
   * by the receiver.
   */
  record CommitmentPush(byte[] commitment) implements PeerMessage {
    public CommitmentPush {
      if (commitment.length != org.p2pdns.common.record.Commitment.ENCODED_BYTES) {
        throw new IllegalArgumentException("a commitment is "
            + org.p2pdns.common.record.Commitment.ENCODED_BYTES + " bytes");
      }
      commitment = commitment.clone();
    }

    @Override
    public byte[] commitment() {
      return commitment.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CommitmentPush c && Arrays.equals(commitment, c.commitment);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(commitment);
    }
  }

  /**
   * Asks a peer for its view of a name's current lineage (0x24): answered by LINEAGE. A node asks
   * a trusted peer that delivered another lineage of a name it holds, before it counts that
   * peer's word (docs/protocol.md 1.11).
   */
  record LineageQuery(String name) implements PeerMessage {
    public LineageQuery {
      checkName(name);
    }
  }

  /**
   * A node's view of the current lineage of {@code name} (0x25): its lineage id, the commitment
   * time the node counts for it (witnessed live, or learned from a trusted peer's LINEAGE), and
   * since when the node holds it. {@code lineage} is empty when the node holds no record of the
   * name; {@code countedTime} is empty when it counts none.
   */
  record Lineage(String name, java.util.Optional<byte[]> lineage,
      java.util.Optional<Long> countedTime, long heldSince) implements PeerMessage {
    public Lineage {
      checkName(name);
      if (lineage.isPresent() && lineage.get().length != Hashes.SHA256_BYTES) {
        throw new IllegalArgumentException("a lineage id is 32 bytes");
      }
      if (lineage.isEmpty() && (countedTime.isPresent() || heldSince != 0)) {
        throw new IllegalArgumentException("no lineage: no time either");
      }
      lineage = lineage.map(byte[]::clone);
    }

    @Override
    public java.util.Optional<byte[]> lineage() {
      return lineage.map(byte[]::clone);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Lineage l && l.name.equals(name) && l.heldSince == heldSince
          && l.countedTime.equals(countedTime) && l.lineage.isPresent() == lineage.isPresent()
          && (lineage.isEmpty() || Arrays.equals(l.lineage.get(), lineage.get()));
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Long.hashCode(heldSince);
    }
  }

  /**
   * A set-reconciliation message. The type codes {@code 0x30..0x3F} belong to the reconciliation
   * protocol (package {@code org.p2pdns.common.sync}); its payload is that protocol's own encoding,
   * carried here unread.
   */
  record Reconcile(int type, byte[] payload) implements PeerMessage {
    public Reconcile {
      if (type < PeerMessageCodec.RECONCILE_FIRST || type > PeerMessageCodec.RECONCILE_LAST) {
        throw new IllegalArgumentException("reconcile type " + type + " outside 0x30..0x3f");
      }
      if (payload.length > PeerMessageCodec.MAX_FRAME_BYTES - 1) {
        throw new IllegalArgumentException("reconcile payload exceeds the frame limit");
      }
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reconcile r && r.type == type && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
      return type * 31 + Arrays.hashCode(payload);
    }
  }

  /**
   * A gossip tree control message (docs/protocol.md 4.2): IHAVE, GRAFT or PRUNE of {@link
   * GossipMessage}, carried as peer types {@code 0x26..0x28}. The tree's PUSH is RECORD (0x20), so
   * a {@link GossipMessage.Push} is not allowed here.
   */
  record TreeControl(GossipMessage message) implements PeerMessage {
    public TreeControl {
      if (message instanceof GossipMessage.Push) {
        throw new IllegalArgumentException("a gossip push travels as RECORD");
      }
    }
  }

  private static void checkRequestId(long requestId) {
    if (requestId < 0 || requestId > 0xffffffffL) {
      throw new IllegalArgumentException("request id is a u32");
    }
  }

  private static void checkRecordBytes(byte[] record) {
    if (record.length == 0 || record.length > RecordCodec.ABSOLUTE_MAX_BYTES) {
      throw new IllegalArgumentException("a record is 1.." + RecordCodec.ABSOLUTE_MAX_BYTES
          + " bytes");
    }
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.length() > 253
        || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("a name is 1..253 printable ASCII characters");
    }
  }

  /** Printable ASCII only (a remote party's text ends up in our logs), cut to {@code max}. */
  static String cleanText(String text, int max) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), max));
    for (int i = 0; i < text.length() && sb.length() < max; i++) {
      char c = text.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }
}

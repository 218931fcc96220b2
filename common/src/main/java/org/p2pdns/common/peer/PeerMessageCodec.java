package org.p2pdns.common.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.sync.GossipCodec;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * Peer messages to and from frame payloads: {@code u8 type, body}. The frame's length prefix is
 * the transport's business (a u32 before each payload, docs/protocol.md, part 3); this codec sees one
 * payload at a time. Every length is checked against an explicit limit before anything is read.
 */
public final class PeerMessageCodec {
  /**
   * The peer protocol version this code speaks; HELLO carries it, and a peer whose HELLO states
   * another version is refused (REJECT PROTOCOL_VERSION, docs/protocol.md 3.4). Version 2 added
   * ENDORSEMENTS (0x12), COMMITMENT, LINEAGE_QUERY, LINEAGE (0x23-0x25) and the gossip tree's
   * IHAVE, GRAFT, PRUNE (0x26-0x28), which a version 1 node treats as protocol errors.
   */
  public static final int PROTOCOL_VERSION = 2;
  /** Largest frame payload either side sends or accepts: 1 MiB. */
  public static final int MAX_FRAME_BYTES = 1 << 20;

  public static final int HELLO = 0x01;
  public static final int HELLO_ACK = 0x02;
  public static final int REJECT = 0x03;
  public static final int PING = 0x04;
  public static final int PONG = 0x05;
  public static final int DISCONNECT = 0x06;
  public static final int NODES_REQUEST = 0x10;
  public static final int NODES = 0x11;
  public static final int ENDORSEMENTS = 0x12;
  public static final int RECORD = 0x20;
  public static final int RECORD_REQUEST = 0x21;
  public static final int RECORDS = 0x22;
  public static final int COMMITMENT = 0x23;
  public static final int LINEAGE_QUERY = 0x24;
  public static final int LINEAGE = 0x25;
  /** Gossip tree control (docs/protocol.md 4.2): announcements, grafts and prunes. */
  public static final int IHAVE = 0x26;
  public static final int GRAFT = 0x27;
  public static final int PRUNE = 0x28;
  /** First and last type code of the reconciliation messages. */
  public static final int RECONCILE_FIRST = 0x30;
  public static final int RECONCILE_LAST = 0x3f;

  static final int BY_NAME = 1;
  static final int BY_DIGEST = 2;
  static final int PAGE = 3;

  /** Bytes a RECORDS frame spends besides the records: type, id, count, more. */
  public static final int RECORDS_OVERHEAD = 1 + 4 + 2 + 1;
  /** Bytes each record adds to a RECORDS frame besides its own: the u32 length. */
  public static final int RECORDS_PER_RECORD_OVERHEAD = 4;

  private PeerMessageCodec() {}

  /** The type code of a message. */
  public static int typeOf(PeerMessage m) {
    if (m instanceof PeerMessage.Hello) {
      return HELLO;
    } else if (m instanceof PeerMessage.HelloAck) {
      return HELLO_ACK;
    } else if (m instanceof PeerMessage.Reject) {
      return REJECT;
    } else if (m instanceof PeerMessage.Ping) {
      return PING;
    } else if (m instanceof PeerMessage.Pong) {
      return PONG;
    } else if (m instanceof PeerMessage.Disconnect) {
      return DISCONNECT;
    } else if (m instanceof PeerMessage.NodesRequest) {
      return NODES_REQUEST;
    } else if (m instanceof PeerMessage.Nodes) {
      return NODES;
    } else if (m instanceof PeerMessage.Endorsements) {
      return ENDORSEMENTS;
    } else if (m instanceof PeerMessage.RecordPush) {
      return RECORD;
    } else if (m instanceof PeerMessage.RecordRequest) {
      return RECORD_REQUEST;
    } else if (m instanceof PeerMessage.Records) {
      return RECORDS;
    } else if (m instanceof PeerMessage.CommitmentPush) {
      return COMMITMENT;
    } else if (m instanceof PeerMessage.LineageQuery) {
      return LINEAGE_QUERY;
    } else if (m instanceof PeerMessage.Lineage) {
      return LINEAGE;
    } else if (m instanceof PeerMessage.Reconcile r) {
      return r.type();
    } else if (m instanceof PeerMessage.TreeControl t) {
      return IHAVE + GossipCodec.typeOf(t.message()) - GossipCodec.IHAVE;
    }
    throw new IllegalArgumentException("unknown message " + m);
  }

  /**
   * The frame payload of a message. Throws {@link IllegalArgumentException} when it would exceed
   * {@link #MAX_FRAME_BYTES}: the sender must page (that is a bug of the caller, not of the peer).
   */
  public static byte[] encode(PeerMessage m) {
    WireWriter w = new WireWriter(64).u8(typeOf(m));
    if (m instanceof PeerMessage.Hello h) {
      w.u16(h.protocolVersion()).bytes(h.networkId()).u8(h.flags());
      text8(w, h.softwareVersion());
      h.announcement().writeTo(w);
    } else if (m instanceof PeerMessage.HelloAck) {
      // No body.
    } else if (m instanceof PeerMessage.Reject r) {
      w.u8(r.reason().code());
      text8(w, r.detail());
    } else if (m instanceof PeerMessage.Ping p) {
      w.i64(p.nonce());
    } else if (m instanceof PeerMessage.Pong p) {
      w.i64(p.nonce());
    } else if (m instanceof PeerMessage.Disconnect d) {
      w.u8(d.reason().code());
      text8(w, d.detail());
    } else if (m instanceof PeerMessage.NodesRequest n) {
      text8(w, n.afterNodeId());
      w.u16(n.limit());
    } else if (m instanceof PeerMessage.Nodes n) {
      w.u16(n.nodes().size());
      for (PeerMessage.NodeEntry e : n.nodes()) {
        e.announcement().writeTo(w);
        w.u8(e.reached().size());
        for (PeerAddress a : e.reached()) {
          address(w, a);
        }
      }
      w.bool(n.more());
    } else if (m instanceof PeerMessage.Endorsements e) {
      w.u16(e.endorsements().size());
      for (Endorsement x : e.endorsements()) {
        x.writeTo(w);
      }
    } else if (m instanceof PeerMessage.RecordPush p) {
      w.u8(p.hops()).bytes32(p.record());
    } else if (m instanceof PeerMessage.CommitmentPush c) {
      w.bytes(c.commitment());
    } else if (m instanceof PeerMessage.LineageQuery q) {
      text8(w, q.name());
    } else if (m instanceof PeerMessage.Lineage l) {
      text8(w, l.name());
      w.bool(l.lineage().isPresent());
      if (l.lineage().isPresent()) {
        w.bytes(l.lineage().get()).bool(l.countedTime().isPresent());
        l.countedTime().ifPresent(w::i64);
        w.i64(l.heldSince());
      }
    } else if (m instanceof PeerMessage.RecordsByName r) {
      w.u32(r.requestId()).u8(BY_NAME).u16(r.names().size());
      for (String n : r.names()) {
        text8(w, n);
      }
    } else if (m instanceof PeerMessage.RecordsByDigest r) {
      w.u32(r.requestId()).u8(BY_DIGEST).u16(r.digests().size());
      for (byte[] d : r.digests()) {
        w.bytes(d);
      }
    } else if (m instanceof PeerMessage.RecordPage r) {
      w.u32(r.requestId()).u8(PAGE);
      text8(w, r.afterName());
      w.u16(r.limit());
    } else if (m instanceof PeerMessage.Records r) {
      w.u32(r.requestId()).u16(r.records().size());
      for (byte[] rec : r.records()) {
        w.bytes32(rec);
      }
      w.bool(r.more());
    } else if (m instanceof PeerMessage.Reconcile r) {
      w.bytes(r.payload());
    } else if (m instanceof PeerMessage.TreeControl t) {
      // The body is the gossip codec's without its own type byte.
      byte[] g = GossipCodec.encode(t.message());
      w.bytes(java.util.Arrays.copyOfRange(g, 1, g.length));
    }
    if (w.size() > MAX_FRAME_BYTES) {
      throw new IllegalArgumentException(m.getClass().getSimpleName() + " of " + w.size()
          + " bytes exceeds the frame limit of " + MAX_FRAME_BYTES + "; send it in pages");
    }
    return w.toByteArray();
  }

  /**
   * The protocol version a HELLO frame states, or -1 when the frame is not a HELLO or too short.
   * The first two body bytes of a HELLO are its version in every protocol version, so a node can
   * refuse a foreign version with the right reason without reading the rest.
   */
  public static int helloVersion(byte[] frame) {
    if (frame.length < 3 || (frame[0] & 0xff) != HELLO) {
      return -1;
    }
    return ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
  }

  public static PeerMessage decode(byte[] frame) throws MalformedException {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new MalformedException("frame of " + frame.length + " bytes exceeds "
          + MAX_FRAME_BYTES);
    }
    WireReader r = new WireReader(frame);
    int type = r.u8("type");
    PeerMessage m;
    try {
      m = switch (type) {
        case HELLO -> hello(r);
        case HELLO_ACK -> new PeerMessage.HelloAck();
        case REJECT -> new PeerMessage.Reject(reason(r), readText8(r,
            PeerMessage.MAX_DETAIL_CHARS, "reject detail"));
        case PING -> new PeerMessage.Ping(r.i64("nonce"));
        case PONG -> new PeerMessage.Pong(r.i64("nonce"));
        case DISCONNECT -> new PeerMessage.Disconnect(reason(r), readText8(r,
            PeerMessage.MAX_DETAIL_CHARS, "disconnect detail"));
        case NODES_REQUEST -> {
          String after = readText8(r, 64, "after node id");
          int limit = r.u16("limit");
          if (limit < 1 || limit > PeerMessage.MAX_NODES) {
            throw new MalformedException("nodes limit " + limit + " outside 1.."
                + PeerMessage.MAX_NODES);
          }
          yield new PeerMessage.NodesRequest(after, limit);
        }
        case NODES -> nodes(r);
        case ENDORSEMENTS -> endorsements(r);
        case RECORD -> new PeerMessage.RecordPush(r.u8("hops"),
            r.bytes32(RecordCodec.ABSOLUTE_MAX_BYTES, "record"));
        case RECORD_REQUEST -> recordRequest(r);
        case RECORDS -> records(r);
        case IHAVE, GRAFT, PRUNE -> {
          byte[] body = r.bytes(r.remaining(), "gossip body");
          byte[] g = new byte[body.length + 1];
          g[0] = (byte) (type - IHAVE + GossipCodec.IHAVE);
          System.arraycopy(body, 0, g, 1, body.length);
          yield new PeerMessage.TreeControl(GossipCodec.decode(g));
        }
        case COMMITMENT -> new PeerMessage.CommitmentPush(r.bytes(
            org.p2pdns.common.record.Commitment.ENCODED_BYTES, "commitment"));
        case LINEAGE_QUERY -> new PeerMessage.LineageQuery(readText8(r, 253, "name"));
        case LINEAGE -> {
          String name = readText8(r, 253, "name");
          if (!r.bool("known")) {
            yield new PeerMessage.Lineage(name, java.util.Optional.empty(),
                java.util.Optional.empty(), 0);
          }
          byte[] id = r.bytes(32, "lineage id");
          java.util.Optional<Long> time = r.bool("timed")
              ? java.util.Optional.of(r.i64("counted time")) : java.util.Optional.empty();
          yield new PeerMessage.Lineage(name, java.util.Optional.of(id), time,
              r.i64("held since"));
        }
        default -> {
          if (type >= RECONCILE_FIRST && type <= RECONCILE_LAST) {
            yield new PeerMessage.Reconcile(type, r.bytes(r.remaining(), "reconcile payload"));
          }
          throw new MalformedException("unknown message type 0x" + Integer.toHexString(type));
        }
      };
    } catch (IllegalArgumentException e) {
      // A value the wire can hold but the message does not allow (an empty record, a bad name).
      throw new MalformedException("type 0x" + Integer.toHexString(type) + ": " + e.getMessage(),
          e);
    }
    r.expectEnd("message type 0x" + Integer.toHexString(type));
    return m;
  }

  private static PeerMessage.Hello hello(WireReader r) throws MalformedException {
    int version = r.u16("protocol version");
    if (version != PROTOCOL_VERSION) {
      throw new MalformedException("protocol version " + version + ", this node speaks "
          + PROTOCOL_VERSION);
    }
    byte[] networkId = r.bytes(Hashes.SHA256_BYTES, "network id");
    int flags = r.u8("flags");
    String software = readText8(r, PeerMessage.MAX_SOFTWARE_CHARS, "software version");
    return new PeerMessage.Hello(version, networkId, flags, software,
        NodeAnnouncement.readFrom(r));
  }

  private static PeerMessage.Nodes nodes(WireReader r) throws MalformedException {
    int n = r.u16("node count");
    if (n > PeerMessage.MAX_NODES) {
      throw new MalformedException(n + " nodes exceed " + PeerMessage.MAX_NODES);
    }
    List<PeerMessage.NodeEntry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      NodeAnnouncement a = NodeAnnouncement.readFrom(r);
      int k = r.u8("reached count");
      if (k > NodeAnnouncement.MAX_ADDRESSES) {
        throw new MalformedException(k + " reached addresses exceed "
            + NodeAnnouncement.MAX_ADDRESSES);
      }
      List<PeerAddress> reached = new ArrayList<>(k);
      for (int j = 0; j < k; j++) {
        reached.add(readAddress(r));
      }
      entries.add(new PeerMessage.NodeEntry(a, reached));
    }
    return new PeerMessage.Nodes(entries, r.bool("more"));
  }

  private static PeerMessage.Endorsements endorsements(WireReader r) throws MalformedException {
    int n = r.u16("endorsement count");
    if (n > PeerMessage.MAX_ENDORSEMENTS) {
      throw new MalformedException(n + " endorsements exceed " + PeerMessage.MAX_ENDORSEMENTS);
    }
    List<Endorsement> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Endorsement.readFrom(r));
    }
    return new PeerMessage.Endorsements(out);
  }

  private static PeerMessage.RecordRequest recordRequest(WireReader r) throws MalformedException {
    long id = r.u32("request id");
    int selector = r.u8("selector");
    switch (selector) {
      case BY_NAME -> {
        int n = count(r, "name count");
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(readText8(r, 253, "name"));
        }
        return new PeerMessage.RecordsByName(id, names);
      }
      case BY_DIGEST -> {
        int n = count(r, "digest count");
        List<byte[]> digests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          digests.add(r.bytes(Hashes.SHA256_BYTES, "digest"));
        }
        return new PeerMessage.RecordsByDigest(id, digests);
      }
      case PAGE -> {
        String after = readText8(r, 253, "after name");
        return new PeerMessage.RecordPage(id, after, r.u16("limit"));
      }
      default -> throw new MalformedException("unknown record selector " + selector);
    }
  }

  private static PeerMessage.Records records(WireReader r) throws MalformedException {
    long id = r.u32("request id");
    int n = r.u16("record count");
    if (n > PeerMessage.MAX_ITEMS) {
      throw new MalformedException(n + " records exceed " + PeerMessage.MAX_ITEMS);
    }
    List<byte[]> records = new ArrayList<>(Math.min(n, 64));
    for (int i = 0; i < n; i++) {
      records.add(r.bytes32(RecordCodec.ABSOLUTE_MAX_BYTES, "record"));
    }
    return new PeerMessage.Records(id, records, r.bool("more"));
  }

  private static int count(WireReader r, String what) throws MalformedException {
    int n = r.u16(what);
    if (n < 1 || n > PeerMessage.MAX_ITEMS) {
      throw new MalformedException(what + " " + n + " outside 1.." + PeerMessage.MAX_ITEMS);
    }
    return n;
  }

  private static DisconnectReason reason(WireReader r) throws MalformedException {
    return DisconnectReason.fromCode(r.u8("reason")).orElse(DisconnectReason.OTHER);
  }

  private static void address(WireWriter w, PeerAddress a) {
    text8(w, a.host());
    w.u16(a.port());
  }

  private static PeerAddress readAddress(WireReader r) throws MalformedException {
    String host = readText8(r, PeerAddress.MAX_HOST_LENGTH, "host");
    int port = r.u16("port");
    if (!host.equals(host.toLowerCase(java.util.Locale.ROOT))) {
      throw new MalformedException("host '" + host + "' is not lower case");
    }
    try {
      return new PeerAddress(host, port);
    } catch (IllegalArgumentException e) {
      throw new MalformedException("bad address: " + e.getMessage(), e);
    }
  }

  private static void text8(WireWriter w, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    w.u8(b.length).bytes(b);
  }

  /** A u8-length ASCII text of printable characters, refused above {@code max}. */
  private static String readText8(WireReader r, int max, String what) throws MalformedException {
    int n = r.u8(what + " length");
    if (n > max) {
      throw new MalformedException(what + " of " + n + " characters exceeds " + max);
    }
    byte[] b = r.bytes(n, what);
    for (byte c : b) {
      if (c < 0x20 || c >= 0x7f) {
        throw new MalformedException(what + " has a byte outside printable ASCII");
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }
}

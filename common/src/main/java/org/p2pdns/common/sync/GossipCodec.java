package org.p2pdns.common.sync;

import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * Bytes of a {@link GossipMessage}: {@code u8 type} then the body. PUSH (1): {@code u8 hops,
 * u32 length, record bytes}; IHAVE (2): {@code u8 hops, u16 n (1..1024), n * 32-byte digests};
 * GRAFT (3): {@code u16 n (0..1024), n * 32-byte digests}; PRUNE (4): nothing. Trailing bytes are
 * refused. Layout: docs/protocol.md, part 4.
 */
public final class GossipCodec {
  /** Larger than any record a network allows; the record's own rules cap it further. */
  public static final int MAX_RECORD_BYTES = 1 << 16;

  public static final int PUSH = 1;
  public static final int IHAVE = 2;
  public static final int GRAFT = 3;
  public static final int PRUNE = 4;

  private GossipCodec() {}

  /** The type code of a message (the first byte {@link #encode} writes). */
  public static int typeOf(GossipMessage m) {
    if (m instanceof GossipMessage.Push) {
      return PUSH;
    } else if (m instanceof GossipMessage.IHave) {
      return IHAVE;
    } else if (m instanceof GossipMessage.Graft) {
      return GRAFT;
    }
    return PRUNE;
  }

  public static byte[] encode(GossipMessage m) {
    if (m instanceof GossipMessage.Push p) {
      byte[] rec = p.record();
      return new WireWriter(6 + rec.length).u8(PUSH).u8(p.hops()).bytes32(rec).toByteArray();
    } else if (m instanceof GossipMessage.IHave h) {
      return digests(new WireWriter(4 + 32 * h.digests().size()).u8(IHAVE).u8(h.hops()), h.digests());
    } else if (m instanceof GossipMessage.Graft g) {
      return digests(new WireWriter(3 + 32 * g.digests().size()).u8(GRAFT), g.digests());
    } else {
      return new byte[] {PRUNE};
    }
  }

  private static byte[] digests(WireWriter w, List<byte[]> digests) {
    w.u16(digests.size());
    for (byte[] d : digests) {
      w.bytes(d);
    }
    return w.toByteArray();
  }

  private static List<byte[]> readDigests(WireReader r, int min) throws MalformedException {
    int n = r.u16("digest count");
    if (n < min || n > GossipMessage.MAX_DIGESTS) {
      throw new MalformedException("digest count " + n + " outside " + min + ".." + GossipMessage.MAX_DIGESTS);
    }
    List<byte[]> ds = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ds.add(r.bytes(GossipMessage.DIGEST_BYTES, "digest"));
    }
    return ds;
  }

  public static GossipMessage decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    int type = r.u8("gossip type");
    GossipMessage m;
    switch (type) {
      case PUSH: {
        int hops = r.u8("hops");
        byte[] rec = r.bytes32(MAX_RECORD_BYTES, "record");
        if (rec.length == 0) {
          throw new MalformedException("empty record");
        }
        m = new GossipMessage.Push(hops, rec);
        break;
      }
      case IHAVE: {
        int hops = r.u8("hops");
        m = new GossipMessage.IHave(hops, readDigests(r, 1));
        break;
      }
      case GRAFT:
        m = new GossipMessage.Graft(readDigests(r, 0));
        break;
      case PRUNE:
        m = new GossipMessage.Prune();
        break;
      default:
        throw new MalformedException("unknown gossip type " + type);
    }
    r.expectEnd("gossip message");
    return m;
  }
}

package org.p2pdns.common.sync;

import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * Bytes of a {@link GossipMessage}: {@code u8 type} then the body. PUSH (1): {@code u32 length,
 * record bytes}; IHAVE (2) and GRAFT (3): {@code u16 n, n * 32-byte digests}; PRUNE (4): nothing.
 * Trailing bytes are refused. Layout: docs/protocol-sync.md.
 */
public final class GossipCodec {
  /** Larger than any record a network allows; the record's own rules cap it further. */
  public static final int MAX_RECORD_BYTES = 1 << 16;

  static final int PUSH = 1;
  static final int IHAVE = 2;
  static final int GRAFT = 3;
  static final int PRUNE = 4;

  private GossipCodec() {}

  public static byte[] encode(GossipMessage m) {
    if (m instanceof GossipMessage.Push p) {
      byte[] rec = p.record();
      return new WireWriter(5 + rec.length).u8(PUSH).bytes32(rec).toByteArray();
    } else if (m instanceof GossipMessage.IHave h) {
      return digests(IHAVE, h.digests());
    } else if (m instanceof GossipMessage.Graft g) {
      return digests(GRAFT, g.digests());
    } else {
      return new byte[] {PRUNE};
    }
  }

  private static byte[] digests(int type, List<byte[]> digests) {
    WireWriter w = new WireWriter(3 + 32 * digests.size()).u8(type).u16(digests.size());
    for (byte[] d : digests) {
      w.bytes(d);
    }
    return w.toByteArray();
  }

  public static GossipMessage decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    int type = r.u8("gossip type");
    GossipMessage m;
    switch (type) {
      case PUSH: {
        byte[] rec = r.bytes32(MAX_RECORD_BYTES, "record");
        if (rec.length == 0) {
          throw new MalformedException("empty record");
        }
        m = new GossipMessage.Push(rec);
        break;
      }
      case IHAVE:
      case GRAFT: {
        int n = r.u16("digest count");
        if (n < 1 || n > GossipMessage.MAX_DIGESTS) {
          throw new MalformedException("digest count " + n + " outside 1.." + GossipMessage.MAX_DIGESTS);
        }
        List<byte[]> ds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ds.add(r.bytes(GossipMessage.DIGEST_BYTES, "digest"));
        }
        m = type == IHAVE ? new GossipMessage.IHave(ds) : new GossipMessage.Graft(ds);
        break;
      }
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

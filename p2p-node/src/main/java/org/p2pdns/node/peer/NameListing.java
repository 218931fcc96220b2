package org.p2pdns.node.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * The two messages with which a new node asks a peer what it holds (docs/protocol.md 3.8b),
 * carried in RECONCILE frames: LIST_REQUEST {@code u32 request id, u8 length, after-name,
 * u16 limit} and LIST {@code u32 request id, u8 more, u16 count, count * (u8 length, name,
 * 32-byte digest)}, names strictly ascending (byte order) and after the requested name.
 */
final class NameListing {
  static final int TYPE_LIST_REQUEST = 0x34;
  static final int TYPE_LIST = 0x35;
  /** Most entries one LIST carries. */
  static final int MAX_ENTRIES = 4096;
  /** A LIST stays below this many bytes (the frame limit is 1 MiB). */
  static final int MAX_BYTES = PeerMessageCodec.MAX_FRAME_BYTES - 64 * 1024;

  private NameListing() {}

  record Request(long requestId, String after, int limit) {}

  record Entry(String name, byte[] digest) {}

  record Page(long requestId, boolean more, List<Entry> entries) {}

  static byte[] encodeRequest(Request r) {
    byte[] after = r.after().getBytes(StandardCharsets.US_ASCII);
    return new WireWriter().u32(r.requestId()).u8(after.length).bytes(after).u16(r.limit())
        .toByteArray();
  }

  static Request decodeRequest(byte[] payload) throws MalformedException {
    WireReader r = new WireReader(payload);
    long id = r.u32("request id");
    String after = name(r);
    int limit = r.u16("limit");
    r.expectEnd("list request");
    if (limit < 1 || limit > MAX_ENTRIES) {
      throw new MalformedException("list limit " + limit + " outside 1.." + MAX_ENTRIES);
    }
    return new Request(id, after, limit);
  }

  /** Encoded size of one entry. */
  static int entryBytes(String name) {
    return 1 + name.length() + Hashes.SHA256_BYTES;
  }

  static byte[] encodePage(Page p) {
    WireWriter w = new WireWriter();
    w.u32(p.requestId()).u8(p.more() ? 1 : 0).u16(p.entries().size());
    for (Entry e : p.entries()) {
      byte[] n = e.name().getBytes(StandardCharsets.US_ASCII);
      w.u8(n.length).bytes(n).bytes(e.digest());
    }
    return w.toByteArray();
  }

  /** Decodes a LIST page and checks its order: ascending names, all after {@code after}. */
  static Page decodePage(byte[] payload, String after) throws MalformedException {
    WireReader r = new WireReader(payload);
    long id = r.u32("request id");
    int more = r.u8("more");
    if (more > 1) {
      throw new MalformedException("list more flag " + more);
    }
    int n = r.u16("count");
    if (n > MAX_ENTRIES) {
      throw new MalformedException("list of " + n + " entries");
    }
    List<Entry> out = new ArrayList<>(n);
    String previous = after;
    for (int i = 0; i < n; i++) {
      String name = name(r);
      if (name.isEmpty() || name.compareTo(previous) <= 0) {
        throw new MalformedException("list names out of order at " + name);
      }
      out.add(new Entry(name, r.bytes(Hashes.SHA256_BYTES, "digest")));
      previous = name;
    }
    r.expectEnd("list");
    if (more == 1 && n == 0) {
      throw new MalformedException("an empty list page that says more follows");
    }
    return new Page(id, more == 1, out);
  }

  private static String name(WireReader r) throws MalformedException {
    int len = r.u8("name length");
    byte[] b = r.bytes(len, "name");
    for (byte c : b) {
      if (c <= 0x20 || c >= 0x7f) {
        throw new MalformedException("a listed name is not printable ASCII");
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }
}

package org.p2pdns.common.query;

import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * Published by the node on its change feed (a JeroMQ PUB socket) whenever the record of a name
 * changes, so that front-ends drop the name from their caches at once.
 */
public record ChangeNotice(String name, long serial) {
  private static final int TYPE = 0x40;

  public byte[] encode() {
    return new WireWriter(32).u8(NodeQueryCodec.VERSION).u8(TYPE).string16(name).i64(serial)
        .toByteArray();
  }

  public static ChangeNotice decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    int v = r.u8("version");
    if (v != NodeQueryCodec.VERSION) {
      throw new MalformedException("unknown change notice version " + v);
    }
    int t = r.u8("type");
    if (t != TYPE) {
      throw new MalformedException("not a change notice: type " + t);
    }
    String name = r.string16("name");
    long serial = r.i64("serial");
    r.expectEnd("change notice");
    return new ChangeNotice(name, serial);
  }
}

package org.p2pdns.common.record;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.wire.WireWriter;
import org.xbill.DNS.Record;

/** Keys, resource records and hand-built encodings shared by the record tests. */
final class RecordFixtures {
  /** 2027-01-15T08:00:00Z: the validator's fixed clock in these tests. */
  static final long NOW = 1_800_000_000L;
  static final long DAY = Duration.ofDays(1).toSeconds();

  static final Ed25519Keys.KeyPair ALICE = key(1);
  static final Ed25519Keys.KeyPair BOB = key(2);
  static final Ed25519Keys.KeyPair CAROL = key(3);

  private RecordFixtures() {}

  /** A fixed key, so that failures reproduce. */
  static Ed25519Keys.KeyPair key(int seed) {
    byte[] sk = new byte[Ed25519Keys.PRIVATE_KEY_BYTES];
    Arrays.fill(sk, (byte) seed);
    return Ed25519Keys.fromPrivate(sk);
  }

  /** Many RR types, a wildcard and service owners, multi-string TXT: the subtree of {@code name}. */
  static List<Record> richRrs(String name) {
    return TestNetwork.rrs(name,
        "@ 300 IN A 192.0.2.1",
        "@ 300 IN A 192.0.2.2",
        "@ 600 IN AAAA 2001:db8::1",
        "@ 300 IN TXT \"hello\" \"second string\" \"v=spf1 -all\"",
        "@ 300 IN MX 10 mail." + name + ".",
        "@ 300 IN MX 20 backup-mx.example.net.",
        "@ 300 IN CAA 0 issue \"letsencrypt.org\"",
        "@ 300 IN SSHFP 4 2 "
            + "8f0c5e4b8f1e6a4d2c3b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b",
        "mail 300 IN A 192.0.2.25",
        "www 300 IN CNAME " + name + ".",
        "*.users 300 IN A 192.0.2.80",
        "_sip._udp 300 IN SRV 10 60 5060 sip." + name + ".",
        "sip 300 IN AAAA 2001:db8::5060",
        "_443._tcp.www 300 IN TLSA 3 1 1 "
            + "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
        "lab 3600 IN NS ns1.lab." + name + ".",
        "ns1.lab 3600 IN A 192.0.2.53");
  }

  /** Encodes the record layout by hand from raw parts, so tests can build non-canonical bytes. */
  static byte[] rawRecord(int version, int kind, String name, long serial, long issued,
      long expires, byte[] claimKey, long nonce, List<Handover> handovers, List<byte[]> rrWires,
      byte[] signature) {
    WireWriter w = new WireWriter().u8(version).u8(kind).string16(name).i64(serial).i64(issued)
        .i64(expires).bytes(claimKey).i64(nonce).u8(handovers.size());
    for (Handover h : handovers) {
      w.bytes(h.toKey()).i64(h.serial()).bytes(h.signature());
    }
    w.u16(rrWires.size());
    for (byte[] rr : rrWires) {
      w.bytes16(rr);
    }
    return w.bytes(signature).toByteArray();
  }

  /** The same record re-encoded by hand with other resource-record wires. */
  static byte[] withRrWires(SignedRecord r, List<byte[]> rrWires) {
    RecordContent c = r.content();
    return rawRecord(RecordCodec.FORMAT_VERSION, c.kind().code(), c.name(), c.serial(),
        c.issuedAt(), c.expiresAt(), c.claimKey(), c.powNonce(), c.handovers(), rrWires,
        r.signature());
  }

  /** Content with every field given; rrs are put in canonical order by the constructor. */
  static RecordContent content(SignedRecord.Kind kind, String name, long serial, long issued,
      long expires, byte[] claimKey, long nonce, List<Handover> handovers, List<Record> rrs) {
    return new RecordContent(kind, name, serial, issued, expires, claimKey, nonce, handovers, rrs);
  }
}

package org.p2pdns.common.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.wire.MalformedException;

class PeerMessageCodecTest {
  private static final byte[] NETWORK = NetworkParams.defaults().networkId();
  private static final Ed25519Keys.KeyPair KEY = Ed25519Keys.fromPrivate(new byte[32]);

  private static NodeAnnouncement announcement() {
    return NodeAnnouncement.sign(KEY, NETWORK,
        List.of(new PeerAddress("127.0.0.1", 8001), new PeerAddress("", 8002),
            new PeerAddress("::1", 8003)), 1_700_000_000_000L);
  }

  static List<PeerMessage> samples() {
    NodeAnnouncement a = announcement();
    byte[] digest = Hashes.sha256(new byte[] {1});
    return List.of(
        new PeerMessage.Hello(PeerMessageCodec.PROTOCOL_VERSION, NETWORK, 0, "p2pdns 0.1.0", a),
        new PeerMessage.Hello(PeerMessageCodec.PROTOCOL_VERSION, NETWORK, PeerMessage.Hello.PROBE,
            "", a),
        new PeerMessage.HelloAck(),
        new PeerMessage.Reject(DisconnectReason.NETWORK_MISMATCH, "ours abc, yours def"),
        new PeerMessage.Ping(-42),
        new PeerMessage.Pong(Long.MAX_VALUE),
        new PeerMessage.Disconnect(DisconnectReason.SLOW, ""),
        new PeerMessage.NodesRequest("", 200),
        new PeerMessage.NodesRequest(a.nodeId(), 1),
        new PeerMessage.Nodes(List.of(new PeerMessage.NodeEntry(a,
            List.of(new PeerAddress("127.0.0.1", 8001), new PeerAddress("10.0.0.2", 8002)))),
            true),
        new PeerMessage.Nodes(List.of(), false),
        new PeerMessage.Endorsements(List.of(endorsement(List.of()), endorsement(List.of(
            a.nodeId(), "ab".repeat(32))))),
        new PeerMessage.Endorsements(List.of()),
        new PeerMessage.RecordPush(3, new byte[] {9, 8, 7}),
        new PeerMessage.RecordsByName(7, List.of("example.p2p", "other.p2p")),
        new PeerMessage.RecordsByDigest(0xffffffffL, List.of(digest, digest)),
        new PeerMessage.RecordPage(0, "", 1000),
        new PeerMessage.RecordPage(5, "example.p2p", 10),
        new PeerMessage.Records(5, List.of(new byte[] {1}, new byte[] {2, 3}), true),
        new PeerMessage.Records(6, List.of(), false),
        new PeerMessage.CommitmentPush(new org.p2pdns.common.record.Commitment(digest, 1000, -5)
            .encode()),
        new PeerMessage.LineageQuery("example.p2p"),
        new PeerMessage.Lineage("example.p2p", java.util.Optional.empty(),
            java.util.Optional.empty(), 0),
        new PeerMessage.Lineage("example.p2p", java.util.Optional.of(digest),
            java.util.Optional.empty(), 1000),
        new PeerMessage.Lineage("example.p2p", java.util.Optional.of(digest),
            java.util.Optional.of(-5L), 1000),
        new PeerMessage.Reconcile(0x30, new byte[] {1, 2, 3}),
        new PeerMessage.Reconcile(0x3f, new byte[0]),
        new PeerMessage.TreeControl(new org.p2pdns.common.sync.GossipMessage.IHave(3,
            List.of(new byte[32], digestOf(7)))),
        new PeerMessage.TreeControl(new org.p2pdns.common.sync.GossipMessage.Graft(List.of())),
        new PeerMessage.TreeControl(new org.p2pdns.common.sync.GossipMessage.Graft(
            List.of(digestOf(9)))),
        new PeerMessage.TreeControl(new org.p2pdns.common.sync.GossipMessage.Prune()));
  }

  private static byte[] digestOf(int b) {
    byte[] d = new byte[32];
    java.util.Arrays.fill(d, (byte) b);
    return d;
  }

  static Endorsement endorsement(List<String> endorsed) {
    return Endorsement.sign(Ed25519Keys.fromPrivate(new byte[32]), NETWORK, endorsed,
        1_800_000_000_000L);
  }

  @Test
  void anEndorsementIsSignedForItsNetworkAndItsBytesAreCanonical() throws Exception {
    Endorsement e = endorsement(List.of("cd".repeat(32), "ab".repeat(32)));
    assertThat(e.endorsed()).containsExactly("ab".repeat(32), "cd".repeat(32));
    assertThat(e.verify(NETWORK)).isTrue();
    byte[] other = NETWORK.clone();
    other[0] ^= 1;
    assertThat(e.verify(other)).as("another network").isFalse();
    byte[] bytes = e.encoded();
    assertThat(HexFormat.of().formatHex(bytes)).startsWith("01"
        + HexFormat.of().formatHex(e.endorserKey()) + "000001a3185c5000" + "02" + "ab".repeat(32));
    assertThat(bytes).hasSize(1 + 32 + 8 + 1 + 64 + 64);
    assertThat(Endorsement.decode(bytes)).isEqualTo(e);
    // Altered bytes no longer verify; unsorted or repeated ids do not decode.
    byte[] altered = bytes.clone();
    altered[45] ^= 1;
    assertThat(Endorsement.decode(altered).verify(NETWORK)).isFalse();
    byte[] swapped = bytes.clone();
    System.arraycopy(bytes, 42 + 32, swapped, 42, 32);
    System.arraycopy(bytes, 42, swapped, 42 + 32, 32);
    assertThatThrownBy(() -> Endorsement.decode(swapped)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("ascend");
    byte[] tooMany = bytes.clone();
    tooMany[41] = 17;
    assertThatThrownBy(() -> Endorsement.decode(tooMany)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("17 endorsed nodes exceed 16");
  }

  @Test
  void everyMessageRoundTripsAndHasOneEncoding() throws Exception {
    for (PeerMessage m : samples()) {
      byte[] bytes = PeerMessageCodec.encode(m);
      assertThat(bytes[0] & 0xff).isEqualTo(PeerMessageCodec.typeOf(m));
      PeerMessage back = PeerMessageCodec.decode(bytes);
      assertThat(back).as(m.toString()).isEqualTo(m);
      assertThat(PeerMessageCodec.encode(back)).isEqualTo(bytes);
    }
  }

  @Test
  void layoutsMatchTheDocumentedBytes() throws Exception {
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(new PeerMessage.Ping(1))))
        .isEqualTo("040000000000000001");
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(
        new PeerMessage.Disconnect(DisconnectReason.DUPLICATE, "dup"))))
        .isEqualTo("060503647570");
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(
        new PeerMessage.RecordPush(2, new byte[] {(byte) 0xab}))))
        .isEqualTo("200200000001ab");
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(
        new PeerMessage.RecordPage(1, "a.p2p", 100))))
        .isEqualTo("210000000103" + "05612e703270" + "0064");
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(new PeerMessage.TreeControl(
        new org.p2pdns.common.sync.GossipMessage.IHave(3, List.of(digestOf(7)))))))
        .isEqualTo("26030001" + "07".repeat(32));
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(new PeerMessage.TreeControl(
        new org.p2pdns.common.sync.GossipMessage.Graft(List.of()))))).isEqualTo("270000");
    assertThat(HexFormat.of().formatHex(PeerMessageCodec.encode(new PeerMessage.TreeControl(
        new org.p2pdns.common.sync.GossipMessage.Prune())))).isEqualTo("28");
    byte[] hello = PeerMessageCodec.encode(samples().get(0));
    assertThat(PeerMessageCodec.helloVersion(hello)).isEqualTo(2);
    assertThat(java.util.Arrays.copyOfRange(hello, 1, 3)).isEqualTo(new byte[] {0, 2});
    // type, version, network id, then the software text.
    assertThat(hello[0]).isEqualTo((byte) 0x01);
    assertThat(java.util.Arrays.copyOfRange(hello, 3, 35)).isEqualTo(NETWORK);
    assertThat(hello[35]).isEqualTo((byte) 0); // flags
    assertThat(PeerMessageCodec.encode(samples().get(1))[35]).isEqualTo((byte) 1); // PROBE
  }

  @Test
  void everyTruncationIsMalformed() {
    for (PeerMessage m : samples()) {
      byte[] bytes = PeerMessageCodec.encode(m);
      for (int len = 0; len < bytes.length; len++) {
        byte[] cut = java.util.Arrays.copyOf(bytes, len);
        if (m instanceof PeerMessage.Reconcile && len >= 1) {
          continue; // a reconcile payload is opaque: any shorter payload is another payload
        }
        if (m instanceof PeerMessage.HelloAck) {
          continue;
        }
        assertThatThrownBy(() -> PeerMessageCodec.decode(cut)).as(m + " cut at " + len)
            .isInstanceOf(MalformedException.class);
      }
    }
  }

  @Test
  void trailingBytesAreMalformed() {
    for (PeerMessage m : samples()) {
      if (m instanceof PeerMessage.Reconcile) {
        continue;
      }
      byte[] bytes = PeerMessageCodec.encode(m);
      byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
      assertThatThrownBy(() -> PeerMessageCodec.decode(longer)).as(m.toString())
          .isInstanceOf(MalformedException.class);
    }
  }

  @Test
  void flippedBytesAndGarbageNeverThrowAnythingButMalformed() {
    Random random = new Random(1);
    for (PeerMessage m : samples()) {
      byte[] bytes = PeerMessageCodec.encode(m);
      for (int i = 0; i < bytes.length; i++) {
        for (int bit = 0; bit < 8; bit++) {
          byte[] flipped = bytes.clone();
          flipped[i] ^= (byte) (1 << bit);
          decodeOrMalformed(flipped);
        }
      }
    }
    for (int i = 0; i < 20_000; i++) {
      byte[] garbage = new byte[random.nextInt(64)];
      random.nextBytes(garbage);
      if (garbage.length > 0 && random.nextBoolean()) {
        garbage[0] = (byte) new int[] {1, 3, 6, 0x10, 0x11, 0x20, 0x21, 0x22}[random.nextInt(8)];
      }
      decodeOrMalformed(garbage);
    }
  }

  private static void decodeOrMalformed(byte[] bytes) {
    try {
      PeerMessage m = PeerMessageCodec.decode(bytes);
      // Whatever decodes must encode back to the same bytes: one encoding per value. The one
      // documented exception: reason codes this node does not know read as OTHER.
      boolean unknownReason = (m instanceof PeerMessage.Reject r
          && r.reason() == DisconnectReason.OTHER) || (m instanceof PeerMessage.Disconnect d
          && d.reason() == DisconnectReason.OTHER);
      if (unknownReason) {
        return;
      }
      assertThat(PeerMessageCodec.encode(m)).isEqualTo(bytes);
    } catch (MalformedException expected) {
      // Refused with the typed exception: fine.
    }
  }

  @Test
  void unknownTypesAndForeignVersionsAreRefused() {
    assertThatThrownBy(() -> PeerMessageCodec.decode(new byte[] {0x7f}))
        .isInstanceOf(MalformedException.class).hasMessageContaining("unknown message type");
    byte[] hello = PeerMessageCodec.encode(samples().get(0));
    hello[2] = 1; // a node of version 1, which knows no 0x12 or 0x23-0x28
    assertThat(PeerMessageCodec.helloVersion(hello)).isEqualTo(1);
    assertThatThrownBy(() -> PeerMessageCodec.decode(hello))
        .isInstanceOf(MalformedException.class).hasMessageContaining("protocol version 1");
    hello[2] = 3;
    assertThatThrownBy(() -> PeerMessageCodec.decode(hello))
        .isInstanceOf(MalformedException.class).hasMessageContaining("protocol version 3");
    assertThat(PeerMessageCodec.helloVersion(new byte[] {4, 0, 1})).isEqualTo(-1);
  }

  @Test
  void oversizeFramesAreRefusedBothWays() {
    byte[] big = new byte[PeerMessageCodec.MAX_FRAME_BYTES + 1];
    big[0] = 0x30;
    assertThatThrownBy(() -> PeerMessageCodec.decode(big)).isInstanceOf(MalformedException.class)
        .hasMessageContaining("exceeds");
    List<byte[]> records = new java.util.ArrayList<>();
    for (int i = 0; i < 17; i++) {
      records.add(new byte[65_000]);
    }
    PeerMessage.Records tooMany = new PeerMessage.Records(1, records, false);
    assertThatThrownBy(() -> PeerMessageCodec.encode(tooMany))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pages");
  }

  @Test
  void unknownReasonCodesReadAsOther() throws Exception {
    PeerMessage m = PeerMessageCodec.decode(new byte[] {0x06, (byte) 200, 0});
    assertThat(m).isEqualTo(new PeerMessage.Disconnect(DisconnectReason.OTHER, ""));
  }

  @Test
  void announcementsVerifyOnlyInTheirNetworkAndUntouched() throws Exception {
    NodeAnnouncement a = announcement();
    assertThat(a.verify(NETWORK)).isTrue();
    assertThat(a.verify(NetworkParams.defaults().withPowBits(8).networkId())).isFalse();
    byte[] bytes = a.encoded();
    assertThat(NodeAnnouncement.decode(bytes)).isEqualTo(a);
    for (int i = 0; i < bytes.length; i++) {
      byte[] flipped = bytes.clone();
      flipped[i] ^= 1;
      try {
        assertThat(NodeAnnouncement.decode(flipped).verify(NETWORK)).as("byte " + i).isFalse();
      } catch (MalformedException expected) {
        // also refused
      }
    }
    assertThat(a.nodeId()).isEqualTo(org.p2pdns.common.crypto.NodeIds.idOf(KEY.publicKey()));
  }

  @Test
  void dialTargetsParse() {
    DialTarget t = DialTarget.parse("127.0.0.1:8001");
    assertThat(t.pinnedId()).isEmpty();
    assertThat(t.address()).isEqualTo(new PeerAddress("127.0.0.1", 8001));
    String id = announcement().nodeId();
    DialTarget p = DialTarget.parse(id + "@[::1]:9");
    assertThat(p.pinnedId()).isEqualTo(Optional.of(id));
    assertThat(p.address().host()).isEqualTo("::1");
    assertThat(p.toString()).isEqualTo(id + "@[::1]:9");
    assertThatThrownBy(() -> DialTarget.parse("abc@127.0.0.1:1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node id");
    assertThatThrownBy(() -> DialTarget.parse("127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DialTarget.parse("127.0.0.1:70000"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DialTarget.parse("bad_host:1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

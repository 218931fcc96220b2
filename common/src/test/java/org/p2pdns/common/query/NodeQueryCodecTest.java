package org.p2pdns.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireWriter;

class NodeQueryCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static final byte[] RECORD = {1, 0, 0, 3, 'a', '.', 'b', 9, 9, 9};

  static List<NodeRequest> requests() {
    return List.of(
        new NodeRequest.Info(1),
        new NodeRequest.Lookup(2, "example.p2p"),
        new NodeRequest.Lookup(-1, ""),
        new NodeRequest.Submit(3, RECORD),
        new NodeRequest.Submit(Long.MAX_VALUE, new byte[0]),
        new NodeRequest.ListNames(4, "", 1),
        new NodeRequest.ListNames(5, "example.p2p", NodeQueryCodec.MAX_LIST),
        new NodeRequest.Status(6),
        new NodeRequest.Nodes(Long.MIN_VALUE),
        new NodeRequest.SubmitCommitment(8, new byte[49]));
  }

  static List<NodeResponse> responses() {
    List<NodeResponse> all = new ArrayList<>();
    all.add(new NodeResponse.Info(1, NetworkParams.defaults().encode(), "ab".repeat(32),
        0x1122334455667788L, "tcp://127.0.0.1:40123", "0.1.0"));
    for (NodeResponse.LookupStatus s : NodeResponse.LookupStatus.values()) {
      all.add(new NodeResponse.Lookup(2, s, s == NodeResponse.LookupStatus.NOT_FOUND
          ? new byte[0] : RECORD, s == NodeResponse.LookupStatus.CONTESTED ? "peers disagree" : ""));
    }
    all.add(new NodeResponse.Submit(3, NodeResponse.SubmitStatus.STORED, 0, ""));
    all.add(new NodeResponse.Submit(3, NodeResponse.SubmitStatus.DUPLICATE, 0, "already held"));
    for (RefusalReason r : RefusalReason.values()) {
      all.add(new NodeResponse.Submit(3, NodeResponse.SubmitStatus.REFUSED, r.code(),
          r.summary()));
    }
    all.add(new NodeResponse.CommitmentSubmitted(8, NodeResponse.SubmitStatus.REFUSED,
        RefusalReason.CLOCK_SKEW.code(), "not live"));
    all.add(new NodeResponse.Names(4, List.of(), false));
    all.add(new NodeResponse.Names(4, List.of("a.p2p", "b.p2p", "xn--bcher-kva.p2p"), true));
    all.add(new NodeResponse.Status(5, List.of()));
    all.add(new NodeResponse.Status(5, List.of(new NodeResponse.Field("records", "12"),
        new NodeResponse.Field("note", "caf\u00e9 \u2713"))));
    all.add(new NodeResponse.Nodes(6, List.of()));
    all.add(new NodeResponse.Nodes(6, List.of(
        new NodeResponse.NodeEntry("cd".repeat(32), "127.0.0.1:8001", "connected",
            1_800_000_000_000L, 17),
        new NodeResponse.NodeEntry("ef".repeat(32), "[::1]:8001", "banned", 0, -140, 2500,
            1_800_000_600_000L))));
    all.add(new NodeResponse.Trust(8, "", List.of()));
    all.add(new NodeResponse.Trust(8, "set", List.of(new NodeResponse.TrustEntry("ab".repeat(32),
        2000, -1, 2000, "operator (p2pdns trust)"), new NodeResponse.TrustEntry("cd".repeat(32),
        -1, -1, 1000, "endorsed by abab"))));
    all.add(new NodeResponse.Endorse(9, "", List.of()));
    all.add(new NodeResponse.Endorse(9, "endorsed", List.of("ab".repeat(32), "cd".repeat(32))));
    for (NodeResponse.ErrorCode c : NodeResponse.ErrorCode.values()) {
      all.add(new NodeResponse.Error(7, c, "because " + c));
    }
    return all;
  }

  @Test
  void controlRequestsRoundTripAndTheirMacCoversEveryField() throws Exception {
    ControlKey key = ControlKey.of(new byte[32]);
    NodeRequest.Trust t = NodeRequest.Trust.signed(11, NodeRequest.Trust.SET, "ab".repeat(32),
        1500, 1_800_000_000_000L, key);
    byte[] frame = NodeQueryCodec.encode(t);
    assertThat(HEX.formatHex(frame)).startsWith("0108000000000000000b" + "01" + "0040")
        .contains("00000000000005dc" + "000001a3185c5000");
    NodeRequest.Trust tb = (NodeRequest.Trust) NodeQueryCodec.decodeRequest(frame);
    assertThat(tb.verify(key)).isTrue();
    assertThat(NodeQueryCodec.encode(tb)).isEqualTo(frame);
    assertThat(new NodeRequest.Trust(11, NodeRequest.Trust.SET, "ab".repeat(32), 1501,
        t.issuedAt(), t.mac()).verify(key)).as("another weight").isFalse();
    assertThat(new NodeRequest.Trust(11, NodeRequest.Trust.REMOVE, "ab".repeat(32), 1500,
        t.issuedAt(), t.mac()).verify(key)).as("another op").isFalse();

    NodeRequest.Endorse e = NodeRequest.Endorse.signed(12, NodeRequest.Endorse.WITHDRAW,
        "cd".repeat(32), 1_800_000_000_000L, key);
    frame = NodeQueryCodec.encode(e);
    assertThat(HEX.formatHex(frame)).startsWith("0109000000000000000c" + "02" + "0040");
    NodeRequest.Endorse eb = (NodeRequest.Endorse) NodeQueryCodec.decodeRequest(frame);
    assertThat(eb.verify(key)).isTrue();
    assertThat(NodeQueryCodec.encode(eb)).isEqualTo(frame);
    assertThat(new NodeRequest.Endorse(12, NodeRequest.Endorse.ENDORSE, "cd".repeat(32),
        e.issuedAt(), e.mac()).verify(key)).isFalse();
    // An unknown op or a weight out of range is malformed.
    byte[] bad = NodeQueryCodec.encode(t);
    bad[10] = 3;
    assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(bad))
        .isInstanceOf(org.p2pdns.common.wire.MalformedException.class)
        .hasMessageContaining("unknown trust op 3");
  }

  @Test
  void everyRequestRoundTrips() throws Exception {
    for (NodeRequest req : requests()) {
      byte[] frame = NodeQueryCodec.encode(req);
      NodeRequest back = NodeQueryCodec.decodeRequest(frame);
      assertThat(back.getClass()).isEqualTo(req.getClass());
      assertThat(back.requestId()).isEqualTo(req.requestId());
      assertThat(NodeQueryCodec.encode(back)).isEqualTo(frame);
      assertThat(NodeQueryCodec.peekRequestId(frame)).isEqualTo(req.requestId());
      if (req instanceof NodeRequest.Submit s) {
        assertThat(((NodeRequest.Submit) back).record()).isEqualTo(s.record());
      } else {
        assertThat(back).isEqualTo(req);
      }
    }
  }

  @Test
  void everyResponseRoundTrips() throws Exception {
    for (NodeResponse resp : responses()) {
      byte[] frame = NodeQueryCodec.encode(resp);
      NodeResponse back = NodeQueryCodec.decodeResponse(frame);
      assertThat(back.getClass()).isEqualTo(resp.getClass());
      assertThat(back.requestId()).isEqualTo(resp.requestId());
      assertThat(NodeQueryCodec.encode(back)).isEqualTo(frame);
      if (resp instanceof NodeResponse.Info i) {
        NodeResponse.Info b = (NodeResponse.Info) back;
        assertThat(b.networkParams()).isEqualTo(i.networkParams());
        assertThat(List.of(b.nodeId(), b.bootId(), b.feedEndpoint(), b.version()))
            .isEqualTo(List.of(i.nodeId(), i.bootId(), i.feedEndpoint(), i.version()));
      } else if (resp instanceof NodeResponse.Lookup l) {
        NodeResponse.Lookup b = (NodeResponse.Lookup) back;
        assertThat(b.status()).isEqualTo(l.status());
        assertThat(b.record()).isEqualTo(l.record());
        assertThat(b.detail()).isEqualTo(l.detail());
      } else {
        assertThat(back).isEqualTo(resp);
      }
    }
  }

  /** Pins the layout of docs/protocol.md 2.2-2.4 with bytes written by hand. */
  @Test
  void submitCommitmentBytesArePinned() throws Exception {
    byte[] hash = new byte[32];
    java.util.Arrays.fill(hash, (byte) 0xab);
    byte[] c = new org.p2pdns.common.record.Commitment(hash, 1000, 7).encode();
    assertThat(HEX.formatHex(c)).isEqualTo("01" + "ab".repeat(32) + "00000000000003e8"
        + "0000000000000007");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeRequest.SubmitCommitment(2, c))))
        .isEqualTo("010a0000000000000002" + "0031" + HEX.formatHex(c));
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.CommitmentSubmitted(2,
        NodeResponse.SubmitStatus.REFUSED, 11, "x"))))
        .isEqualTo("018a0000000000000002" + "02" + "000b" + "000178");
  }

  @Test
  void lookupRequestBytesArePinned() throws Exception {
    String hex = "01" + "02" + "0000000000000007" + "000b" + "6578616d706c652e703270";
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeRequest.Lookup(7, "example.p2p"))))
        .isEqualTo(hex);
    assertThat(NodeQueryCodec.decodeRequest(HEX.parseHex(hex)))
        .isEqualTo(new NodeRequest.Lookup(7, "example.p2p"));
  }

  @Test
  void infoRequestBytesArePinned() {
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeRequest.Info(1))))
        .isEqualTo("01010000000000000001");
  }

  @Test
  void submitResponseBytesArePinned() throws Exception {
    String hex = "01" + "83" + "0102030405060708" + "02" + "0009" + "0005" + "7374616c65";
    NodeResponse.Submit refused = new NodeResponse.Submit(0x0102030405060708L,
        NodeResponse.SubmitStatus.REFUSED, RefusalReason.STALE_SERIAL.code(), "stale");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(refused))).isEqualTo(hex);
    assertThat(NodeQueryCodec.decodeResponse(HEX.parseHex(hex))).isEqualTo(refused);
  }

  @Test
  void otherLayoutsArePinned() {
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeRequest.Submit(2, new byte[] {9, 8}))))
        .isEqualTo("01030000000000000002" + "00000002" + "0908");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeRequest.ListNames(3, "a", 100))))
        .isEqualTo("01040000000000000003" + "000161" + "0064");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Info(1, new byte[] {7},
        "id", 5, "tcp://x", "v")))).isEqualTo("01810000000000000001" + "000107" + "00026964"
        + "0000000000000005" + "0007" + "7463703a2f2f78" + "000176");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Lookup(2,
        NodeResponse.LookupStatus.FOUND, new byte[] {1, 2}, "d"))))
        .isEqualTo("01820000000000000002" + "00" + "000000020102" + "000164");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Names(4, List.of("a", "bc"),
        true)))).isEqualTo("01840000000000000004" + "0002" + "000161" + "00026263" + "01");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Status(5,
        List.of(new NodeResponse.Field("k", "v"))))))
        .isEqualTo("01850000000000000005" + "0001" + "00016b" + "000176");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Nodes(6,
        List.of(new NodeResponse.NodeEntry("n", "a", "s", 258, -2, 1500, 259))))))
        .isEqualTo("01860000000000000006" + "0001" + "00016e" + "000161" + "000173"
            + "0000000000000102" + "fffffffffffffffe" + "00000000000005dc" + "0000000000000103");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Trust(8, "m",
        List.of(new NodeResponse.TrustEntry("n", -1, 2000, 1000, "v"))))))
        .isEqualTo("01880000000000000008" + "00016d" + "0001" + "00016e" + "ffffffffffffffff"
            + "00000000000007d0" + "00000000000003e8" + "000176");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Endorse(9, "m",
        List.of("n")))))
        .isEqualTo("01890000000000000009" + "00016d" + "0001" + "00016e");
    assertThat(HEX.formatHex(NodeQueryCodec.encode(new NodeResponse.Error(7,
        NodeResponse.ErrorCode.BAD_REQUEST, "no"))))
        .isEqualTo("01ff0000000000000007" + "01" + "00026e6f");
  }

  @Test
  void everyTruncationIsMalformed() {
    List<byte[]> frames = new ArrayList<>();
    requests().forEach(r -> frames.add(NodeQueryCodec.encode(r)));
    for (byte[] frame : frames) {
      for (int len = 0; len < frame.length; len++) {
        byte[] cut = Arrays.copyOf(frame, len);
        assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(cut))
            .isInstanceOf(MalformedException.class);
      }
    }
    for (NodeResponse r : responses()) {
      byte[] frame = NodeQueryCodec.encode(r);
      for (int len = 0; len < frame.length; len++) {
        byte[] cut = Arrays.copyOf(frame, len);
        assertThatThrownBy(() -> NodeQueryCodec.decodeResponse(cut))
            .isInstanceOf(MalformedException.class);
      }
    }
  }

  @Test
  void trailingBytesAreRefused() {
    for (NodeRequest r : requests()) {
      byte[] frame = NodeQueryCodec.encode(r);
      byte[] longer = Arrays.copyOf(frame, frame.length + 1);
      assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(longer))
          .isInstanceOf(MalformedException.class).hasMessageContaining("trailing");
    }
    for (NodeResponse r : responses()) {
      byte[] frame = NodeQueryCodec.encode(r);
      byte[] longer = Arrays.copyOf(frame, frame.length + 1);
      assertThatThrownBy(() -> NodeQueryCodec.decodeResponse(longer))
          .isInstanceOf(MalformedException.class).hasMessageContaining("trailing");
    }
  }

  @Test
  void unknownVersionsTypesAndCodesAreRefused() {
    assertMalformedRequest("02010000000000000001", "unknown protocol version 2");
    assertMalformedRequest("00010000000000000001", "unknown protocol version 0");
    assertMalformedRequest("017f0000000000000001", "unknown request type 127");
    assertMalformedRequest("01810000000000000001", "unknown request type 129");
    assertMalformedRequest("01040000000000000001" + "0000" + "0000", "list limit 0");
    assertMalformedRequest("01040000000000000001" + "0000" + "03e9", "list limit 1001");
    assertMalformedResponse("02810000000000000001", "unknown protocol version 2");
    assertMalformedResponse("01010000000000000001", "unknown response type 1");
    assertMalformedResponse("01fe0000000000000001", "unknown response type 254");
    assertMalformedResponse("01820000000000000001" + "05" + "00000000" + "0000",
        "unknown lookup status 5");
    assertMalformedResponse("01830000000000000001" + "03" + "0000" + "0000",
        "unknown submit status 3");
    assertMalformedResponse("01ff0000000000000001" + "00" + "0000", "unknown error code 0");
    assertMalformedResponse("01ff0000000000000001" + "06" + "0000", "unknown error code 6");
    assertMalformedResponse("01840000000000000001" + "0000" + "02", "boolean byte 2");
    assertMalformedResponse("01840000000000000001" + "03e9", "1001 names exceed 1000");
    // A record length above the largest record, before any allocation.
    assertMalformedRequest("01030000000000000001" + "7fffffff", "exceeds");
  }

  @Test
  void nodeScoreOutsideIntRangeIsRefused() {
    String entry = "0001" + "00016e" + "000161" + "000173" + "0000000000000102";
    assertMalformedResponse("01860000000000000006" + entry + "0000000080000000", "score");
    assertMalformedResponse("01860000000000000006" + entry + "ffffffff7fffffff", "score");
  }

  @Test
  void namesResponseIsLimitedLikeTheRequest() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= NodeQueryCodec.MAX_LIST; i++) {
      many.add("n" + i + ".p2p");
    }
    assertThatThrownBy(() -> new NodeResponse.Names(1, many, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeRequest.ListNames(1, "", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oversizedFramesAreRefusedBeforeParsing() {
    byte[] big = new byte[NodeQueryCodec.MAX_FRAME + 1];
    big[0] = 1;
    assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(big))
        .isInstanceOf(MalformedException.class).hasMessageContaining("exceeds");
    assertThatThrownBy(() -> NodeQueryCodec.decodeResponse(big))
        .isInstanceOf(MalformedException.class).hasMessageContaining("exceeds");
  }

  @Test
  void peekRequestIdReadsGarbageSafely() {
    assertThat(NodeQueryCodec.peekRequestId(new byte[0])).isEqualTo(-1);
    assertThat(NodeQueryCodec.peekRequestId(new byte[9])).isEqualTo(-1);
    assertThat(NodeQueryCodec.peekRequestId(HEX.parseHex("ffff00000000000000ff99")))
        .isEqualTo(255);
  }

  @Test
  void randomInputOnlyEverFailsAsMalformed() {
    Random random = new Random(4242);
    List<byte[]> valid = new ArrayList<>();
    requests().forEach(r -> valid.add(NodeQueryCodec.encode(r)));
    responses().forEach(r -> valid.add(NodeQueryCodec.encode(r)));
    for (int i = 0; i < 6000; i++) {
      byte[] input;
      if (i % 3 == 0) {
        input = new byte[random.nextInt(80)];
        random.nextBytes(input);
      } else if (i % 3 == 1) {
        // Version 1 and a known type, then noise: reaches every body parser.
        input = new byte[10 + random.nextInt(60)];
        random.nextBytes(input);
        input[0] = 1;
        int[] types = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
            0xff};
        input[1] = (byte) types[random.nextInt(types.length)];
      } else {
        byte[] base = valid.get(random.nextInt(valid.size()));
        input = base.clone();
        if (input.length > 0) {
          input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
        }
      }
      decodeBothWays(input, i);
    }
  }

  private static void decodeBothWays(byte[] input, int i) {
    try {
      NodeRequest r = NodeQueryCodec.decodeRequest(input);
      assertThat(r.requestId()).isEqualTo(NodeQueryCodec.peekRequestId(input));
    } catch (MalformedException expected) {
      // The only failure allowed.
    } catch (RuntimeException e) {
      throw new AssertionError("request " + i + " " + HEX.formatHex(input) + " threw " + e, e);
    }
    try {
      NodeQueryCodec.decodeResponse(input);
    } catch (MalformedException expected) {
      // The only failure allowed.
    } catch (RuntimeException e) {
      throw new AssertionError("response " + i + " " + HEX.formatHex(input) + " threw " + e, e);
    }
  }

  private static void assertMalformedRequest(String hex, String messagePart) {
    assertThatThrownBy(() -> NodeQueryCodec.decodeRequest(HEX.parseHex(hex)))
        .isInstanceOf(MalformedException.class).hasMessageContaining(messagePart);
  }

  private static void assertMalformedResponse(String hex, String messagePart) {
    assertThatThrownBy(() -> NodeQueryCodec.decodeResponse(HEX.parseHex(hex)))
        .isInstanceOf(MalformedException.class).hasMessageContaining(messagePart);
  }

  @Test
  void changeNoticeRoundTripsAndIsPinned() throws Exception {
    ChangeNotice n = new ChangeNotice("a.p2p", 5);
    String hex = "01" + "40" + "0005" + "612e703270" + "0000000000000005";
    assertThat(HEX.formatHex(n.encode())).isEqualTo(hex);
    assertThat(ChangeNotice.decode(HEX.parseHex(hex))).isEqualTo(n);
    byte[] frame = n.encode();
    for (int len = 0; len < frame.length; len++) {
      byte[] cut = Arrays.copyOf(frame, len);
      assertThatThrownBy(() -> ChangeNotice.decode(cut)).isInstanceOf(MalformedException.class);
    }
    assertThatThrownBy(() -> ChangeNotice.decode(Arrays.copyOf(frame, frame.length + 1)))
        .isInstanceOf(MalformedException.class).hasMessageContaining("trailing");
    assertThatThrownBy(() -> ChangeNotice.decode(HEX.parseHex("02" + hex.substring(2))))
        .isInstanceOf(MalformedException.class).hasMessageContaining("version 2");
    assertThatThrownBy(() -> ChangeNotice.decode(HEX.parseHex("0141" + hex.substring(4))))
        .isInstanceOf(MalformedException.class).hasMessageContaining("not a change notice");
    // Serial 0 is representable too.
    assertThat(ChangeNotice.decode(new ChangeNotice("b.p2p", 0).encode()).serial()).isZero();
    Random random = new Random(5);
    for (int i = 0; i < 2000; i++) {
      byte[] input = new byte[random.nextInt(40)];
      random.nextBytes(input);
      if (i % 2 == 0 && input.length >= 2) {
        input[0] = 1;
        input[1] = 0x40;
      }
      try {
        ChangeNotice.decode(input);
      } catch (MalformedException expected) {
        // The only failure allowed.
      }
    }
  }

  @Test
  void handWrittenFramesMatchTheWireWriter() throws Exception {
    // A second implementation would write frames like this: header, then the body fields.
    byte[] frame = new WireWriter().u8(1).u8(0x02).i64(99).string16("x.p2p").toByteArray();
    assertThat(NodeQueryCodec.decodeRequest(frame)).isEqualTo(new NodeRequest.Lookup(99,
        "x.p2p"));
  }
}

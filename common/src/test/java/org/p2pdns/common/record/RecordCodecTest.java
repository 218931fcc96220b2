package org.p2pdns.common.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.p2pdns.common.record.RecordFixtures.ALICE;
import static org.p2pdns.common.record.RecordFixtures.BOB;
import static org.p2pdns.common.record.RecordFixtures.CAROL;
import static org.p2pdns.common.record.RecordFixtures.DAY;
import static org.p2pdns.common.record.RecordFixtures.NOW;
import static org.p2pdns.common.record.RecordFixtures.richRrs;
import static org.p2pdns.common.record.RecordFixtures.withRrWires;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.record.RefusalReason.Refusal;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireWriter;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class RecordCodecTest {
  private static final String NAME = "example.p2p";
  private static final TestNetwork NET = new TestNetwork();
  private static final RecordValidator VALIDATOR =
      new RecordValidator(NET.params(), TestNetwork.fixedClock(NOW));

  /** A claim with many RR types. */
  private static SignedRecord rich;
  /** Claimed by Alice, handed to Bob, then to Carol, then updated by Carol: two handovers. */
  private static SignedRecord chained;
  /** Alice's claim revoked. */
  private static SignedRecord tombstone;

  @BeforeAll
  static void makeRecords() {
    rich = NET.claim(ALICE, NAME, NOW, richRrs(NAME));
    SignedRecord toBob = NET.transfer(rich, ALICE, BOB.publicKey(), NOW);
    SignedRecord toCarol = NET.transfer(toBob, BOB, CAROL.publicKey(), NOW);
    chained = NET.update(toCarol, CAROL, NOW, TestNetwork.rrs(NAME, "@ 60 IN A 192.0.2.9"));
    RecordContent c = rich.content();
    tombstone = NET.signer().sign(new RecordContent(SignedRecord.Kind.TOMBSTONE, NAME, 2, NOW,
        c.expiresAt(), c.claimKey(), c.powNonce(), List.of(), List.of()), ALICE);
    for (SignedRecord r : List.of(rich, toBob, toCarol, chained, tombstone)) {
      assertThat(VALIDATOR.check(r)).as("fixture %s is valid", r).isEmpty();
    }
  }

  private static List<SignedRecord> samples() {
    return List.of(rich, chained, tombstone);
  }

  @Test
  void decodeThenEncodeGivesTheSameBytes() throws Exception {
    for (SignedRecord r : samples()) {
      byte[] bytes = r.encoded();
      SignedRecord d = RecordCodec.decode(bytes);
      byte[] again = RecordCodec.assemble(d.content(), d.signature()).encoded();
      assertThat(again).isEqualTo(bytes);
      assertThat(d).isEqualTo(r);
      assertThat(d.digest()).isEqualTo(Hashes.sha256(bytes));
      assertThat(VALIDATOR.check(d)).isEmpty();
    }
  }

  @Test
  void decodedFieldsMatchWhatWasSigned() throws Exception {
    SignedRecord d = RecordCodec.decode(rich.encoded());
    assertThat(d.kind()).isEqualTo(SignedRecord.Kind.DATA);
    assertThat(d.name()).isEqualTo(NAME);
    assertThat(d.serial()).isEqualTo(1);
    assertThat(d.issuedAt()).isEqualTo(NOW);
    assertThat(d.expiresAt()).isEqualTo(NOW + 30 * DAY);
    assertThat(d.ownerKey()).isEqualTo(ALICE.publicKey());
    assertThat(d.signerKey()).isEqualTo(ALICE.publicKey());
    assertThat(d.content().powNonce()).isEqualTo(rich.content().powNonce());
    // Every RR survives with its type, owner, TTL and data (dnsjava compares rdata canonically).
    List<Record> given = richRrs(NAME);
    assertThat(d.rrs()).hasSize(given.size());
    assertThat(d.rrs()).containsExactlyInAnyOrderElementsOf(given);
    for (Record rr : d.rrs()) {
      Record original = given.stream().filter(rr::equals).findFirst().orElseThrow();
      assertThat(rr.getTTL()).isEqualTo(original.getTTL());
    }
    assertThat(d.rrs()).extracting(Record::getType).contains(Type.A, Type.AAAA, Type.TXT,
        Type.MX, Type.CNAME, Type.SRV, Type.NS, Type.CAA, Type.TLSA, Type.SSHFP);
    assertThat(d.rrs()).extracting(rr -> rr.getName().toString())
        .contains("*.users.example.p2p.", "_sip._udp.example.p2p.", "_443._tcp.www.example.p2p.");
    Record txt = d.rrs().stream().filter(rr -> rr.getType() == Type.TXT).findFirst().orElseThrow();
    assertThat(((org.xbill.DNS.TXTRecord) txt).getStrings())
        .containsExactly("hello", "second string", "v=spf1 -all");
  }

  @Test
  void handoverChainAndSignerSurviveTheRoundTrip() throws Exception {
    SignedRecord d = RecordCodec.decode(chained.encoded());
    assertThat(d.handovers()).hasSize(2).isEqualTo(chained.handovers());
    assertThat(d.handovers()).extracting(Handover::serial).containsExactly(2L, 3L);
    assertThat(d.content().claimKey()).isEqualTo(ALICE.publicKey());
    assertThat(d.ownerKey()).isEqualTo(CAROL.publicKey());
    assertThat(d.signerKey()).isEqualTo(CAROL.publicKey());
  }

  @Test
  void tombstoneRoundTrips() throws Exception {
    SignedRecord d = RecordCodec.decode(tombstone.encoded());
    assertThat(d.kind()).isEqualTo(SignedRecord.Kind.TOMBSTONE);
    assertThat(d.rrs()).isEmpty();
    assertThat(d).isEqualTo(tombstone);
  }

  /** Pins the byte layout of docs/protocol.md section 1.3 against bytes written by hand. */
  @Test
  void layoutMatchesTheDocumentedOffsets() throws Exception {
    byte[] claimKey = new byte[32];
    for (int i = 0; i < 32; i++) {
      claimKey[i] = (byte) i;
    }
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, "ab.p2p", 2, 1000, 2000, claimKey,
        0x0102030405060708L, List.of(), TestNetwork.rrs("ab.p2p", "@ 300 IN A 192.0.2.1"));
    String expected = "01" + "00" + "0006" + "61622e703270"
        + "0000000000000002" + "00000000000003e8" + "00000000000007d0"
        + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        + "0102030405060708" + "00" + "0001"
        + "0016" + "0261620370327000" + "0001" + "0001" + "0000012c" + "0004" + "c0000201";
    assertThat(HexFormat.of().formatHex(RecordCodec.encodeBody(c))).isEqualTo(expected);

    byte[] sig = new byte[64];
    Arrays.fill(sig, (byte) 0xab);
    SignedRecord r = RecordCodec.assemble(c, sig);
    assertThat(HexFormat.of().formatHex(r.encoded())).isEqualTo(expected + "ab".repeat(64));
    assertThat(RecordCodec.decode(r.encoded()).content()).isEqualTo(c);
  }

  @Test
  void handoverLayoutIsKeySerialSignature() {
    Handover h = chained.handovers().get(0);
    byte[] body = RecordCodec.encodeBody(chained.content());
    int n = NAME.length();
    assertThat(body[68 + n]).isEqualTo((byte) 2);
    assertThat(Arrays.copyOfRange(body, 69 + n, 101 + n)).isEqualTo(BOB.publicKey());
    assertThat(Arrays.copyOfRange(body, 101 + n, 109 + n))
        .isEqualTo(new WireWriter().i64(h.serial()).toByteArray());
    assertThat(Arrays.copyOfRange(body, 109 + n, 173 + n)).isEqualTo(h.signature());
  }

  @Test
  void signingAndHandoverMessagesAreContextNetworkIdAndFields() {
    byte[] id = NET.networkId();
    byte[] body = RecordCodec.encodeBody(rich.content());
    byte[] msg = RecordCodec.signingMessage(id, body);
    byte[] ctx = "p2pdns-record-v1".getBytes(StandardCharsets.US_ASCII);
    assertThat(msg).isEqualTo(concat(ctx, id, body));

    byte[] handover = RecordCodec.handoverMessage(id, NAME, ALICE.publicKey(), BOB.publicKey(), 7);
    assertThat(handover).isEqualTo(concat("p2pdns-handover-v1".getBytes(StandardCharsets.US_ASCII),
        id, new byte[] {0, 11}, NAME.getBytes(StandardCharsets.US_ASCII), ALICE.publicKey(),
        BOB.publicKey(), new byte[] {0, 0, 0, 0, 0, 0, 0, 7}));
  }

  @Test
  void everyTruncationIsMalformed() {
    for (SignedRecord r : samples()) {
      byte[] bytes = r.encoded();
      for (int len = 0; len < bytes.length; len++) {
        byte[] cut = Arrays.copyOf(bytes, len);
        int shown = len;
        assertThatThrownBy(() -> RecordCodec.decode(cut))
            .as("truncated to %d of %d bytes", shown, bytes.length)
            .isInstanceOf(MalformedException.class);
      }
    }
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] bytes = rich.encoded();
    for (int extra = 1; extra <= 3; extra++) {
      byte[] longer = Arrays.copyOf(bytes, bytes.length + extra);
      assertThatThrownBy(() -> RecordCodec.decode(longer))
          .isInstanceOf(MalformedException.class).hasMessageContaining("trailing");
    }
  }

  /**
   * Every single-byte change either fails to decode or decodes into a record the validator
   * refuses: nothing changed in transit is ever accepted as valid.
   */
  @Test
  void everyFlippedByteIsMalformedOrRefused() {
    for (SignedRecord r : samples()) {
      byte[] bytes = r.encoded();
      // Every bit of each byte flipped; on one sample also the lowest bit alone.
      int[] masks = r == rich ? new int[] {0xff, 0x01} : new int[] {0xff};
      for (int i = 0; i < bytes.length; i++) {
        for (int mask : masks) {
          byte[] changed = bytes.clone();
          changed[i] ^= (byte) mask;
          SignedRecord d;
          try {
            d = RecordCodec.decode(changed);
          } catch (MalformedException e) {
            continue;
          }
          Optional<Refusal> refusal = VALIDATOR.check(d);
          if (refusal.isEmpty()) {
            fail("byte %d ^ %02x of %s decoded and passed validation", i, mask, r);
          }
        }
      }
    }
  }

  @Test
  void randomBytesOnlyEverFailAsMalformed() {
    Random random = new Random(20260101L);
    byte[] valid = rich.encoded();
    int decoded = 0;
    for (int i = 0; i < 4000; i++) {
      byte[] input;
      switch (i % 4) {
        case 0 -> {
          input = new byte[random.nextInt(400)];
          random.nextBytes(input);
        }
        case 1 -> {
          // A plausible header (version 1, kind 0/1) followed by noise reaches the deeper parsers.
          input = new byte[2 + random.nextInt(600)];
          random.nextBytes(input);
          input[0] = 1;
          input[1] = (byte) random.nextInt(2);
        }
        case 2 -> {
          // A valid record with a few random bytes overwritten.
          input = valid.clone();
          for (int k = 1 + random.nextInt(8); k > 0; k--) {
            input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
          }
          if (Arrays.equals(input, valid)) {
            continue;
          }
        }
        default -> {
          // A valid prefix with a random tail.
          int keep = random.nextInt(valid.length);
          input = Arrays.copyOf(valid, keep + random.nextInt(200));
          byte[] tail = new byte[input.length - keep];
          random.nextBytes(tail);
          System.arraycopy(tail, 0, input, keep, tail.length);
        }
      }
      try {
        SignedRecord d = RecordCodec.decode(input);
        decoded++;
        // Whatever decodes must also re-encode to exactly the input.
        assertThat(RecordCodec.assemble(d.content(), d.signature()).encoded()).isEqualTo(input);
        assertThat(VALIDATOR.check(d)).as("mutated record accepted").isPresent();
      } catch (MalformedException expected) {
        // The only failure allowed.
      } catch (RuntimeException | Error e) {
        throw new AssertionError("input " + i + " " + HexFormat.of().formatHex(input)
            + " threw " + e, e);
      }
    }
    assertThat(decoded).as("records that decoded").isLessThan(4000);
  }

  @Test
  void rrsOutOfCanonicalOrderAreRefused() throws Exception {
    List<byte[]> wires = new ArrayList<>();
    for (Record rr : rich.rrs()) {
      wires.add(rr.toWireCanonical());
    }
    // The canonical order decodes (the hand encoder is right) ...
    assertThat(RecordCodec.decode(withRrWires(rich, wires))).isEqualTo(rich);
    // ... and swapping any neighbours is refused.
    for (int i = 0; i + 1 < wires.size(); i++) {
      List<byte[]> swapped = new ArrayList<>(wires);
      swapped.set(i, wires.get(i + 1));
      swapped.set(i + 1, wires.get(i));
      assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, swapped)))
          .isInstanceOf(MalformedException.class).hasMessageContaining("canonical order");
    }
  }

  @Test
  void duplicateRrsAreRefused() {
    List<byte[]> wires = new ArrayList<>();
    for (Record rr : rich.rrs()) {
      wires.add(rr.toWireCanonical());
    }
    wires.add(3, wires.get(2));
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, wires)))
        .isInstanceOf(MalformedException.class).hasMessageContaining("without duplicates");
  }

  @Test
  void contentSortsAndDeduplicatesSoOneSetHasOneEncoding() {
    List<Record> given = new ArrayList<>(richRrs(NAME));
    List<Record> shuffled = new ArrayList<>(given);
    java.util.Collections.shuffle(shuffled, new Random(7));
    shuffled.add(given.get(0));
    shuffled.add(given.get(5));
    RecordContent a = RecordFixtures.content(SignedRecord.Kind.DATA, NAME, 1, NOW, NOW + DAY,
        ALICE.publicKey(), 0, List.of(), given);
    RecordContent b = RecordFixtures.content(SignedRecord.Kind.DATA, NAME, 1, NOW, NOW + DAY,
        ALICE.publicKey(), 0, List.of(), shuffled);
    assertThat(RecordCodec.encodeBody(b)).isEqualTo(RecordCodec.encodeBody(a));
    assertThat(b.rrs()).hasSize(given.size());
    for (int i = 0; i + 1 < a.rrs().size(); i++) {
      assertThat(Arrays.compareUnsigned(a.rrs().get(i).toWireCanonical(),
          a.rrs().get(i + 1).toWireCanonical())).isNegative();
    }
  }

  @Test
  void upperCaseOwnerNameIsNotCanonical() throws Exception {
    Record upper = new ARecord(Name.fromString("WWW.Example.P2P."), DClass.IN, 300,
        java.net.InetAddress.getByName("192.0.2.7"));
    byte[] wire = upper.toWire(Section.ANSWER);
    assertThat(wire).isNotEqualTo(upper.toWireCanonical());
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, List.of(wire))))
        .isInstanceOf(MalformedException.class).hasMessageContaining("canonical form");
    // The same RR in canonical (lower-case) form decodes.
    assertThat(RecordCodec.decode(withRrWires(rich, List.of(upper.toWireCanonical()))).rrs())
        .hasSize(1);
  }

  @Test
  void upperCaseNameInsideRdataIsNotCanonical() throws Exception {
    // RFC 4034 6.2: MX targets are lower-cased in the canonical form.
    Record mx = new MXRecord(Name.fromString("example.p2p."), DClass.IN, 300, 10,
        Name.fromString("MAIL.example.p2p."));
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, List.of(mx.toWire(Section.ANSWER)))))
        .isInstanceOf(MalformedException.class).hasMessageContaining("canonical form");
  }

  @Test
  void compressedOrPaddedRrWireIsNotCanonical() throws Exception {
    byte[] canonical = TestNetwork.rrs(NAME, "@ 300 IN A 192.0.2.1").get(0).toWireCanonical();
    byte[] padded = Arrays.copyOf(canonical, canonical.length + 1);
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, List.of(padded))))
        .isInstanceOf(MalformedException.class);
    // A compression pointer as the owner name: not allowed in a standalone canonical RR.
    byte[] pointer = concat(new byte[] {(byte) 0xc0, 0x00},
        Arrays.copyOfRange(canonical, 13, canonical.length));
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, List.of(pointer))))
        .isInstanceOf(MalformedException.class);
    byte[] garbage = {1, 2, 3};
    assertThatThrownBy(() -> RecordCodec.decode(withRrWires(rich, List.of(garbage))))
        .isInstanceOf(MalformedException.class).hasMessageContaining("does not parse");
  }

  @Test
  void formatErrorsNameWhatIsWrong() throws Exception {
    RecordContent c = rich.content();
    byte[] sig = rich.signature();
    List<byte[]> oneA = List.of(TestNetwork.rrs(NAME, "@ 300 IN A 192.0.2.1").get(0)
        .toWireCanonical());
    assertMalformed(RecordFixtures.rawRecord(3, 0, NAME, 1, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(), oneA, sig), "unknown record format version 3");
    // Version 2 is version 1 with a terms trailer whose flags are not 0: here the trailer's
    // flags byte is the signature's first byte.
    assertMalformed(RecordFixtures.rawRecord(2, 0, NAME, 1, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(), oneA, sig), "terms flags");
    assertMalformed(RecordFixtures.rawRecord(1, 2, NAME, 1, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(), oneA, sig), "unknown record kind 2");
    assertMalformed(RecordFixtures.rawRecord(1, 1, NAME, 2, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(), oneA, sig), "revocation holds no resource records");
    assertMalformed(RecordFixtures.rawRecord(1, 0, NAME, 0, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(), oneA, sig), "serial");
    assertMalformed(RecordFixtures.rawRecord(1, 0, "ex\u00e4mple.p2p", 1, NOW, NOW + DAY,
        c.claimKey(), 0, List.of(), oneA, sig), "not ASCII");
    Record chaos = Record.newRecord(Name.fromString("example.p2p."), Type.A, DClass.CH, 300,
        new byte[] {1, 2, 3, 4});
    assertMalformed(withRrWires(rich, List.of(chaos.toWireCanonical())), "class IN");
    // Handover serials must grow and not exceed the record's serial.
    Handover h = chained.handovers().get(0);
    assertMalformed(RecordFixtures.rawRecord(1, 0, NAME, 4, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(h, h), oneA, sig), "handover serials");
    assertMalformed(RecordFixtures.rawRecord(1, 0, NAME, 1, NOW, NOW + DAY, c.claimKey(), 0,
        List.of(h), oneA, sig), "handover serials");
    assertMalformed(new byte[RecordCodec.ABSOLUTE_MAX_BYTES + 1], "exceeds");
  }

  private static void assertMalformed(byte[] bytes, String messagePart) {
    assertThatThrownBy(() -> RecordCodec.decode(bytes)).isInstanceOf(MalformedException.class)
        .hasMessageContaining(messagePart);
  }

  static byte[] concat(byte[]... parts) {
    WireWriter w = new WireWriter();
    for (byte[] p : parts) {
      w.bytes(p);
    }
    return w.toByteArray();
  }
}

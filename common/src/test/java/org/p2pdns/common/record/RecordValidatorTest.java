package org.p2pdns.common.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.p2pdns.common.record.RecordFixtures.ALICE;
import static org.p2pdns.common.record.RecordFixtures.BOB;
import static org.p2pdns.common.record.RecordFixtures.CAROL;
import static org.p2pdns.common.record.RecordFixtures.DAY;
import static org.p2pdns.common.record.RecordFixtures.NOW;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.RecordValidator.Verdict;
import org.p2pdns.common.record.RefusalReason.Refusal;
import org.p2pdns.common.testing.TestNetwork;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

class RecordValidatorTest {
  private static final String NAME = "example.p2p";
  private static final TestNetwork NET = new TestNetwork();
  private static final NetworkParams PARAMS = NET.params();
  private static final long SKEW = PARAMS.clockSkew().toSeconds();
  private static final long LIFETIME = PARAMS.recordLifetime().toSeconds();
  private static final long GRACE = PARAMS.gracePeriod().toSeconds();

  private final RecordValidator validator = validatorAt(NOW);

  private static RecordValidator validatorAt(long epochSecond) {
    Clock clock = TestNetwork.fixedClock(epochSecond);
    return new RecordValidator(PARAMS, clock);
  }

  private static List<Record> rrs(String... lines) {
    return TestNetwork.rrs(NAME, lines);
  }

  /** A serial-1 claim with its proof of work mined on {@code net}, signed with {@code key}. */
  private static SignedRecord claim(TestNetwork net, Ed25519Keys.KeyPair key, String name,
      long issued, long expires, List<Record> rrs) {
    long nonce = net.mine(name, key.publicKey());
    return net.signer().sign(new RecordContent(SignedRecord.Kind.DATA, name, 1, issued, expires,
        key.publicKey(), nonce, List.of(), rrs), key);
  }

  private static SignedRecord claim(String name, long issued, long expires, List<Record> rrs) {
    return claim(NET, ALICE, name, issued, expires, rrs);
  }

  private static SignedRecord claimWith(List<Record> rrs) {
    return claim(NAME, NOW, NOW + 30 * DAY, rrs);
  }

  private Refusal refusalOf(SignedRecord r) {
    Optional<Refusal> refusal = validator.check(r);
    assertThat(refusal).as("refusal of %s", r).isPresent();
    return refusal.get();
  }

  private void assertRefused(SignedRecord r, RefusalReason reason, String messagePart) {
    Refusal refusal = refusalOf(r);
    assertThat(refusal.reason()).as("%s", refusal).isEqualTo(reason);
    assertThat(refusal.message()).contains(messagePart);
  }

  @Nested
  class Check {
    @Test
    void aValidClaimPasses() {
      assertThat(validator.check(claimWith(RecordFixtures.richRrs(NAME)))).isEmpty();
    }

    @Test
    void badSignature() {
      SignedRecord good = claimWith(rrs("@ IN A 192.0.2.1"));
      byte[] sig = good.signature();
      sig[10] ^= 1;
      assertRefused(RecordCodec.assemble(good.content(), sig), RefusalReason.BAD_SIGNATURE,
          "signature does not verify");
      // Signed by someone else entirely.
      byte[] forged = BOB.sign(RecordCodec.signingMessage(NET.networkId(),
          RecordCodec.encodeBody(good.content())));
      assertRefused(RecordCodec.assemble(good.content(), forged), RefusalReason.BAD_SIGNATURE,
          Ed25519Keys.toHex(ALICE.publicKey()));
    }

    @Test
    void signedForAnotherNetwork() {
      SignedRecord good = claimWith(rrs("@ IN A 192.0.2.1"));
      // Same content and a proof of work valid here, but the signature covers another network id.
      RecordSigner otherNetwork = new RecordSigner(PARAMS.withPowBits(7).networkId());
      SignedRecord foreign = otherNetwork.sign(good.content(), ALICE);
      assertRefused(foreign, RefusalReason.BAD_SIGNATURE, "on this network");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Example.p2p", "example.p2p.", "www.example.p2p", "p2p",
        "example.com", "-example.p2p", "example-.p2p", "ex_ample.p2p", "ex ample.p2p", ""})
    void badNames(String name) {
      SignedRecord r = claim(name, NOW, NOW + DAY, List.of());
      Refusal refusal = refusalOf(r);
      assertThat(refusal.reason()).isEqualTo(RefusalReason.BAD_NAME);
      assertThat(refusal.message()).isNotBlank();
    }

    @Test
    void badNameMessagesSayWhy() {
      assertRefused(claim("Example.p2p", NOW, NOW + DAY, List.of()), RefusalReason.BAD_NAME,
          "lower-case");
      assertRefused(claim("www.example.p2p", NOW, NOW + DAY, List.of()), RefusalReason.BAD_NAME,
          "only one label");
      assertRefused(claim("p2p", NOW, NOW + DAY, List.of()), RefusalReason.BAD_NAME,
          "itself cannot be registered");
      assertRefused(claim("example.com", NOW, NOW + DAY, List.of()), RefusalReason.BAD_NAME,
          "not under a network suffix");
      assertRefused(claim("ex_ample.p2p", NOW, NOW + DAY, List.of()), RefusalReason.BAD_NAME,
          "letters, digits and inner hyphens");
      assertRefused(claim("a".repeat(64) + ".p2p", NOW, NOW + DAY, List.of()),
          RefusalReason.BAD_NAME, "1-63 characters");
    }

    @Test
    void longestLabelAndIdnALabelAreRegistrable() {
      assertThat(validator.check(claim("a".repeat(63) + ".p2p", NOW, NOW + DAY, List.of())))
          .isEmpty();
      assertThat(validator.check(claim("xn--bcher-kva.p2p", NOW, NOW + DAY, List.of()))).isEmpty();
    }

    @Test
    void rrOutsideTheSubtree() {
      assertRefused(claimWith(TestNetwork.rrs("other.p2p", "www IN A 192.0.2.1")),
          RefusalReason.OUTSIDE_SUBTREE, "lies outside example.p2p");
      // A sibling whose name merely ends with the registered name.
      assertRefused(claimWith(TestNetwork.rrs("p2p", "badexample IN A 192.0.2.1")),
          RefusalReason.OUTSIDE_SUBTREE, "outside");
      assertRefused(claimWith(rrs("a.*.b IN A 192.0.2.1")), RefusalReason.OUTSIDE_SUBTREE,
          "wildcard must be the leftmost label");
      assertRefused(claimWith(rrs("a_b IN A 192.0.2.1")), RefusalReason.OUTSIDE_SUBTREE,
          "bad label");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SOA", "OPT", "NSEC", "DNSKEY", "RRSIG", "TSIG", "ANY"})
    void forbiddenRrTypes(String typeName) throws Exception {
      int type = Type.value(typeName);
      Name owner = Name.fromString(NAME + ".");
      Record rr = switch (typeName) {
        case "SOA" -> rrs("@ IN SOA ns.example.p2p. host.example.p2p. 1 7200 3600 1209600 300")
            .get(0);
        case "NSEC" -> rrs("@ IN NSEC a.example.p2p. A").get(0);
        case "DNSKEY" -> rrs("@ IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")
            .get(0);
        case "RRSIG" -> rrs("@ IN RRSIG A 15 2 300 20270101000000 20260101000000 12345 "
            + "example.p2p. AAAA").get(0);
        case "TSIG" -> new TSIGRecord(owner, DClass.IN, 0, Name.fromString("hmac-sha256."),
            java.time.Instant.ofEpochSecond(NOW), java.time.Duration.ofMinutes(5), new byte[32],
            1, 0, new byte[0]);
        default -> Record.newRecord(owner, type, DClass.IN, 300, new byte[0]);
      };
      assertThat(rr.getType()).isEqualTo(type);
      assertRefused(claimWith(List.of(rr)), RefusalReason.BAD_RR,
          Type.string(type) + " records cannot be published");
    }

    @Test
    void cnameWithOtherData() {
      assertRefused(claimWith(rrs("www IN CNAME example.p2p.", "www IN A 192.0.2.1")),
          RefusalReason.BAD_RR, "CNAME and other data");
      assertRefused(claimWith(rrs("www IN CNAME a.example.", "www IN CNAME b.example.")),
          RefusalReason.BAD_RR, "CNAME and other data");
      // A CNAME alone at its name is fine, next to other names with data.
      assertThat(validator.check(claimWith(rrs("www IN CNAME example.p2p.",
          "@ IN A 192.0.2.1")))).isEmpty();
    }

    @Test
    void ttlAboveSignedRangeIsRefused() throws Exception {
      // 2^31 as TTL cannot come from dnsjava's constructors; it can come from the wire.
      Record rr = rrs("@ IN A 192.0.2.1").get(0);
      byte[] wire = rr.toWireCanonical();
      int ttlOffset = 13 + 2 + 2; // owner "example.p2p." is 13 bytes, then type and class
      wire[ttlOffset] = (byte) 0x80;
      Record big = Record.fromWire(wire, org.xbill.DNS.Section.ANSWER);
      assertRefused(claimWith(List.of(big)), RefusalReason.BAD_RR, "exceeds 2^31-1");
    }

    @Test
    void tooLarge() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        lines.add("t" + i + " IN TXT \"" + "x".repeat(250) + "\"");
      }
      SignedRecord big = claimWith(rrs(lines.toArray(String[]::new)));
      assertThat(big.encodedLength()).isGreaterThan(PARAMS.maxRecordBytes());
      assertRefused(big, RefusalReason.TOO_LARGE, "exceeds network.max-record-bytes 8192");
    }

    @Test
    void tooManyRrs() {
      NetworkParams three = new NetworkParams(PARAMS.suffixes(), PARAMS.powBits(),
          PARAMS.recordLifetime(), PARAMS.maxRecordBytes(), 3, PARAMS.clockSkew(),
          PARAMS.gracePeriod());
      TestNetwork net = new TestNetwork(three);
      RecordValidator v = new RecordValidator(three, TestNetwork.fixedClock(NOW));
      SignedRecord four = claim(net, ALICE, NAME, NOW, NOW + DAY,
          rrs("@ IN A 192.0.2.1", "@ IN A 192.0.2.2", "@ IN A 192.0.2.3", "@ IN A 192.0.2.4"));
      Optional<Refusal> refusal = v.check(four);
      assertThat(refusal).map(Refusal::reason).contains(RefusalReason.TOO_LARGE);
      assertThat(refusal.get().message()).contains("4 resource records exceed network.max-rrs 3");
      SignedRecord exactlyThree = claim(net, ALICE, NAME, NOW, NOW + DAY,
          rrs("@ IN A 192.0.2.1", "@ IN A 192.0.2.2", "@ IN A 192.0.2.3"));
      assertThat(v.check(exactlyThree)).isEmpty();
    }

    @Test
    void insufficientProofOfWork() {
      SignedRecord good = claimWith(rrs("@ IN A 192.0.2.1"));
      // The next nonce that falls short: 63 in 64 do at 6 bits, so a few tries suffice.
      long nonce = good.content().powNonce() + 1;
      for (int i = 0; i < 1000 && ProofOfWork.verify(NET.networkId(), NAME, ALICE.publicKey(),
          nonce, PARAMS.powBits()); i++) {
        nonce++;
      }
      RecordContent c = good.content();
      SignedRecord lazy = NET.signer().sign(new RecordContent(c.kind(), c.name(), c.serial(),
          c.issuedAt(), c.expiresAt(), c.claimKey(), nonce, c.handovers(), c.rrs()), ALICE);
      assertRefused(lazy, RefusalReason.INSUFFICIENT_POW, "fewer than 6 zero bits");
    }

    @Test
    void proofOfWorkIsBoundToTheClaimKey() {
      // Alice's work reused by Bob for the same name is worth nothing.
      long alicesNonce = NET.mine(NAME, ALICE.publicKey());
      long nonce = alicesNonce;
      // 1 in 64 of Alice's nonces happens to suit Bob too: mine again then (bounded).
      for (int i = 0; i < 100 && ProofOfWork.verify(NET.networkId(), NAME, BOB.publicKey(), nonce,
          PARAMS.powBits()); i++) {
        nonce = NET.mine(NAME, ALICE.publicKey());
      }
      SignedRecord stolen = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 1,
          NOW, NOW + DAY, BOB.publicKey(), nonce, List.of(), List.of()), BOB);
      assertRefused(stolen, RefusalReason.INSUFFICIENT_POW, "proof of work");
    }

    @Test
    void issuedInTheFutureBeyondSkew() {
      assertRefused(claim(NAME, NOW + SKEW + 1, NOW + SKEW + DAY, List.of()),
          RefusalReason.CLOCK_SKEW, (SKEW + 1) + " s ahead");
    }

    @Test
    void issuedInTheFutureWithinSkewIsAccepted() {
      assertThat(validator.check(claim(NAME, NOW + SKEW, NOW + SKEW + DAY, List.of()))).isEmpty();
    }

    @Test
    void lifetimeTooLong() {
      assertRefused(claim(NAME, NOW, NOW + LIFETIME + 1, List.of()), RefusalReason.BAD_LIFETIME,
          "by at most " + LIFETIME + " s");
      assertThat(validator.check(claim(NAME, NOW, NOW + LIFETIME, List.of()))).isEmpty();
    }

    @Test
    void expiryBeforeOrAtIssue() {
      assertRefused(claim(NAME, NOW, NOW - 1, List.of()), RefusalReason.BAD_LIFETIME,
          "must lie after issue");
      assertRefused(claim(NAME, NOW, NOW, List.of()), RefusalReason.BAD_LIFETIME,
          "must lie after issue");
    }

    @Test
    void lifetimeThatOverflowsIsRefused() {
      // expires - issued does not fit in a long: it must not wrap around into a short lifetime.
      long issued = -5_000_000_000_000_000_000L;
      long expires = 5_000_000_000_000_000_000L;
      assertRefused(claim(NAME, issued, expires, List.of()), RefusalReason.BAD_LIFETIME,
          "must lie after issue");
      assertRefused(claim(NAME, Long.MIN_VALUE, Long.MAX_VALUE, List.of()),
          RefusalReason.BAD_LIFETIME, "must lie after issue");
    }

    @Test
    void expiredBeyondGrace() {
      long expired = NOW - GRACE - 1;
      assertRefused(claim(NAME, expired - DAY, expired, List.of()), RefusalReason.EXPIRED,
          "expired at " + expired);
      // Within grace the record still passes: its owner may renew, it is just not served.
      assertThat(validator.check(claim(NAME, NOW - GRACE - DAY, NOW - GRACE, List.of())))
          .isEmpty();
    }

    @Test
    void handoverNotSignedByThePreviousOwnerIsRefused() {
      SignedRecord a1 = claimWith(rrs("@ IN A 192.0.2.1"));
      // Carol forges Alice's hand-over to herself: she signs the link with her own key.
      byte[] forgedLink = CAROL.sign(RecordCodec.handoverMessage(NET.networkId(), NAME,
          ALICE.publicKey(), CAROL.publicKey(), 2));
      RecordContent c = a1.content();
      RecordContent stolen = new RecordContent(SignedRecord.Kind.DATA, NAME, 3, NOW,
          NOW + DAY, c.claimKey(), c.powNonce(),
          List.of(new Handover(CAROL.publicKey(), 2, forgedLink)), rrs("@ IN A 203.0.113.66"));
      SignedRecord r = NET.signer().sign(stolen, CAROL);
      assertRefused(r, RefusalReason.BAD_SIGNATURE, "handover at serial 2");
      // The transfer version itself must be signed by the previous owner, not the new one.
      RecordContent transfer = new RecordContent(SignedRecord.Kind.DATA, NAME, 2, NOW,
          NOW + DAY, c.claimKey(), c.powNonce(),
          NET.signer().extendChain(a1, ALICE, CAROL.publicKey(), 2), List.of());
      byte[] carolsSig = CAROL.sign(RecordCodec.signingMessage(NET.networkId(),
          RecordCodec.encodeBody(transfer)));
      assertRefused(RecordCodec.assemble(transfer, carolsSig), RefusalReason.BAD_SIGNATURE,
          "does not verify");
    }
  }

  @Nested
  class Decide {
    private final SignedRecord a1 = NET.claim(ALICE, NAME, NOW - DAY, rrs("@ IN A 192.0.2.1"));

    private Verdict decide(SignedRecord incoming, SignedRecord stored) {
      assertThat(validator.check(incoming)).as("incoming passes check").isEmpty();
      return validator.decide(incoming, Optional.of(stored));
    }

    private Refusal refused(Verdict v) {
      assertThat(v).isInstanceOf(Verdict.Refuse.class);
      return ((Verdict.Refuse) v).refusal();
    }

    private SignedRecord tombstone(SignedRecord prev, Ed25519Keys.KeyPair owner, long expires) {
      RecordContent p = prev.content();
      return NET.signer().sign(new RecordContent(SignedRecord.Kind.TOMBSTONE, NAME,
          p.serial() + 1, NOW, expires, p.claimKey(), p.powNonce(), p.handovers(), List.of()),
          owner);
    }

    @Test
    void newNameIsAccepted() {
      assertThat(validator.decide(a1, Optional.empty()))
          .isEqualTo(new Verdict.Accept(Optional.empty()));
    }

    @Test
    void updateIsAccepted() {
      SignedRecord a2 = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      assertThat(decide(a2, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
      // Serials may skip: a node that missed versions still takes the newest.
      SignedRecord a3 = NET.update(a2, ALICE, NOW, rrs("@ IN A 192.0.2.3"));
      assertThat(decide(a3, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
    }

    @Test
    void staleSerialIsRefused() {
      SignedRecord a2 = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      Refusal r = refused(decide(a1, a2));
      assertThat(r.reason()).isEqualTo(RefusalReason.STALE_SERIAL);
      assertThat(r.message()).contains("serial 1 is older than the stored serial 2");
    }

    @Test
    void theSameRecordIsADuplicate() {
      assertThat(decide(a1, a1)).isEqualTo(new Verdict.Duplicate());
    }

    @Test
    void anotherKeyCannotTakeAHeldName() {
      SignedRecord b1 = NET.claim(BOB, NAME, NOW, rrs("@ IN A 203.0.113.1"));
      Refusal r = refused(decide(b1, a1));
      assertThat(r.reason()).isEqualTo(RefusalReason.NOT_OWNER);
      assertThat(r.message()).contains(Ed25519Keys.toHex(ALICE.publicKey()));
    }

    @Test
    void anotherKeyCannotTakeANameWithinItsGracePeriod() {
      long late = a1.expiresAt() + GRACE;
      SignedRecord b1 = NET.claim(BOB, NAME, late, rrs("@ IN A 203.0.113.1"));
      RecordValidator v = validatorAt(late);
      assertThat(v.check(b1)).isEmpty();
      assertThat(v.decide(b1, Optional.of(a1))).isInstanceOf(Verdict.Refuse.class);
    }

    @Test
    void aLapsedNameCanBeClaimedByAnotherKey() {
      long later = a1.expiresAt() + GRACE + 1;
      SignedRecord b1 = NET.claim(BOB, NAME, later, rrs("@ IN A 203.0.113.1"));
      RecordValidator v = validatorAt(later);
      assertThat(v.check(b1)).isEmpty();
      assertThat(v.decide(b1, Optional.of(a1))).isEqualTo(new Verdict.Accept(Optional.empty()));
    }

    @Test
    void aLapsedNameCanBeClaimedAgainByItsOwnKey() {
      // A fresh claim, serial 1 again: nodes that dropped the lapsed record accept it, so nodes
      // that kept it must too, or they would disagree.
      SignedRecord a2 = NET.update(a1, ALICE, NOW - DAY, rrs("@ IN A 192.0.2.2"));
      long later = a2.expiresAt() + GRACE + 1;
      SignedRecord again = NET.claim(ALICE, NAME, later, rrs("@ IN A 192.0.2.9"));
      RecordValidator v = validatorAt(later);
      assertThat(v.check(again)).isEmpty();
      assertThat(v.decide(again, Optional.of(a2))).isInstanceOf(Verdict.Accept.class);
    }

    @Test
    void transferChainIsAccepted() {
      SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
      assertThat(toBob.signerKey()).isEqualTo(ALICE.publicKey());
      assertThat(toBob.ownerKey()).isEqualTo(BOB.publicKey());
      assertThat(decide(toBob, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
      SignedRecord b3 = NET.update(toBob, BOB, NOW, rrs("@ IN A 203.0.113.3"));
      assertThat(b3.signerKey()).isEqualTo(BOB.publicKey());
      assertThat(decide(b3, toBob)).isEqualTo(new Verdict.Accept(Optional.empty()));
      // A node that missed the transfer verifies it from the chain the record carries.
      assertThat(decide(b3, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
      SignedRecord toCarol = NET.transfer(b3, BOB, CAROL.publicKey(), NOW);
      SignedRecord c5 = NET.update(toCarol, CAROL, NOW, rrs("@ IN A 198.51.100.5"));
      assertThat(decide(c5, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
      assertThat(decide(c5, toBob)).isEqualTo(new Verdict.Accept(Optional.empty()));
    }

    @Test
    void forgedHandoverIsRefused() {
      // Carol claims to have received the name from Alice; Alice never signed that.
      byte[] forgedLink = CAROL.sign(RecordCodec.handoverMessage(NET.networkId(), NAME,
          ALICE.publicKey(), CAROL.publicKey(), 2));
      RecordContent c = a1.content();
      SignedRecord forged = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 3,
          NOW, NOW + DAY, c.claimKey(), c.powNonce(),
          List.of(new Handover(CAROL.publicKey(), 2, forgedLink)), rrs("@ IN A 203.0.113.66")),
          CAROL);
      Optional<Refusal> r = validator.check(forged);
      assertThat(r).map(Refusal::reason).contains(RefusalReason.BAD_SIGNATURE);
      // A link signed by Alice but for another network is just as forged.
      byte[] otherNet = ALICE.sign(RecordCodec.handoverMessage(PARAMS.withPowBits(9).networkId(),
          NAME, ALICE.publicKey(), CAROL.publicKey(), 2));
      SignedRecord replayed = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 3,
          NOW, NOW + DAY, c.claimKey(), c.powNonce(),
          List.of(new Handover(CAROL.publicKey(), 2, otherNet)), List.of()), CAROL);
      assertThat(validator.check(replayed)).map(Refusal::reason)
          .contains(RefusalReason.BAD_SIGNATURE);
    }

    @Test
    void theOldOwnerCannotUpdateAfterTheTransfer() {
      SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
      // Alice signs serial 3 as if she still held the name, without the chain.
      RecordContent c = a1.content();
      SignedRecord alice3 = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 3,
          NOW, NOW + DAY, c.claimKey(), c.powNonce(), List.of(), rrs("@ IN A 192.0.2.66")),
          ALICE);
      Refusal r = refused(decide(alice3, toBob));
      assertThat(r.reason()).isEqualTo(RefusalReason.NOT_OWNER);
      assertThat(r.message()).contains(Ed25519Keys.toHex(BOB.publicKey()));
      // With the chain, serial 3 must be Bob's signature: Alice's does not verify.
      RecordContent withChain = new RecordContent(SignedRecord.Kind.DATA, NAME, 3, NOW,
          NOW + DAY, c.claimKey(), c.powNonce(), toBob.handovers(), rrs("@ IN A 192.0.2.66"));
      byte[] aliceSig = ALICE.sign(RecordCodec.signingMessage(NET.networkId(),
          RecordCodec.encodeBody(withChain)));
      assertThat(validator.check(RecordCodec.assemble(withChain, aliceSig)))
          .map(Refusal::reason).contains(RefusalReason.BAD_SIGNATURE);
    }

    @Test
    void equivocationConvergesInBothOrders() {
      SignedRecord x = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.10"));
      SignedRecord y = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.20"));
      assertThat(x.serial()).isEqualTo(y.serial());
      assertConverges(x, y, RefusalReason.EQUIVOCATION);
    }

    @Test
    void aClaimSignedTwiceWithDifferentNoncesConverges() {
      // The owner mined and signed serial 1 twice (a retried register): one serial, two contents.
      SignedRecord x = NET.claim(ALICE, NAME, NOW, rrs("@ IN A 192.0.2.1"));
      SignedRecord y = NET.claim(ALICE, NAME, NOW, rrs("@ IN A 192.0.2.1"));
      for (int i = 0; i < 100 && y.content().powNonce() == x.content().powNonce(); i++) {
        y = NET.claim(ALICE, NAME, NOW, rrs("@ IN A 192.0.2.1"));
      }
      assertThat(y.content().powNonce()).isNotEqualTo(x.content().powNonce());
      assertConverges(x, y, RefusalReason.EQUIVOCATION);
      // The next version built on either one is accepted over the other.
      SignedRecord next = NET.update(y, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      assertThat(decide(next, x)).isInstanceOf(Verdict.Accept.class);
    }

    @Test
    void aNameHandedToTwoKeysAtOneSerialConverges() {
      SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
      SignedRecord toCarol = NET.transfer(a1, ALICE, CAROL.publicKey(), NOW);
      SignedRecord winner = assertConverges(toBob, toCarol, RefusalReason.EQUIVOCATION);
      // Later versions of each branch are decided the same way as the fork itself.
      SignedRecord bob3 = NET.update(toBob, BOB, NOW, rrs("@ IN A 203.0.113.3"));
      SignedRecord carol3 = NET.update(toCarol, CAROL, NOW, rrs("@ IN A 198.51.100.3"));
      SignedRecord winner3 = assertConverges(bob3, carol3, RefusalReason.EQUIVOCATION);
      assertThat(winner3.ownerKey()).isEqualTo(winner.ownerKey());
      SignedRecord loser = winner == toBob ? toCarol : toBob;
      SignedRecord loser3 = winner3 == bob3 ? carol3 : bob3;
      assertThat(decide(winner3, loser)).isInstanceOf(Verdict.Accept.class);
      assertThat(decide(loser3, winner)).isInstanceOf(Verdict.Refuse.class);
    }

    @Test
    void aTransferAndAnUpdateAtOneSerialConverge() {
      // Alice signs serial 2 twice: once handing the name to Bob, once keeping it.
      SignedRecord toBob = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
      SignedRecord kept = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      SignedRecord winner = assertConverges(toBob, kept, RefusalReason.EQUIVOCATION);
      // The hand-over wins: the key gave the name away at that serial.
      assertThat(winner).isEqualTo(toBob);
      SignedRecord kept3 = NET.update(kept, ALICE, NOW, rrs("@ IN A 192.0.2.3"));
      assertThat(decide(kept3, toBob)).isInstanceOf(Verdict.Refuse.class);
      assertThat(decide(toBob, kept3)).isInstanceOf(Verdict.Accept.class);
    }

    /** Decides x over y and y over x: exactly one wins, the same one, and evidence is kept. */
    private SignedRecord assertConverges(SignedRecord x, SignedRecord y, RefusalReason reason) {
      Verdict xOverY = decide(x, y);
      Verdict yOverX = decide(y, x);
      SignedRecord winner;
      if (xOverY instanceof Verdict.Accept accept) {
        winner = x;
        assertThat(accept.evidence()).contains(y);
        assertThat(yOverX).isInstanceOf(Verdict.Refuse.class);
        assertThat(((Verdict.Refuse) yOverX).evidence()).contains(y);
        assertThat(((Verdict.Refuse) yOverX).refusal().reason()).isEqualTo(reason);
      } else {
        winner = y;
        assertThat(xOverY).isInstanceOf(Verdict.Refuse.class);
        assertThat(((Verdict.Refuse) xOverY).evidence()).contains(x);
        assertThat(((Verdict.Refuse) xOverY).refusal().reason()).isEqualTo(reason);
        assertThat(yOverX).isInstanceOf(Verdict.Accept.class);
        assertThat(((Verdict.Accept) yOverX).evidence()).contains(x);
      }
      return winner;
    }

    @Test
    void sameSerialEquivocationWinnerIsTheLowerDigest() {
      SignedRecord x = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.10"));
      SignedRecord y = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.20"));
      SignedRecord lower = java.util.Arrays.compareUnsigned(x.digest(), y.digest()) < 0 ? x : y;
      SignedRecord higher = lower == x ? y : x;
      assertThat(decide(lower, higher)).isEqualTo(new Verdict.Accept(Optional.of(higher)));
    }

    @Test
    void afterRevocationEveryUpdateIsRefused() {
      SignedRecord revoked = tombstone(a1, ALICE, a1.expiresAt());
      assertThat(decide(revoked, a1)).isEqualTo(new Verdict.Accept(Optional.empty()));
      SignedRecord a3 = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 3, NOW,
          NOW + DAY, a1.content().claimKey(), a1.content().powNonce(), List.of(),
          rrs("@ IN A 192.0.2.3")), ALICE);
      Refusal r = refused(decide(a3, revoked));
      assertThat(r.reason()).isEqualTo(RefusalReason.REVOKED);
      assertThat(r.message()).contains("was revoked");
      // The old version cannot be replayed either, nor can another key claim the name.
      assertThat(refused(decide(a1, revoked)).reason()).isEqualTo(RefusalReason.STALE_SERIAL);
      SignedRecord b1 = NET.claim(BOB, NAME, NOW, rrs("@ IN A 203.0.113.1"));
      assertThat(refused(decide(b1, revoked)).reason()).isEqualTo(RefusalReason.REVOKED);
      // Handing a revoked name over is refused too.
      SignedRecord toBob = NET.signer().sign(new RecordContent(SignedRecord.Kind.DATA, NAME, 3,
          NOW, NOW + DAY, a1.content().claimKey(), a1.content().powNonce(),
          NET.signer().extendChain(revoked, ALICE, BOB.publicKey(), 3), List.of()), ALICE);
      assertThat(refused(decide(toBob, revoked)).reason()).isEqualTo(RefusalReason.REVOKED);
    }

    @Test
    void aRevocationWinsOverWhatTheKeySignedAfterIt() {
      SignedRecord a2 = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      SignedRecord revoked = tombstone(a2, ALICE, NOW + 31 * DAY);
      // The same key signs data after revoking (a stolen key): at serial 4, and at serial 3.
      SignedRecord after = NET.update(NET.update(a2, ALICE, NOW, rrs("@ IN A 192.0.2.3")), ALICE,
          NOW, rrs("@ IN A 192.0.2.4"));
      assertThat(refused(decide(after, revoked)).reason()).isEqualTo(RefusalReason.REVOKED);
      assertThat(decide(revoked, after)).isEqualTo(new Verdict.Accept(Optional.of(after)));
      SignedRecord sameSerial = NET.update(a2, ALICE, NOW, rrs("@ IN A 192.0.2.3"));
      assertThat(assertConverges(revoked, sameSerial, RefusalReason.EQUIVOCATION))
          .isEqualTo(revoked);
    }

    /**
     * A lineage that forks every way an owner can fork it, delivered in many orders: every order
     * ends with the same record, so every node ends with the same owner and data.
     */
    @Test
    void everyDeliveryOrderEndsWithTheSameRecord() {
      SignedRecord a2 = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.2"));
      SignedRecord a2x = NET.update(a1, ALICE, NOW, rrs("@ IN A 192.0.2.22"));
      SignedRecord a3 = NET.update(a2, ALICE, NOW, rrs("@ IN A 192.0.2.3"));
      SignedRecord a4 = NET.update(a3, ALICE, NOW, rrs("@ IN A 192.0.2.4"));
      SignedRecord t3 = tombstone(a2, ALICE, NOW + 31 * DAY);
      SignedRecord toBob2 = NET.transfer(a1, ALICE, BOB.publicKey(), NOW);
      SignedRecord b3 = NET.update(toBob2, BOB, NOW, rrs("@ IN A 203.0.113.3"));
      SignedRecord b4 = NET.update(b3, BOB, NOW, rrs("@ IN A 203.0.113.4"));
      SignedRecord toCarol2 = NET.transfer(a1, ALICE, CAROL.publicKey(), NOW);
      SignedRecord c3 = NET.update(toCarol2, CAROL, NOW, rrs("@ IN A 198.51.100.3"));
      SignedRecord toCarol3 = NET.transfer(a2, ALICE, CAROL.publicKey(), NOW);
      SignedRecord toCarol4 = NET.transfer(a3, ALICE, CAROL.publicKey(), NOW);
      SignedRecord bobToCarol4 = NET.transfer(b3, BOB, CAROL.publicKey(), NOW);
      SignedRecord bobRevokes4 = tombstone(b3, BOB, NOW + 31 * DAY);
      List<SignedRecord> all = List.of(a1, a2, a2x, a3, a4, t3, toBob2, b3, b4, toCarol2, c3,
          toCarol3, toCarol4, bobToCarol4, bobRevokes4);
      for (SignedRecord r : all) {
        assertThat(validator.check(r)).as("%s", r).isEmpty();
      }
      // Alice handed the name to Bob and to Carol at serial 2: the lower key wins the fork. On
      // Bob's side a hand-over and a revocation share serial 4: the hand-over wins.
      boolean bobWins = java.util.Arrays.compareUnsigned(BOB.publicKey(), CAROL.publicKey()) < 0;
      SignedRecord expected = bobWins ? bobToCarol4 : c3;
      java.util.Random random = new java.util.Random(42);
      for (int round = 0; round < 300; round++) {
        List<SignedRecord> subset = new ArrayList<>(all);
        java.util.Collections.shuffle(subset, random);
        // Some nodes see only part of the history.
        subset = subset.subList(0, round % 3 == 0 ? all.size() : 1 + random.nextInt(all.size()));
        List<SignedRecord> otherOrder = new ArrayList<>(subset);
        java.util.Collections.shuffle(otherOrder, random);
        SignedRecord held = deliver(subset);
        assertThat(deliver(otherOrder)).as("orders %s and %s", subset, otherOrder)
            .isEqualTo(held);
        if (subset.size() == all.size()) {
          assertThat(held).isEqualTo(expected);
        }
      }
    }

    private SignedRecord deliver(List<SignedRecord> order) {
      SignedRecord held = null;
      for (SignedRecord r : order) {
        if (validator.decide(r, Optional.ofNullable(held)) instanceof Verdict.Accept) {
          held = r;
        }
      }
      return held;
    }

    @Test
    void aRevokedNameCanBeClaimedOnceTheTombstoneLapses() {
      SignedRecord revoked = tombstone(a1, ALICE, a1.expiresAt());
      long later = revoked.expiresAt() + GRACE + 1;
      SignedRecord b1 = NET.claim(BOB, NAME, later, rrs("@ IN A 203.0.113.1"));
      RecordValidator v = validatorAt(later);
      assertThat(v.check(b1)).isEmpty();
      assertThat(v.decide(b1, Optional.of(revoked))).isInstanceOf(Verdict.Accept.class);
    }

    @Test
    void revocationMustNotShortenTheLifetime() {
      Refusal r = refused(decide(tombstone(a1, ALICE, a1.expiresAt() - 1), a1));
      assertThat(r.reason()).isEqualTo(RefusalReason.BAD_LIFETIME);
      assertThat(r.message()).contains("until " + a1.expiresAt());
      assertThat(decide(tombstone(a1, ALICE, a1.expiresAt() + DAY), a1))
          .isInstanceOf(Verdict.Accept.class);
    }
  }
}

package org.p2pdns.common.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.p2pdns.common.record.RecordFixtures.ALICE;
import static org.p2pdns.common.record.RecordFixtures.BOB;
import static org.p2pdns.common.record.RecordFixtures.CAROL;
import static org.p2pdns.common.record.RecordFixtures.DAY;
import static org.p2pdns.common.record.RecordFixtures.NOW;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.RecordValidator.Verdict;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.wire.MalformedException;

/** The claim terms (commitment reveal, recovery key) and the rules that use them. */
class OwnershipRulesTest {
  private static final String NAME = "example.p2p";
  private static final TestNetwork NET = new TestNetwork();
  private static final long REVEAL = Ownership.revealDelay(NET.params()).toSeconds();
  private static final byte[] SALT = new byte[16];
  private static final Ed25519Keys.KeyPair RESCUE = RecordFixtures.key(9);
  private static final Ed25519Keys.KeyPair THIEF = RecordFixtures.key(10);

  private final RecordValidator validator = new RecordValidator(NET.params(),
      TestNetwork.fixedClock(NOW));

  static {
    Arrays.fill(SALT, (byte) 7);
  }

  private static SignedRecord committed(Ed25519Keys.KeyPair key, byte[] recovery) {
    return NET.committedClaim(key, NAME, SALT, NOW - REVEAL, NOW,
        TestNetwork.rrs(NAME, "@ 300 IN A 192.0.2.1"), recovery);
  }

  @Test
  void derivedTimesFollowTheSkew() {
    assertThat(REVEAL).isEqualTo(2 * NET.params().clockSkew().toSeconds() + 10);
    assertThat(Ownership.contestWindow(NET.params()).toSeconds()).isEqualTo(2 * REVEAL + 60);
    assertThat(Ownership.transferDelay(NET.params())).isEqualTo(NET.params().gracePeriod());
  }

  @Test
  void aPlainClaimKeepsFormatVersionOneAndTermsUseVersionTwo() throws Exception {
    SignedRecord plain = NET.claim(ALICE, NAME, NOW, TestNetwork.rrs(NAME, "@ IN A 192.0.2.1"));
    assertThat(plain.encoded()[0]).isEqualTo((byte) 1);
    SignedRecord c = committed(ALICE, RESCUE.publicKey());
    byte[] bytes = c.encoded();
    assertThat(bytes[0]).isEqualTo((byte) 2);
    // The trailer just before the signature: flags 3, the commitment time, the salt, the key.
    int trailer = bytes.length - 64 - (1 + 8 + 16 + 32);
    assertThat(bytes[trailer]).isEqualTo((byte) 3);
    assertThat(Arrays.copyOfRange(bytes, trailer + 9, trailer + 25)).isEqualTo(SALT);
    assertThat(Arrays.copyOfRange(bytes, trailer + 25, trailer + 57))
        .isEqualTo(RESCUE.publicKey());
    SignedRecord back = RecordCodec.decode(bytes);
    assertThat(back).isEqualTo(c);
    assertThat(back.content().terms().reveal().orElseThrow().committedAt())
        .isEqualTo(NOW - REVEAL);
    assertThat(validator.check(c)).isEmpty();
  }

  @Test
  void aRevealBeforeTheRevealDelayIsRefused() {
    SignedRecord early = NET.committedClaim(ALICE, NAME, SALT, NOW - REVEAL + 1, NOW,
        TestNetwork.rrs(NAME, "@ IN A 192.0.2.1"), null);
    assertThat(validator.check(early)).get().extracting(RefusalReason.Refusal::reason)
        .isEqualTo(RefusalReason.EARLY_REVEAL);
  }

  @Test
  void aCommitmentHidesItsClaimAndCarriesItsOwnWork() throws Exception {
    Commitment c = NET.commitment(ALICE, NAME, SALT, NOW - REVEAL);
    assertThat(c.powValid(NET.networkId(), Ownership.commitmentPowBits(NET.params()))).isTrue();
    assertThat(Commitment.revealedBy(NET.networkId(), committed(ALICE, null))).get()
        .isEqualTo(c.hash());
    // Another time, key or salt gives another hash: the time cannot be changed afterwards.
    assertThat(Commitment.hashOf(NET.networkId(), NAME, ALICE.publicKey(), SALT, NOW))
        .isNotEqualTo(c.hash());
    assertThat(Commitment.hashOf(NET.networkId(), NAME, BOB.publicKey(), SALT, NOW - REVEAL))
        .isNotEqualTo(c.hash());
    assertThat(Commitment.decode(c.encode())).isEqualTo(c);
    assertThat(c.encode()).hasSize(Commitment.ENCODED_BYTES);
    byte[] longer = Arrays.copyOf(c.encode(), Commitment.ENCODED_BYTES + 1);
    assertThatThrownBy(() -> Commitment.decode(longer)).isInstanceOf(MalformedException.class);
    byte[] v2 = c.encode();
    v2[0] = 2;
    assertThatThrownBy(() -> Commitment.decode(v2)).isInstanceOf(MalformedException.class);
  }

  @Test
  void otherTermsMakeAnotherLineage() {
    SignedRecord a = committed(ALICE, null);
    SignedRecord withRescue = committed(ALICE, RESCUE.publicKey());
    SignedRecord plain = NET.claim(ALICE, NAME, NOW, TestNetwork.rrs(NAME, "@ IN A 192.0.2.1"));
    assertThat(RecordValidator.sameLineage(a, withRescue)).isFalse();
    assertThat(RecordValidator.sameLineage(a, plain)).isFalse();
    assertThat(validator.decide(withRescue, Optional.of(a))).isInstanceOf(Verdict.Refuse.class);
    // An owner cannot drop the recovery key by an update: an update carries the claim's terms.
    SignedRecord update = NET.update(withRescue, ALICE, NOW, TestNetwork.rrs(NAME, "@ IN A 1.2.3.4"));
    assertThat(update.content().terms()).isEqualTo(withRescue.content().terms());
    SignedRecord dropped = NET.signer().sign(update.content().withTerms(ClaimTerms.NONE), ALICE);
    assertThat(validator.decide(dropped, Optional.of(withRescue)))
        .isInstanceOf(Verdict.Refuse.class);
  }

  @Test
  void contestRanksCommittedFirstThenEarlierThenLowerLineage() {
    byte[] low = new byte[32];
    byte[] high = new byte[32];
    high[0] = 1;
    Ownership.Rank known100 = new Ownership.Rank(true, 100L, high);
    assertThat(known100).isLessThan(new Ownership.Rank(true, null, low));
    assertThat(known100).isLessThan(new Ownership.Rank(true, 101L, low));
    assertThat(known100).isGreaterThan(new Ownership.Rank(true, 100L, low));
    assertThat(new Ownership.Rank(true, null, high)).isLessThan(new Ownership.Rank(false, null,
        low));
    assertThat(new Ownership.Rank(false, null, low)).isLessThan(new Ownership.Rank(false, null,
        high));
  }

  @Test
  void theRecoveryKeyOverridesAStolenOwnerKeysTransferWhateverItsSerial() {
    SignedRecord a1 = committed(ALICE, RESCUE.publicKey());
    // The thief holds Alice's key: it hands the name to itself and jumps the serial.
    SignedRecord stolen = NET.transfer(a1, ALICE, THIEF.publicKey(), NOW);
    SignedRecord jumped = NET.withSerial(stolen, THIEF, Long.MAX_VALUE - 1, NOW);
    assertThat(validator.check(jumped)).isEmpty();
    assertThat(validator.decide(jumped, Optional.of(stolen))).isInstanceOf(Verdict.Accept.class);

    // The recovery key cancels the hand-over: it hands the name from Alice to Carol (a fresh
    // key, since Alice's is stolen) at serial 2, the serial of the stolen hand-over.
    SignedRecord rescued = NET.recover(jumped, 0, RESCUE, CAROL.publicKey(), 2, NOW);
    assertThat(validator.check(rescued)).isEmpty();
    assertThat(validator.isRecoveryLink(rescued, 0)).isTrue();
    assertThat(validator.isRecoveryLink(stolen, 0)).isFalse();
    assertThat(validator.decide(rescued, Optional.of(jumped))).isInstanceOf(Verdict.Accept.class);
    // In whatever order a node sees them, the thief's versions lose to the recovery.
    assertThat(validator.decide(jumped, Optional.of(rescued))).isInstanceOf(Verdict.Refuse.class);
    assertThat(validator.decide(stolen, Optional.of(rescued))).isInstanceOf(Verdict.Refuse.class);
    // Alice's stolen key, without a transfer, cannot out-serial the recovery either.
    SignedRecord aliceJump = NET.withSerial(a1, ALICE, Long.MAX_VALUE, NOW);
    assertThat(validator.decide(aliceJump, Optional.of(rescued)))
        .isInstanceOf(Verdict.Refuse.class);
    assertThat(validator.decide(rescued, Optional.of(aliceJump)))
        .isInstanceOf(Verdict.Accept.class);
    // Carol goes on from there.
    SignedRecord c3 = NET.update(rescued, CAROL, NOW, TestNetwork.rrs(NAME, "@ IN A 1.2.3.4"));
    assertThat(validator.check(c3)).isEmpty();
    assertThat(validator.decide(c3, Optional.of(jumped))).isInstanceOf(Verdict.Accept.class);
  }

  @Test
  void onlyTheNamedRecoveryKeyCanRecover() {
    SignedRecord a1 = committed(ALICE, RESCUE.publicKey());
    assertThatThrownBy(() -> NET.recover(a1, 0, THIEF, THIEF.publicKey(), 2, NOW))
        .isInstanceOf(IllegalArgumentException.class);
    // A forged recovery link (signed by the thief over the recovery message) does not verify.
    byte[] sig = THIEF.sign(RecordCodec.recoveryMessage(NET.networkId(), NAME,
        ALICE.publicKey(), THIEF.publicKey(), 2));
    RecordContent p = a1.content();
    RecordContent forged = new RecordContent(SignedRecord.Kind.DATA, NAME, 2, NOW, NOW + DAY,
        p.claimKey(), p.powNonce(), List.of(new Handover(THIEF.publicKey(), 2, sig)), p.rrs(),
        p.terms());
    SignedRecord signed = RecordCodec.assemble(forged, THIEF.sign(RecordCodec.signingMessage(
        NET.networkId(), RecordCodec.encodeBody(forged))));
    assertThat(validator.check(signed)).get().extracting(RefusalReason.Refusal::reason)
        .isEqualTo(RefusalReason.BAD_SIGNATURE);
    // A lineage without a recovery key has no recovery links.
    SignedRecord plain = NET.claim(ALICE, NAME, NOW, TestNetwork.rrs(NAME, "@ IN A 192.0.2.1"));
    assertThatThrownBy(() -> NET.recover(plain, 0, RESCUE, CAROL.publicKey(), 2, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLapsedLineageIsNotRevivedByABackdatedRenewal() {
    SignedRecord a1 = NET.claim(ALICE, NAME, NOW, TestNetwork.rrs(NAME, "@ IN A 192.0.2.1"));
    long lapsed = a1.expiresAt() + NET.params().gracePeriod().toSeconds() + 1;
    RecordValidator later = new RecordValidator(NET.params(), TestNetwork.fixedClock(lapsed));
    // Dated back into the old record's life, expiring in the future: still refused.
    SignedRecord renewal = NET.withSerial(a1, ALICE, 2, a1.expiresAt() - DAY);
    assertThat(later.check(renewal)).isEmpty();
    assertThat(later.decide(renewal, Optional.of(a1))).isInstanceOf(Verdict.Refuse.class)
        .extracting(v -> ((Verdict.Refuse) v).refusal().reason())
        .isEqualTo(RefusalReason.EXPIRED);
    SignedRecord bob = NET.claim(BOB, NAME, lapsed, TestNetwork.rrs(NAME, "@ IN A 192.0.2.2"));
    assertThat(later.decide(bob, Optional.of(a1))).isInstanceOf(Verdict.Accept.class);
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.trust.TrustWeights;

/** The decision rule of docs/protocol.md 3.8b, on real signed records. */
class NameVoteTest {
  private static final TestNetwork NET = new TestNetwork();
  private static final long NOW = Clock.systemUTC().instant().getEpochSecond();
  private static final RecordValidator VALIDATOR = new RecordValidator(NET.params(),
      Clock.systemUTC());
  private static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();
  private static final Ed25519Keys.KeyPair OTHER = Ed25519Keys.generate();
  private static final SignedRecord V1 = NET.claim(OWNER, "vote.p2p", NOW,
      TestNetwork.rrs("vote.p2p.", "@ 300 IN A 192.0.2.1"));
  private static final SignedRecord V2 = NET.update(V1, OWNER, NOW + 1,
      TestNetwork.rrs("vote.p2p.", "@ 300 IN A 192.0.2.2"));
  private static final SignedRecord RIVAL = NET.claim(OTHER, "vote.p2p", NOW,
      TestNetwork.rrs("vote.p2p.", "@ 300 IN A 203.0.113.1"));

  private static TrustWeights weights(Map<String, Double> w) {
    return id -> w.getOrDefault(id, 0.0);
  }

  private static SignedRecord settled(NameVote.Outcome o) {
    assertThat(o).isInstanceOf(NameVote.Outcome.Settled.class);
    return ((NameVote.Outcome.Settled) o).winner().record();
  }

  @Test
  void versionsOfOneLineageAreNoDisputeTheNewestWinsEvenFromOnePeer() {
    // Two peers with the stale serial, one with the newer: one lineage, the newer version.
    NameVote.Outcome o = NameVote.decide(Map.of("a", V1, "b", V1, "c", V2), TrustWeights.none(),
        VALIDATOR);
    assertThat(settled(o)).isEqualTo(V2);
    assertThat(((NameVote.Outcome.Settled) o).winner().supporters()).containsExactlyInAnyOrder(
        "a", "b", "c");
  }

  @Test
  void withoutWeightCompetingLineagesAreContestedWhateverTheCount() {
    NameVote.Outcome o = NameVote.decide(Map.of("a", V2, "x", RIVAL, "y", RIVAL, "z", RIVAL),
        TrustWeights.none(), VALIDATOR);
    assertThat(o).isInstanceOfSatisfying(NameVote.Outcome.Contested.class, c -> {
      assertThat(c.candidates()).hasSize(2);
      assertThat(c.totalWeight()).isZero();
    });
  }

  @Test
  void moreThanHalfOfTheWeightOfThePeersThatListedTheNameSettlesIt() {
    Map<String, SignedRecord> votes = Map.of("a", V2, "b", V1, "x", RIVAL, "y", RIVAL);
    // Honest 2 of 3: settled for the owner's lineage, at its newest version.
    assertThat(settled(NameVote.decide(votes, weights(Map.of("a", 1.0, "b", 1.0, "x", 1.0)),
        VALIDATOR))).isEqualTo(V2);
    // Exactly half is not more than half: contested.
    assertThat(NameVote.decide(votes, weights(Map.of("a", 1.0, "x", 1.0)), VALIDATOR))
        .isInstanceOf(NameVote.Outcome.Contested.class);
    // Trust on the hostile side alone hands it the name: trust beats numbers.
    assertThat(settled(NameVote.decide(votes, weights(Map.of("y", 0.5)), VALIDATOR)))
        .isEqualTo(RIVAL);
    // Negative or NaN weights count as nothing.
    assertThat(NameVote.decide(votes, weights(Map.of("x", -5.0, "y", Double.NaN)), VALIDATOR))
        .isInstanceOf(NameVote.Outcome.Contested.class);
  }

  @Test
  void anOmissionIsAnAbstentionAndNoVersionIsAbsent() {
    // Only the trusted peer's lineage is listed: settled, the untrusted omitters do not count.
    assertThat(settled(NameVote.decide(Map.of("a", V1), weights(Map.of("a", 1.0)),
        VALIDATOR))).isEqualTo(V1);
    assertThat(NameVote.decide(Map.of(), TrustWeights.none(), VALIDATOR))
        .isInstanceOf(NameVote.Outcome.Absent.class);
  }
}

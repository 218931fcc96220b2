package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.p2pdns.node.peer.OwnershipCluster.a;
import static org.p2pdns.node.peer.OwnershipCluster.salt;
import static org.p2pdns.node.peer.OwnershipCluster.WAIT;
import static org.p2pdns.node.peer.OwnershipCluster.awaitEverywhere;
import static org.p2pdns.node.peer.OwnershipCluster.awaitLinks;
import static org.p2pdns.node.peer.OwnershipCluster.awaitRefusedMoreThan;
import static org.p2pdns.node.peer.OwnershipCluster.awaitWitnessed;
import static org.p2pdns.node.peer.OwnershipCluster.commit;
import static org.p2pdns.node.peer.OwnershipCluster.push;
import static org.p2pdns.node.peer.OwnershipCluster.submit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;

/**
 * DESIGN rules 4-7 across real nodes (TLS, gossip, catch-up, SQLite), with hostile peers that
 * have identities of their own and speak the real peer protocol, and a clock the test moves.
 */
class OwnershipNetworkTest {
  @TempDir
  Path tmp;

  @Test
  void concurrentClaimsAtTwoNodesConvergeOnTheEarlierCommitmentAndTheLoserIsTold()
      throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      Ed25519Keys.KeyPair bob = Ed25519Keys.generate();
      byte[] aliceSalt = salt();
      byte[] bobSalt = salt();
      long t = c.now();
      Commitment aliceCommit = net.commitment(alice, "race.p2p", aliceSalt, t);
      Commitment bobCommit = net.commitment(bob, "race.p2p", bobSalt, t + 1);
      assertThat(commit(n0, aliceCommit)).isEqualTo(SubmitResult.STORED);
      c.clock.advance(Duration.ofSeconds(1));
      assertThat(commit(n2, bobCommit)).isEqualTo(SubmitResult.STORED);
      awaitWitnessed(all, aliceCommit);
      awaitWitnessed(all, bobCommit);

      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord aliceClaim = net.committedClaim(alice, "race.p2p", aliceSalt, t, c.now(),
          a("race.p2p", "192.0.2.1"), null);
      SignedRecord bobClaim = net.committedClaim(bob, "race.p2p", bobSalt, t + 1, c.now(),
          a("race.p2p", "192.0.2.2"), null);
      long start = System.nanoTime();
      CompletableFuture<SubmitResult> atN2 = n2.records().submit(bobClaim.encoded(),
          Origin.CLIENT);
      CompletableFuture<SubmitResult> atN0 = n0.records().submit(aliceClaim.encoded(),
          Origin.CLIENT);
      assertThat(atN0.get(10, TimeUnit.SECONDS)).isEqualTo(SubmitResult.STORED);
      atN2.get(10, TimeUnit.SECONDS); // stored first at n2, or already refused there
      awaitEverywhere(all, aliceClaim);
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.err.println("two concurrent claims converged on all 3 nodes in " + millis + " ms");
      assertThat(millis).as("convergence time").isLessThan(5_000);

      // Bob's node says what happened; a late copy of Bob's claim stays refused.
      assertThat(n2.records().lookup("race.p2p").detail())
          .contains("lost the contest")
          .contains(Ed25519Keys.toHex(bob.publicKey()))
          .contains(Ed25519Keys.toHex(alice.publicKey()));
      SubmitResult again = submit(n2, bobClaim);
      assertThat(again.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.CONTEST_LOST);
    }
  }

  @Test
  void aPeerThatSeesAClaimInFlightCannotWinItWhateverItGrinds() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestPeer mallory = c.hostile("mallory", n1);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      Ed25519Keys.KeyPair victim = Ed25519Keys.generate();
      byte[] salt = salt();
      long t = c.now();
      Commitment commitment = net.commitment(victim, "prize.p2p", salt, t);
      commit(n0, commitment);
      awaitWitnessed(all, commitment);
      // The commitment reached Mallory too: it hides the name and the key.
      await().atMost(WAIT).until(() -> mallory.received.stream()
          .anyMatch(m -> m instanceof org.p2pdns.common.peer.PeerMessage.CommitmentPush));

      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord claim = net.committedClaim(victim, "prize.p2p", salt, t, c.now(),
          a("prize.p2p", "192.0.2.1"), null);
      n0.records().submit(claim.encoded(), Origin.CLIENT); // in flight
      await().atMost(WAIT).until(() -> mallory.received.stream().anyMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.RecordPush p
              && java.util.Arrays.equals(p.record(), claim.encoded())));

      // Mallory grinds keys, salts and commitment times: a commitment dated before the
      // victim's is not live at any honest node; one made now ranks after the victim's.
      long refusedBefore = n1.records().refusedCount();
      int tries = 0;
      for (long backdate = 0; backdate <= 40; backdate += 4) {
        Ed25519Keys.KeyPair key = Ed25519Keys.generate();
        byte[] s = salt();
        long when = t - backdate;
        Commitment fake = net.commitment(key, "prize.p2p", s, when);
        push(mallory, n1, fake);
        SignedRecord steal = net.committedClaim(key, "prize.p2p", s, when, c.now(),
            a("prize.p2p", "203.0.113.66"), null);
        push(mallory, n1, steal);
        tries++;
      }
      // A live commitment made now, revealed after the delay: a real contender, ranked after.
      Ed25519Keys.KeyPair late = Ed25519Keys.generate();
      byte[] lateSalt = salt();
      long lateAt = c.now();
      Commitment live = net.commitment(late, "prize.p2p", lateSalt, lateAt);
      push(mallory, n1, live);
      awaitWitnessed(all, live);
      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord lateClaim = net.committedClaim(late, "prize.p2p", lateSalt, lateAt, c.now(),
          a("prize.p2p", "203.0.113.67"), null);
      push(mallory, n1, lateClaim);
      // And a plain claim, no commitment at all.
      push(mallory, n1, net.claim(Ed25519Keys.generate(), "prize.p2p", c.now(),
          a("prize.p2p", "203.0.113.68")));
      tries += 2;
      int expected = tries;
      await().atMost(WAIT).until(() -> n1.records().refusedCount() >= refusedBefore + expected);

      awaitEverywhere(all, claim);
      for (Node n : all) {
        assertThat(n.records().witnessedCommitment(
            Commitment.hashOf(net.networkId(), "prize.p2p", late.publicKey(), lateSalt, lateAt),
            lateAt)).isTrue();
        assertThat(n.records().lookup("prize.p2p").record().orElseThrow().ownerKey())
            .isEqualTo(victim.publicKey());
      }
      assertThat(submit(n0, lateClaim).refusal().orElseThrow().reason())
          .isEqualTo(RefusalReason.CONTEST_LOST);
    }
  }

  @Test
  void aNameHeldBeyondTheContestWindowIsNeverTakenWhateverTimeAClaimSays() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestPeer mallory = c.hostile("mallory", n2);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      long window = Ownership.contestWindow(net.params()).toSeconds();

      // Mallory commits first, for real (witnessed live by every node), but holds back.
      Ed25519Keys.KeyPair early = Ed25519Keys.generate();
      byte[] earlySalt = salt();
      long earlyAt = c.now();
      Commitment earlyCommit = net.commitment(early, "held.p2p", earlySalt, earlyAt);
      push(mallory, n2, earlyCommit);
      awaitWitnessed(all, earlyCommit);

      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      byte[] salt = salt();
      c.clock.advance(Duration.ofSeconds(1));
      long t = c.now();
      Commitment commitment = net.commitment(owner, "held.p2p", salt, t);
      commit(n0, commitment);
      awaitWitnessed(all, commitment);
      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord claim = net.committedClaim(owner, "held.p2p", salt, t, c.now(),
          a("held.p2p", "192.0.2.1"), null);
      assertThat(submit(n0, claim)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(all, claim);

      // The contest window passes. Mallory reveals its earlier, witnessed commitment: too late.
      c.clock.advance(Duration.ofSeconds(window + 1));
      SignedRecord lateReveal = net.committedClaim(early, "held.p2p", earlySalt, earlyAt,
          c.now(), a("held.p2p", "203.0.113.66"), null);
      // A backdated claim: issue time long ago, a commitment nobody witnessed.
      Ed25519Keys.KeyPair back = Ed25519Keys.generate();
      byte[] backSalt = salt();
      SignedRecord backdated = net.committedClaim(back, "held.p2p", backSalt, t - 86_400,
          t - 86_400 + reveal, a("held.p2p", "203.0.113.67"), null);
      for (Node n : all) {
        for (SignedRecord r : List.of(lateReveal, backdated)) {
          SubmitResult result = submit(n, r);
          assertThat(result.refusal().orElseThrow().reason()).as("%s", result)
              .isEqualTo(RefusalReason.NOT_OWNER);
        }
      }
      long before = n2.records().refusedCount();
      push(mallory, n2, lateReveal);
      push(mallory, n2, backdated);
      await().atMost(WAIT).until(() -> n2.records().refusedCount() >= before + 2);
      awaitEverywhere(all, claim);

      // The owner's own versions: one dated beyond the skew is refused; so is an expiry beyond
      // the network's maximum lifetime after issue.
      long skew = net.params().clockSkew().toSeconds();
      SignedRecord future = net.update(claim, owner, c.now() + skew + 5, a("held.p2p",
          "192.0.2.9"));
      assertThat(submit(n1, future).refusal().orElseThrow().reason())
          .isEqualTo(RefusalReason.CLOCK_SKEW);
      SignedRecord tooLong = net.signer().sign(new org.p2pdns.common.record.RecordContent(
          SignedRecord.Kind.DATA, "held.p2p", 2, c.now(),
          c.now() + net.params().recordLifetime().toSeconds() + 1, owner.publicKey(),
          claim.content().powNonce(), List.of(), claim.rrs(), claim.content().terms()), owner);
      assertThat(submit(n1, tooLong).refusal().orElseThrow().reason())
          .isEqualTo(RefusalReason.BAD_LIFETIME);
      awaitEverywhere(all, claim);
    }
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.p2pdns.node.peer.OwnershipCluster.a;
import static org.p2pdns.node.peer.OwnershipCluster.salt;
import static org.p2pdns.node.peer.OwnershipCluster.WAIT;
import static org.p2pdns.node.peer.OwnershipCluster.awaitEverywhere;
import static org.p2pdns.node.peer.OwnershipCluster.awaitLinks;
import static org.p2pdns.node.peer.OwnershipCluster.awaitWitnessed;
import static org.p2pdns.node.peer.OwnershipCluster.commit;
import static org.p2pdns.node.peer.OwnershipCluster.push;
import static org.p2pdns.node.peer.OwnershipCluster.submit;
import static org.p2pdns.node.peer.OwnershipCluster.target;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.ClaimTerms;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;

/** Partitions, equivocation, transfers, recovery, expiry and revocation across real nodes. */
class OwnershipLifecycleTest {
  @TempDir
  Path tmp;

  private static RefusalReason reason(SubmitResult r) {
    return r.refusal().orElseThrow(() -> new AssertionError("not refused: " + r)).reason();
  }

  @Test
  void partitionHalvesEndWithTheEarlierCommitmentAndAnUntrustedBackdaterIsNotTheOtherHalf()
      throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node a1 = c.start("a1");
      Node a2 = c.start("a2", a1);
      Node b1 = c.start("b1");
      Node b2 = c.start("b2", b1);
      List<Node> halfA = List.of(a1, a2);
      List<Node> halfB = List.of(b1, b2);
      awaitLinks(halfA, 1);
      awaitLinks(halfB, 1);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      long window = Ownership.contestWindow(net.params()).toSeconds();

      // Cut off from each other, both halves register split.p2p; B's commitment is earlier.
      Ed25519Keys.KeyPair bob = Ed25519Keys.generate();
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      byte[] bobSalt = salt();
      byte[] aliceSalt = salt();
      long tb = c.now();
      Commitment bobCommit = net.commitment(bob, "split.p2p", bobSalt, tb);
      commit(b1, bobCommit);
      c.clock.advance(Duration.ofSeconds(1));
      long ta = c.now();
      Commitment aliceCommit = net.commitment(alice, "split.p2p", aliceSalt, ta);
      commit(a1, aliceCommit);
      awaitWitnessed(halfA, aliceCommit);
      awaitWitnessed(halfB, bobCommit);
      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord aliceClaim = net.committedClaim(alice, "split.p2p", aliceSalt, ta, c.now(),
          a("split.p2p", "192.0.2.1"), null);
      SignedRecord bobClaim = net.committedClaim(bob, "split.p2p", bobSalt, tb, c.now(),
          a("split.p2p", "192.0.2.2"), null);
      // A name only half A registers, to see that healing moves nothing else.
      SignedRecord onlyA = net.claim(alice, "only-a.p2p", c.now(), a("only-a.p2p", "192.0.2.3"));
      submit(a1, aliceClaim);
      submit(a1, onlyA);
      submit(b1, bobClaim);
      awaitEverywhere(halfA, aliceClaim);
      awaitEverywhere(halfB, bobClaim);
      // Both halves hold their owner beyond the contest window.
      c.clock.advance(Duration.ofSeconds(window + 5));

      // The partition heals: one link between the halves; catch-up and gossip do the rest.
      a1.peerNetwork().connect(target(b1)).get(20, TimeUnit.SECONDS);
      List<Node> all = List.of(a1, a2, b1, b2);
      awaitEverywhere(all, bobClaim);
      awaitEverywhere(all, onlyA);
      assertThat(a2.records().lookup("split.p2p").detail()).contains("lost the contest")
          .contains("trusted peer");

      // Mallory, a node nobody trusts, offers a backdated claim with a commitment from long
      // before both halves': it cannot pass for another half.
      TestPeer mallory = c.hostile("mallory", a2);
      Ed25519Keys.KeyPair m = Ed25519Keys.generate();
      byte[] ms = salt();
      long old = tb - 3600;
      SignedRecord backdated = net.committedClaim(m, "split.p2p", ms, old, old + reveal,
          a("split.p2p", "203.0.113.66"), null);
      long before = a2.records().refusedCount();
      push(mallory, a2, net.commitment(m, "split.p2p", ms, old));
      push(mallory, a2, backdated);
      await().atMost(WAIT).until(() -> a2.records().refusedCount() > before);
      for (Node n : all) {
        assertThat(reason(submit(n, backdated))).isEqualTo(RefusalReason.NOT_OWNER);
      }
      awaitEverywhere(all, bobClaim);
    }
  }

  @Test
  void aTrustedNodeThatTookABackdatedClaimAsAFreeNameCannotPassItOn() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      List<Node> held = List.of(n0, n1);
      awaitLinks(held, 1);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      long window = Ownership.contestWindow(net.params()).toSeconds();
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      byte[] salt = salt();
      long t = c.now();
      Commitment commitment = net.commitment(owner, "laundry.p2p", salt, t);
      commit(n0, commitment);
      awaitWitnessed(held, commitment);
      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord claim = net.committedClaim(owner, "laundry.p2p", salt, t, c.now(),
          a("laundry.p2p", "192.0.2.1"), null);
      submit(n0, claim);
      awaitEverywhere(held, claim);
      c.clock.advance(Duration.ofSeconds(window + 1));

      // A new node its operator trusts at once, before it caught up: Mallory hands it a claim
      // of the name with a commitment "from a day before", and it takes it as a free name.
      Node fresh = c.start("fresh");
      TestPeer mallory = c.hostile("mallory", fresh);
      Ed25519Keys.KeyPair m = Ed25519Keys.generate();
      byte[] ms = salt();
      long old = t - 86_400;
      SignedRecord backdated = net.committedClaim(m, "laundry.p2p", ms, old, old + reveal,
          a("laundry.p2p", "203.0.113.66"), null);
      push(mallory, fresh, backdated);
      await().atMost(WAIT).until(() -> fresh.records().current("laundry.p2p").isPresent());

      // It joins. The others ask it which commitment time it counts for that claim (none: it
      // witnessed nothing), so its trust does not make the stated time count. The link-up's
      // reconciliation runs both ways at once, so fresh may take n0's claim before it has sent
      // its own version: then it has nothing left to pass on, and n0 never sees the contest.
      // Either way every node ends with the honest claim; when n0 did see it, it noted the loss.
      fresh.peerNetwork().connect(target(n0)).get(20, TimeUnit.SECONDS);
      List<Node> all = List.of(n0, n1, fresh);
      awaitEverywhere(all, claim);
      String detail = n0.records().lookup("laundry.p2p").detail();
      if (!detail.isEmpty()) {
        assertThat(detail).contains("lost the contest")
            .contains(Ed25519Keys.toHex(m.publicKey()));
      }
    }
  }

  @Test
  void equivocationEndsWithOneRecordAndEvidenceOnEveryNode() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord claim = net.claim(owner, "two-faced.p2p", c.now(), a("two-faced.p2p",
          "192.0.2.1"));
      submit(n0, claim);
      awaitEverywhere(all, claim);
      SignedRecord x = net.update(claim, owner, c.now(), a("two-faced.p2p", "192.0.2.10"));
      SignedRecord y = net.update(claim, owner, c.now(), a("two-faced.p2p", "192.0.2.20"));
      CompletableFuture<SubmitResult> fx = n0.records().submit(x.encoded(), Origin.CLIENT);
      CompletableFuture<SubmitResult> fy = n2.records().submit(y.encoded(), Origin.CLIENT);
      fx.get(10, TimeUnit.SECONDS);
      fy.get(10, TimeUnit.SECONDS);
      SignedRecord winner = java.util.Arrays.compareUnsigned(x.digest(), y.digest()) < 0 ? x : y;
      SignedRecord loser = winner == x ? y : x;
      awaitEverywhere(all, winner);
      await().atMost(WAIT).untilAsserted(() -> {
        for (Node n : all) {
          assertThat(n.records().evidence("two-faced.p2p")).contains(loser);
          assertThat(n.records().lookup("two-faced.p2p").detail())
              .contains("equivocation evidence").contains(loser.digestHex());
        }
      });
    }
  }

  @Test
  void aNodeThatMissedATransferVerifiesItFromTheChainAndTheOldKeyIsPowerless()
      throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      awaitLinks(List.of(n0, n1, n2), 2);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      Ed25519Keys.KeyPair bob = Ed25519Keys.generate();
      SignedRecord claim = net.claim(alice, "sold.p2p", c.now(), a("sold.p2p", "192.0.2.1"));
      submit(n0, claim);
      awaitEverywhere(List.of(n0, n1, n2), claim);

      n2.close(); // away while the name changes hands
      SignedRecord toBob = net.transfer(claim, alice, bob.publicKey(), c.now());
      assertThat(submit(n0, toBob)).isEqualTo(SubmitResult.STORED);
      SignedRecord bobs = net.update(toBob, bob, c.now(), a("sold.p2p", "192.0.2.2"));
      assertThat(submit(n1, bobs)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(List.of(n0, n1), bobs);

      Node back = c.start("n2", n0); // same data dir: it held Alice's claim, nothing after
      assertThat(back.records().current("sold.p2p")).contains(claim);
      List<Node> all = List.of(n0, n1, back);
      awaitEverywhere(all, bobs);
      assertThat(back.records().current("sold.p2p").orElseThrow().handovers()).hasSize(1);

      // Alice's key, handed on, signs a higher serial on its old chain: no node takes it.
      TestPeer mallory = c.hostile("mallory", back);
      SignedRecord hijack = net.withSerial(claim, alice, 50, c.now());
      long before = back.records().refusedCount();
      push(mallory, back, hijack);
      await().atMost(WAIT).until(() -> back.records().refusedCount() > before);
      for (Node n : all) {
        assertThat(reason(submit(n, hijack))).isEqualTo(RefusalReason.NOT_OWNER);
      }
      awaitEverywhere(all, bobs);
    }
  }

  @Test
  void theRecoveryKeyUndoesAStolenKeysTransferWithinTheDelayAndNotAfter() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      Ed25519Keys.KeyPair rescue = Ed25519Keys.generate();
      Ed25519Keys.KeyPair thief = Ed25519Keys.generate();
      Ed25519Keys.KeyPair carol = Ed25519Keys.generate();
      SignedRecord claim = net.claimWithTerms(alice, "guarded.p2p", c.now(),
          a("guarded.p2p", "192.0.2.1"),
          ClaimTerms.of(Optional.empty(), Optional.of(rescue.publicKey())));
      submit(n0, claim);
      awaitEverywhere(all, claim);

      // The thief has Alice's key: it hands the name to itself and jumps the serial to the top.
      TestPeer mallory = c.hostile("mallory", n1);
      SignedRecord stolen = net.transfer(claim, alice, thief.publicKey(), c.now());
      SignedRecord jumped = net.withSerial(stolen, thief, Long.MAX_VALUE - 1, c.now());
      push(mallory, n1, stolen);
      awaitEverywhere(all, stolen);
      push(mallory, n1, jumped);
      awaitEverywhere(all, jumped);
      assertThat(n0.records().lookup("guarded.p2p").detail()).contains("pending until")
          .contains(Ed25519Keys.toHex(rescue.publicKey()));

      // Within the delay the recovery key hands the name from Alice to a fresh key of hers.
      c.clock.advance(Duration.ofMinutes(5));
      SignedRecord rescued = net.recover(jumped, 0, rescue, carol.publicKey(), 2, c.now());
      assertThat(submit(n2, rescued)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(all, rescued);
      // Whatever the thief signs now loses on every node.
      SignedRecord again = net.withSerial(jumped, thief, Long.MAX_VALUE, c.now());
      long before = n1.records().refusedCount();
      push(mallory, n1, again);
      await().atMost(WAIT).until(() -> n1.records().refusedCount() > before);
      for (Node n : all) {
        assertThat(reason(submit(n, again))).isEqualTo(RefusalReason.NOT_OWNER);
        assertThat(reason(submit(n, net.withSerial(claim, alice, 1_000, c.now()))))
            .isEqualTo(RefusalReason.NOT_OWNER);
      }
      SignedRecord carols = net.update(rescued, carol, c.now(), a("guarded.p2p", "192.0.2.3"));
      submit(n0, carols);
      awaitEverywhere(all, carols);

      // Carol sells to Dave. Once the transfer delay has passed, the hand-over is final: the
      // recovery key cannot take it back, also after a restart of a node.
      Ed25519Keys.KeyPair dave = Ed25519Keys.generate();
      SignedRecord toDave = net.transfer(carols, carol, dave.publicKey(), c.now());
      submit(n0, toDave);
      awaitEverywhere(all, toDave);
      c.clock.advance(Ownership.transferDelay(net.params()).plusSeconds(1));
      n1.close();
      Node n1again = c.start("n1", n0);
      List<Node> now = List.of(n0, n1again, n2);
      awaitLinks(now, 2);
      assertThat(n1again.records().lookup("guarded.p2p").detail()).doesNotContain("pending");
      SignedRecord clawBack = net.recover(toDave, 1, rescue, carol.publicKey(), toDave.serial(),
          c.now());
      for (Node n : now) {
        SubmitResult r = submit(n, clawBack);
        assertThat(reason(r)).isEqualTo(RefusalReason.NOT_OWNER);
        assertThat(r.refusal().orElseThrow().message()).contains("final");
      }
      awaitEverywhere(now, toDave);
    }
  }

  @Test
  void anExpiredNameStopsResolvingIsNotRevivedByABackdatedRenewalAndCanBeClaimedAgain()
      throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node n0 = c.start("n0");
      Node n1 = c.start("n1", n0);
      Node n2 = c.start("n2", n1);
      List<Node> all = List.of(n0, n1, n2);
      awaitLinks(all, 2);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      Ed25519Keys.KeyPair bob = Ed25519Keys.generate();
      long t = c.now();
      SignedRecord brief = net.signer().sign(new RecordContent(SignedRecord.Kind.DATA,
          "brief.p2p", 1, t, t + 120, alice.publicKey(), net.mine("brief.p2p",
          alice.publicKey()), List.of(), a("brief.p2p", "192.0.2.1")), alice);
      submit(n0, brief);
      awaitEverywhere(all, brief);

      c.clock.advance(Duration.ofSeconds(121));
      SignedRecord bobsClaim = net.claim(bob, "brief.p2p", c.now(), a("brief.p2p", "192.0.2.2"));
      for (Node n : all) {
        assertThat(n.records().lookup("brief.p2p").status()).isEqualTo(LookupStatus.EXPIRED);
        // In the grace period the name is still Alice's to renew.
        assertThat(reason(submit(n, bobsClaim))).isEqualTo(RefusalReason.NOT_OWNER);
      }

      c.clock.advance(net.params().gracePeriod());
      // Alice signs a renewal dated back into the record's life, expiring next month: refused.
      SignedRecord backdated = net.signer().sign(new RecordContent(SignedRecord.Kind.DATA,
          "brief.p2p", 2, t + 60, t + 60 + 30 * 86_400L, alice.publicKey(),
          brief.content().powNonce(), List.of(), a("brief.p2p", "192.0.2.9")), alice);
      for (Node n : all) {
        assertThat(reason(submit(n, backdated))).isEqualTo(RefusalReason.EXPIRED);
      }
      SignedRecord fresh = net.claim(bob, "brief.p2p", c.now(), a("brief.p2p", "192.0.2.2"));
      assertThat(submit(n1, fresh)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(all, fresh);

      // Bob revokes: the tombstone reaches every node, an older version is not replayed, and
      // nobody claims the name while the tombstone lives.
      SignedRecord tomb = net.signer().sign(new RecordContent(SignedRecord.Kind.TOMBSTONE,
          "brief.p2p", 2, c.now(), fresh.expiresAt(), bob.publicKey(),
          fresh.content().powNonce(), List.of(), List.of()), bob);
      assertThat(submit(n2, tomb)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(all, tomb);
      TestPeer mallory = c.hostile("mallory", n0);
      // An older serial with other content, never seen before: a replay attempt.
      SignedRecord older = net.signer().sign(new RecordContent(SignedRecord.Kind.DATA,
          "brief.p2p", 1, c.now(), fresh.expiresAt(), bob.publicKey(),
          fresh.content().powNonce(), List.of(), a("brief.p2p", "203.0.113.9")), bob);
      long before = n0.records().refusedCount();
      push(mallory, n0, older);
      await().atMost(WAIT).until(() -> n0.records().refusedCount() > before);
      SignedRecord carol = net.claim(Ed25519Keys.generate(), "brief.p2p", c.now(),
          a("brief.p2p", "203.0.113.1"));
      for (Node n : all) {
        assertThat(n.records().lookup("brief.p2p").status()).isEqualTo(LookupStatus.REVOKED);
        assertThat(reason(submit(n, fresh))).isEqualTo(RefusalReason.STALE_SERIAL);
        assertThat(reason(submit(n, older))).isEqualTo(RefusalReason.STALE_SERIAL);
        assertThat(reason(submit(n, carol))).isEqualTo(RefusalReason.REVOKED);
      }
      awaitEverywhere(all, tomb);
    }
  }
}

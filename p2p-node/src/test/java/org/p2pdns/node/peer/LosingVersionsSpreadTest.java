package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.p2pdns.node.peer.OwnershipCluster.WAIT;
import static org.p2pdns.node.peer.OwnershipCluster.a;
import static org.p2pdns.node.peer.OwnershipCluster.awaitEverywhere;
import static org.p2pdns.node.peer.OwnershipCluster.awaitLinks;
import static org.p2pdns.node.peer.OwnershipCluster.awaitWitnessed;
import static org.p2pdns.node.peer.OwnershipCluster.commit;
import static org.p2pdns.node.peer.OwnershipCluster.salt;
import static org.p2pdns.node.peer.OwnershipCluster.submit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.sync.GossipMessage;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.records.SubmitResult;

/**
 * A version that is validly signed but loses where it arrives (the other half of an
 * equivocation, a claim that loses its contest) is never stored, yet every node must see it to
 * hold the same evidence and contest outcome. Here it enters the network at one node only, after
 * the winner is everywhere, and the gossip tree is narrow (at most 2 eager links per node among
 * 5 in a full mesh), so it can only reach the others if nodes pass on what lost at them and
 * answer grafts for it.
 */
class LosingVersionsSpreadTest {
  private static final int N = 6;

  @TempDir
  Path tmp;

  private static List<Node> startMesh(OwnershipCluster c) throws Exception {
    List<Node> nodes = new ArrayList<>();
    nodes.add(c.start("n0"));
    for (int i = 1; i < N; i++) {
      nodes.add(c.start("n" + i, nodes.get(i - 1)));
    }
    awaitLinks(nodes, N - 1); // membership links every node to every node
    return nodes;
  }

  /**
   * Spreads a few claims so that repeats prune the mesh into a tree. With node.gossip-max-eager
   * 2 no node pushes to more than 2 of its 5 peers, so what reaches the others goes by IHAVE and
   * GRAFT: the path a losing version failed on before.
   */
  private static void warmUp(OwnershipCluster c, List<Node> nodes) throws Exception {
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    for (int i = 0; i < 8; i++) {
      String name = "warm" + i + ".p2p";
      SignedRecord r = c.net.claim(key, name, c.now(), a(name, "192.0.2." + (i + 1)));
      assertThat(submit(nodes.get(i % N), r)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(nodes, r);
    }
  }

  @Test
  void theOtherHalfOfAnEquivocationSubmittedAtOneNodeBecomesEvidenceOnEveryNode()
      throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp, Map.of("node.gossip-max-eager", "2"))) {
      List<Node> nodes = startMesh(c);
      warmUp(c, nodes);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord claim = net.claim(owner, "two-faced.p2p", c.now(),
          a("two-faced.p2p", "192.0.2.1"));
      submit(nodes.get(0), claim);
      awaitEverywhere(nodes, claim);
      SignedRecord x = net.update(claim, owner, c.now(), a("two-faced.p2p", "192.0.2.10"));
      SignedRecord y = net.update(claim, owner, c.now(), a("two-faced.p2p", "192.0.2.20"));
      SignedRecord winner = Arrays.compareUnsigned(x.digest(), y.digest()) < 0 ? x : y;
      SignedRecord loser = winner == x ? y : x;
      assertThat(submit(nodes.get(0), winner)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(nodes, winner);

      // The owner shows the other version to one node only.
      SubmitResult r = submit(nodes.get(3), loser);
      assertThat(r.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.EQUIVOCATION);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        for (Node n : nodes) {
          assertThat(n.records().evidence("two-faced.p2p")).as(n.identity().nodeId())
              .contains(loser);
          assertThat(n.records().lookup("two-faced.p2p").detail())
              .contains("equivocation evidence").contains(loser.digestHex());
        }
      });
      awaitEverywhere(nodes, winner);
    }
  }

  @Test
  void aClaimThatLosesItsContestAtOneNodeIsNotedAsLostOnEveryNode() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp, Map.of("node.gossip-max-eager", "2"))) {
      List<Node> nodes = startMesh(c);
      warmUp(c, nodes);
      TestNetwork net = c.net;
      long reveal = Ownership.revealDelay(net.params()).toSeconds();
      Ed25519Keys.KeyPair alice = Ed25519Keys.generate();
      Ed25519Keys.KeyPair bob = Ed25519Keys.generate();
      byte[] aliceSalt = salt();
      byte[] bobSalt = salt();
      long t = c.now();
      Commitment aliceCommit = net.commitment(alice, "race.p2p", aliceSalt, t);
      Commitment bobCommit = net.commitment(bob, "race.p2p", bobSalt, t + 1);
      assertThat(commit(nodes.get(0), aliceCommit)).isEqualTo(SubmitResult.STORED);
      c.clock.advance(Duration.ofSeconds(1));
      assertThat(commit(nodes.get(4), bobCommit)).isEqualTo(SubmitResult.STORED);
      awaitWitnessed(nodes, aliceCommit);
      awaitWitnessed(nodes, bobCommit);
      c.clock.advance(Duration.ofSeconds(reveal));
      SignedRecord aliceClaim = net.committedClaim(alice, "race.p2p", aliceSalt, t, c.now(),
          a("race.p2p", "192.0.2.1"), null);
      SignedRecord bobClaim = net.committedClaim(bob, "race.p2p", bobSalt, t + 1, c.now(),
          a("race.p2p", "192.0.2.2"), null);
      assertThat(submit(nodes.get(0), aliceClaim)).isEqualTo(SubmitResult.STORED);
      awaitEverywhere(nodes, aliceClaim);

      // Bob's later-committed claim, within the contest window, enters at one node only.
      SubmitResult r = submit(nodes.get(4), bobClaim);
      assertThat(r.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.CONTEST_LOST);
      String bobKey = Ed25519Keys.toHex(bob.publicKey());
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        for (Node n : nodes) {
          assertThat(n.records().lookup("race.p2p").detail()).as(n.identity().nodeId())
              .contains("lost the contest").contains(bobKey);
        }
      });
      awaitEverywhere(nodes, aliceClaim);
    }
  }

  @Test
  void aGraftForAVersionThatLostIsAnsweredThoughTheStoreHoldsTheWinner() throws Exception {
    try (OwnershipCluster c = new OwnershipCluster(tmp)) {
      Node node = c.start("node");
      TestPeer a = c.hostile("a", node); // the names only stand for bare peers here
      TestPeer b = c.hostile("b", node);
      TestNetwork net = c.net;
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord claim = net.claim(owner, "forked.p2p", c.now(), a("forked.p2p", "192.0.2.1"));
      SignedRecord x = net.update(claim, owner, c.now(), a("forked.p2p", "192.0.2.10"));
      SignedRecord y = net.update(claim, owner, c.now(), a("forked.p2p", "192.0.2.20"));
      SignedRecord winner = Arrays.compareUnsigned(x.digest(), y.digest()) < 0 ? x : y;
      SignedRecord loser = winner == x ? y : x;
      OwnershipCluster.push(a, node, claim);
      await().atMost(WAIT).until(() -> node.records().current("forked.p2p").isPresent());
      OwnershipCluster.push(a, node, winner);
      await().atMost(WAIT).until(() -> node.records().current("forked.p2p")
          .filter(winner::equals).isPresent());

      // b asks to be announced to, not pushed to; then a shows the node the losing version.
      PeerLink bToNode = b.network.link(node.identity().nodeId()).orElseThrow();
      assertThat(bToNode.send(new PeerMessage.TreeControl(new GossipMessage.Prune()))).isTrue();
      await().atMost(WAIT).until(() -> node.gossip().lazyPeers().contains(b.id()));
      OwnershipCluster.push(a, node, loser);
      await().atMost(WAIT).until(() -> node.records().evidence("forked.p2p").isPresent());
      await().atMost(WAIT).until(() -> b.received.stream().anyMatch(m ->
          m instanceof PeerMessage.TreeControl t && t.message() instanceof GossipMessage.IHave h
              && h.digests().stream().anyMatch(d -> Arrays.equals(d, loser.digest()))));
      assertThat(b.received).noneMatch(m -> m instanceof PeerMessage.RecordPush p
          && Arrays.equals(p.record(), loser.encoded()));

      // b grafts it: the store holds the winner, the node answers with the version that lost.
      assertThat(node.records().current("forked.p2p")).contains(winner);
      bToNode.send(new PeerMessage.TreeControl(new GossipMessage.Graft(List.of(loser.digest()))));
      await().atMost(WAIT).until(() -> b.received.stream().anyMatch(m ->
          m instanceof PeerMessage.RecordPush p && Arrays.equals(p.record(), loser.encoded())));
    }
  }
}

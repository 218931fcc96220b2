package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Eight real nodes in one JVM, every node linked to every other: records spread along the
 * Plumtree, each node receives about one copy of each record instead of the seven a flood sends,
 * and a stopped tree node is repaired around by grafts.
 */
class GossipTreeTest {
  private static final Logger LOG = LoggerFactory.getLogger(GossipTreeTest.class);
  private static final int N = 8;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final TestNetwork net = new TestNetwork();
  private final Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
  private final List<Node> nodes = new ArrayList<>();
  private int names;

  @TempDir
  Path tmp;

  @AfterEach
  void stop() {
    for (Node n : nodes) {
      n.close();
    }
  }

  private Node start(String name, List<String> bootstrap) throws Exception {
    return start(name, bootstrap, 3);
  }

  /** {@code votePeers} 0: the node takes no bootstrap vote (it trusts what peers push at once). */
  private Node start(String name, List<String> bootstrap, int votePeers) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .set("node.bootstrap-peers", Integer.toString(votePeers))
        .build();
    return Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC());
  }

  private void startFullMesh() throws Exception {
    nodes.add(start("n0", List.of()));
    String first = nodes.get(0).identity().nodeId() + "@127.0.0.1:"
        + nodes.get(0).peerNetwork().boundAddress().getPort();
    for (int i = 1; i < N; i++) {
      nodes.add(start("n" + i, List.of(first)));
    }
    await().atMost(WAIT).untilAsserted(() -> {
      for (Node n : nodes) {
        assertThat(n.peerNetwork().links()).hasSize(N - 1);
        // A new node holds back (refuses, RATE_LIMITED) what peers push until its vote on the
        // store is over.
        assertThat(n.bootstrap().map(Bootstrap::done)).contains(true);
      }
    });
  }

  /** Submits a new record at {@code at} and waits until every node in {@code live} holds it. */
  private void spread(Node at, List<Node> live) throws Exception {
    spread(at, live, WAIT);
  }

  private void spread(Node at, List<Node> live, Duration wait) throws Exception {
    String name = "tree" + names++ + ".p2p";
    SignedRecord claim = net.claim(owner, name, Clock.systemUTC().instant().getEpochSecond(),
        TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.1"));
    long t0 = System.nanoTime();
    SubmitResult r = at.records().submit(claim.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.STORED);
    await().atMost(wait).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      for (Node n : live) {
        assertThat(n.records().current(name)).contains(claim);
      }
    });
    LOG.info("{} everywhere in {} ms", name, (System.nanoTime() - t0) / 1_000_000);
  }

  private static long received(List<Node> nodes) {
    return nodes.stream().mapToLong(n -> n.gossip().recordsReceived()).sum();
  }

  @Test
  void afterWarmUpEachNodeReceivesAboutOneCopyOfEachRecord() throws Exception {
    startFullMesh();
    for (int i = 0; i < 6; i++) {
      spread(nodes.get(i % N), nodes); // warm-up: duplicates prune the mesh into a tree
    }
    long before = received(nodes);
    int measured = 24;
    for (int i = 0; i < measured; i++) {
      spread(nodes.get(i % N), nodes);
    }
    // Copies still in flight when the last record was seen everywhere are counted too: wait
    // until the counters stop moving.
    java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
        .until(() -> last.getAndSet(received(nodes)) == received(nodes));
    double perNode = (double) (received(nodes) - before) / ((N - 1) * (double) measured);
    LOG.info("copies received per node per record after warm-up: {} (a flood sends {})",
        String.format("%.2f", perNode), N - 1);
    assertThat(perNode).isGreaterThanOrEqualTo(1.0).isLessThan(2.0);
    for (Node n : nodes) {
      assertThat(n.gossip().eagerPeers()).hasSizeLessThanOrEqualTo(8);
      assertThat(n.records().refusedCount()).as(n.records().refusalsByReason()).isZero();
    }
    // The counters are in the node's status.
    try (NodeClient client = new NodeClient(nodes.get(1).controlEndpoint())) {
      NodeResponse.Status status = client.status().get(10, TimeUnit.SECONDS);
      assertThat(status.fields()).anySatisfy(f -> {
        assertThat(f.key()).isEqualTo("peers");
        assertThat(f.value()).contains("records received").contains("eager").contains("PRUNE");
      });
    }
  }

  @Test
  void aStoppedTreeNodeIsGraftedAround() throws Exception {
    startFullMesh();
    for (int i = 0; i < 8; i++) {
      spread(nodes.get(i % N), nodes);
    }
    // Stop the node with the most tree links: the parts of the tree it joined are cut off
    // and can only be reached by grafting a lazy link.
    Node hub = nodes.stream().max(Comparator.comparingInt(n -> n.gossip().eagerPeers().size()))
        .orElseThrow();
    LOG.info("stopping a node with {} eager links", hub.gossip().eagerPeers().size());
    nodes.remove(hub);
    hub.close();
    await().atMost(WAIT).untilAsserted(() -> {
      for (Node n : nodes) {
        assertThat(n.peerNetwork().links()).hasSize(N - 2);
      }
    });
    long grafts = nodes.stream().mapToLong(n -> n.gossip().graftsSent()).sum();
    long start = System.nanoTime();
    // No link comes up again, so catch-up does not run: only the tree's own repair (links
    // promoted at link-down, grafts after the 400 ms graft timeout) can deliver.
    for (int i = 0; i < 6; i++) {
      spread(nodes.get(i % nodes.size()), nodes, Duration.ofSeconds(5));
    }
    LOG.info("6 records reached the {} remaining nodes in {} ms with {} grafts", nodes.size(),
        (System.nanoTime() - start) / 1_000_000,
        nodes.stream().mapToLong(n -> n.gossip().graftsSent()).sum() - grafts);
    // No node lost a record: every remaining node holds every one.
    for (Node n : nodes) {
      assertThat(n.records().count()).isEqualTo(names);
    }
  }

  @Test
  void announcementsToALazyLinkGoTogetherInOneFrame() throws Exception {
    Node node = start("node", List.of(), 0);
    nodes.add(node);
    byte[] networkId = node.config().network().networkId();
    org.p2pdns.common.peer.DialTarget target = org.p2pdns.common.peer.DialTarget.pinned(
        node.identity().nodeId(), new org.p2pdns.common.peer.PeerAddress("127.0.0.1",
            node.peerNetwork().boundAddress().getPort()));
    try (TestPeer a = new TestPeer(tmp.resolve("a"), Ed25519Keys.generate(), networkId,
            List.of(target), TestPeer.fast());
        TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), networkId,
            List.of(target), TestPeer.fast())) {
      await().atMost(WAIT).until(() -> node.peerNetwork().links().size() == 2);
      // b asks to be announced to; then a pushes 20 records at once.
      b.network.link(node.identity().nodeId()).orElseThrow().send(
          new org.p2pdns.common.peer.PeerMessage.TreeControl(
              new org.p2pdns.common.sync.GossipMessage.Prune()));
      await().atMost(WAIT).until(() -> node.gossip().lazyPeers().contains(b.id()));
      PeerLink toNode = a.network.link(node.identity().nodeId()).orElseThrow();
      long now = Clock.systemUTC().instant().getEpochSecond();
      java.util.Set<String> digests = new java.util.HashSet<>();
      for (int i = 0; i < 20; i++) {
        SignedRecord r = net.claim(owner, "batch" + i + ".p2p", now,
            TestNetwork.rrs("batch" + i + ".p2p.", "@ 300 IN A 192.0.2.1"));
        digests.add(r.digestHex());
        toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(0, r.encoded()));
      }
      java.util.function.Supplier<List<org.p2pdns.common.sync.GossipMessage.IHave>> ihaves =
          () -> b.received.stream()
              .filter(m -> m instanceof org.p2pdns.common.peer.PeerMessage.TreeControl t
                  && t.message() instanceof org.p2pdns.common.sync.GossipMessage.IHave)
              .map(m -> (org.p2pdns.common.sync.GossipMessage.IHave)
                  ((org.p2pdns.common.peer.PeerMessage.TreeControl) m).message())
              .toList();
      await().atMost(WAIT).untilAsserted(() -> assertThat(ihaves.get().stream()
          .flatMap(h -> h.digests().stream()).map(java.util.HexFormat.of()::formatHex)
          .toList()).containsAll(digests));
      // Stored within a few commits, announced within a few 25 ms windows: far fewer frames
      // than records.
      LOG.info("20 announcements to b came in {} IHAVE frames", ihaves.get().size());
      assertThat(ihaves.get().size()).isLessThan(10);
      assertThat(b.received).noneMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.RecordPush);
    }
  }

  @Test
  void floodedPushesAreValidatedRepeatsArePrunedAndTheHopLimitHolds() throws Exception {
    // The bare peers below cannot take part in a bootstrap vote.
    Node node = start("node", List.of(), 0);
    nodes.add(node);
    byte[] networkId = node.config().network().networkId();
    // Two bare peer networks stand in for nodes that flood (hops 0 from the origin, every copy
    // pushed): they record every frame the node sends them.
    try (TestPeer a = new TestPeer(tmp.resolve("a"), Ed25519Keys.generate(), networkId,
            List.of(org.p2pdns.common.peer.DialTarget.pinned(node.identity().nodeId(),
                new org.p2pdns.common.peer.PeerAddress("127.0.0.1",
                    node.peerNetwork().boundAddress().getPort()))), TestPeer.fast());
        TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), networkId,
            List.of(org.p2pdns.common.peer.DialTarget.pinned(node.identity().nodeId(),
                new org.p2pdns.common.peer.PeerAddress("127.0.0.1",
                    node.peerNetwork().boundAddress().getPort()))), TestPeer.fast())) {
      await().atMost(WAIT).until(() -> node.peerNetwork().links().size() == 2);
      PeerLink toNode = a.network.link(node.identity().nodeId()).orElseThrow();
      long now = Clock.systemUTC().instant().getEpochSecond();

      // A flooded push (hops 0) is validated, stored and pushed on to b, one hop further.
      SignedRecord first = net.claim(owner, "flood.p2p", now,
          TestNetwork.rrs("flood.p2p.", "@ 300 IN A 192.0.2.1"));
      toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(0, first.encoded()));
      await().atMost(WAIT).until(() -> node.records().current("flood.p2p").isPresent());
      await().atMost(WAIT).until(() -> b.received.stream().anyMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.RecordPush p && p.hops() == 1
              && java.util.Arrays.equals(p.record(), first.encoded())));

      // The same record again is a repeat: not validated again, answered with PRUNE.
      toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(0, first.encoded()));
      await().atMost(WAIT).until(() -> a.received.stream().anyMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.TreeControl t
              && t.message() instanceof org.p2pdns.common.sync.GossipMessage.Prune));
      // The PRUNE goes out before the counters and the tree view are updated: wait for them.
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(node.gossip().repeatsReceived()).isEqualTo(1);
        assertThat(node.gossip().lazyPeers()).contains(a.id());
      });

      // A record past the hop limit is stored but neither pushed nor announced to b.
      SignedRecord far = net.claim(owner, "far.p2p", now,
          TestNetwork.rrs("far.p2p.", "@ 300 IN A 192.0.2.2"));
      int before = b.received.size();
      toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(RecordGossip.MAX_HOPS,
          far.encoded()));
      await().atMost(WAIT).until(() -> node.records().current("far.p2p").isPresent());
      // A later record does reach b, so anything about far.p2p would have arrived before it.
      SignedRecord later = net.claim(owner, "later.p2p", now,
          TestNetwork.rrs("later.p2p.", "@ 300 IN A 192.0.2.3"));
      toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(0, later.encoded()));
      await().atMost(WAIT).until(() -> b.received.stream().anyMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.RecordPush p
              && java.util.Arrays.equals(p.record(), later.encoded())));
      assertThat(b.received.subList(before, b.received.size())).noneMatch(m ->
          m instanceof org.p2pdns.common.peer.PeerMessage.RecordPush p
              && java.util.Arrays.equals(p.record(), far.encoded()));

      // A record with a broken signature is refused, not forwarded, and costs the sender.
      SignedRecord bad = net.claim(owner, "bad.p2p", now,
          TestNetwork.rrs("bad.p2p.", "@ 300 IN A 192.0.2.4"));
      byte[] forged = bad.encoded();
      forged[forged.length - 1] ^= 1; // the signature is the last field
      toNode.send(new org.p2pdns.common.peer.PeerMessage.RecordPush(0, forged));
      await().atMost(WAIT).until(() -> node.peerNetwork().score().score(a.id()) != 0);
      assertThat(node.records().current("bad.p2p")).isEmpty();
    }
  }
}

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
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = Config.builder()
        .set("node.data-dir", dir.toString())
        .set("node.listen", "127.0.0.1:0")
        .set("node.control", "tcp://127.0.0.1:*")
        .set("node.feed", "tcp://127.0.0.1:*")
        .set("node.bootstrap", String.join(",", bootstrap))
        .set("network.pow-bits", Integer.toString(TestNetwork.TEST_POW_BITS))
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
      assertThat(n.records().refusedCount()).isZero();
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
    // promoted at link-down, grafts after the 750 ms graft timeout) can deliver.
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
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.MutableClock;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.trust.TrustWeights;

/**
 * Real nodes in one JVM for the ownership tests: a network with a 2 s clock skew (reveal delay
 * 14 s, contest window 88 s) and a 10 minute grace period (transfer delay 10 minutes), one clock
 * the test moves, node ids the honest nodes trust (weight 1), and hostile peers with identities
 * of their own that speak the real peer protocol.
 */
final class OwnershipCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  final Path dir;
  final MutableClock clock = new MutableClock();
  final Set<String> trusted = ConcurrentHashMap.newKeySet();
  final TrustWeights trust = id -> trusted.contains(id) ? 1.0 : 0.0;
  final List<Node> nodes = new ArrayList<>();
  final List<TestPeer> hostiles = new ArrayList<>();
  final TestNetwork net;
  /** More node settings (not network parameters) every node of this cluster starts with. */
  private final Map<String, String> nodeSettings;

  OwnershipCluster(Path dir) throws Exception {
    this(dir, Map.of());
  }

  OwnershipCluster(Path dir, Map<String, String> nodeSettings) throws Exception {
    this.dir = dir;
    this.nodeSettings = Map.copyOf(nodeSettings);
    this.net = new TestNetwork(NetworkParams.fromConfig(config(dir.resolve("params"), List.of(),
        Map.of())));
  }

  private static Config config(Path dataDir, List<String> bootstrap, Map<String, String> extra)
      throws Exception {
    // These tests are about the ownership rules among nodes that hold the names; the vote a
    // node with an empty store takes its records by (node.bootstrap-peers) is another defence,
    // switched off here so that what is tested is these rules alone.
    Config.Builder b = TestNodes.config(dataDir, bootstrap)
        .set("node.bootstrap-peers", "0")
        .set("network.clock-skew", "2s")
        .set("network.grace-period", "10m");
    for (Map.Entry<String, String> e : extra.entrySet()) {
      b.set(e.getKey(), e.getValue());
    }
    return b.build();
  }

  long now() {
    return clock.instant().getEpochSecond();
  }

  /** Starts (or restarts, same data dir) an honest, trusted node that dials {@code bootstrap}. */
  Node start(String name, Node... bootstrap) throws Exception {
    return start(name, true, bootstrap);
  }

  Node start(String name, boolean trustIt, Node... bootstrap) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    List<String> targets = new ArrayList<>();
    for (Node b : bootstrap) {
      targets.add(pinned(b));
    }
    Node n = Node.start(NodeConfig.from(config(d, targets, nodeSettings), dir, Optional.empty()),
        clock, trust);
    if (trustIt) {
      trusted.add(n.identity().nodeId());
    }
    nodes.add(n);
    return n;
  }

  /** A fresh commitment salt. */
  static byte[] salt() {
    byte[] s = new byte[16];
    RANDOM.nextBytes(s);
    return s;
  }

  /** One A record at the apex of {@code name}. */
  static List<org.xbill.DNS.Record> a(String name, String ip) {
    return TestNetwork.rrs(name, "@ 300 IN A " + ip);
  }

  static String pinned(Node n) {
    return n.identity().nodeId() + "@127.0.0.1:" + n.peerNetwork().boundAddress().getPort();
  }

  static DialTarget target(Node n) {
    return DialTarget.pinned(n.identity().nodeId(),
        new PeerAddress("127.0.0.1", n.peerNetwork().boundAddress().getPort()));
  }

  /** A hostile peer: its own key and node id, linked to {@code node} by the real handshake. */
  TestPeer hostile(String name, Node node) throws Exception {
    TestPeer p = new TestPeer(dir.resolve(name), Ed25519Keys.generate(),
        net.networkId(), List.of(target(node)), TestPeer.fast());
    hostiles.add(p);
    await().atMost(WAIT).until(() -> p.network.link(node.identity().nodeId()).isPresent());
    return p;
  }

  static void push(TestPeer from, Node to, SignedRecord r) {
    assertThat(from.network.link(to.identity().nodeId()).orElseThrow()
        .send(new PeerMessage.RecordPush(0, r.encoded()))).isTrue();
  }

  static void push(TestPeer from, Node to, Commitment c) {
    assertThat(from.network.link(to.identity().nodeId()).orElseThrow()
        .send(new PeerMessage.CommitmentPush(c.encode()))).isTrue();
  }

  static void awaitLinks(List<Node> group, int each) {
    await().atMost(WAIT).untilAsserted(() -> {
      for (Node n : group) {
        assertThat(n.peerNetwork().links()).hasSizeGreaterThanOrEqualTo(each);
      }
    });
  }

  static SubmitResult submit(Node n, SignedRecord r) throws Exception {
    return n.records().submit(r.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
  }

  static SubmitResult commit(Node n, Commitment c) throws Exception {
    return n.records().submitCommitment(c, Origin.CLIENT).get(10, TimeUnit.SECONDS);
  }

  /** Waits until every node of {@code group} holds exactly {@code r} for its name. */
  static void awaitEverywhere(List<Node> group, SignedRecord r) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      for (Node n : group) {
        assertThat(n.records().current(r.name())).as(n.identity().nodeId()).contains(r);
      }
    });
  }

  static void awaitWitnessed(List<Node> group, Commitment c) {
    await().atMost(WAIT).untilAsserted(() -> {
      for (Node n : group) {
        assertThat(n.records().witnessedCommitment(c.hash(), c.committedAt())).isTrue();
      }
    });
  }

  /** Waits until {@code n} has refused more records than {@code before}: a push was decided. */
  static void awaitRefusedMoreThan(Node n, long before) {
    await().atMost(WAIT).until(() -> n.records().refusedCount() > before);
  }

  @Override
  public void close() {
    for (TestPeer p : hostiles) {
      try {
        p.close();
      } catch (Exception e) {
        // Closing anyway.
      }
    }
    for (Node n : nodes) {
      n.close();
    }
  }
}

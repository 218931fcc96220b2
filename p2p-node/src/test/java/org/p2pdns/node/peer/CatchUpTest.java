package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.store.RecordStore.NameDigest;

/**
 * Real nodes in one JVM: records a node missed (it was down, it is new, or it was apart from the
 * others) reach it by catch-up when a link comes up; gossip alone would never resend them.
 */
class CatchUpTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final TestNetwork net = new TestNetwork();
  private final long now = Clock.systemUTC().instant().getEpochSecond();

  @TempDir
  Path tmp;

  private Node start(String name, List<String> bootstrap) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .build();
    return Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC());
  }

  private static String pinned(Node n) {
    return n.identity().nodeId() + "@127.0.0.1:" + n.peerNetwork().boundAddress().getPort();
  }

  /** Every held name with its record's digest, in name order. */
  private static Map<String, String> contents(Node n) {
    Map<String, String> out = new TreeMap<>();
    for (NameDigest nd : n.records().digests("", 1_000_000)) {
      out.put(nd.name(), HexFormat.of().formatHex(nd.digest()));
    }
    return out;
  }

  private List<SignedRecord> claims(Ed25519Keys.KeyPair owner, String prefix, int n) {
    List<SignedRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + i + ".p2p";
      out.add(net.claim(owner, name, now, TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.1")));
    }
    return out;
  }

  private static void submitAll(Node node, List<SignedRecord> records) throws Exception {
    List<CompletableFuture<SubmitResult>> results = new ArrayList<>();
    for (SignedRecord r : records) {
      results.add(node.records().submit(r.encoded(), Origin.CLIENT));
    }
    for (CompletableFuture<SubmitResult> f : results) {
      assertThat(f.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(SubmitResult.Outcome.STORED);
    }
  }

  @Test
  void aNodeThatWasDownCatchesUpAfterRestart() throws Exception {
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
    List<SignedRecord> before = claims(owner, "early", 20);
    Node a = start("a", List.of());
    Node b = start("b", List.of(pinned(a)));
    Node b2 = null;
    try {
      await().atMost(WAIT).until(() -> b.peerNetwork().links().size() == 1);
      submitAll(a, before);
      await().atMost(WAIT).until(() -> b.records().count() == 20);
      b.close();

      // While b is down: new names, and updates of names b holds.
      submitAll(a, claims(owner, "late", 30));
      List<SignedRecord> updates = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        SignedRecord prev = before.get(i);
        updates.add(net.update(prev, owner, now + 1,
            TestNetwork.rrs(prev.name() + ".", "@ 300 IN A 192.0.2.2")));
      }
      submitAll(a, updates);
      assertThat(a.records().count()).isEqualTo(50);

      b2 = start("b", List.of(pinned(a)));
      Node restarted = b2;
      assertThat(restarted.records().count()).isEqualTo(20); // what it had on disk
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(contents(restarted)).isEqualTo(contents(a)));
      for (SignedRecord u : updates) {
        assertThat(restarted.records().current(u.name())).contains(u);
      }
      assertThat(restarted.records().refusedCount()).isZero();
    } finally {
      if (b2 != null) {
        b2.close();
      }
      a.close();
    }
  }

  @Test
  void aNewNodeGetsTheWholeStoreOfAThreeNodeNetwork() throws Exception {
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(start("n0", List.of()));
      nodes.add(start("n1", List.of(pinned(nodes.get(0)))));
      nodes.add(start("n2", List.of(pinned(nodes.get(1)))));
      await().atMost(WAIT).until(() ->
          nodes.stream().allMatch(n -> n.peerNetwork().links().size() == 2));
      submitAll(nodes.get(0), claims(Ed25519Keys.generate(), "bulk", 300));
      await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> n.records().count() == 300));

      Node fresh = start("n3", List.of(pinned(nodes.get(2))));
      nodes.add(fresh);
      Map<String, String> expected = contents(nodes.get(0));
      await().atMost(WAIT).untilAsserted(() -> assertThat(contents(fresh)).isEqualTo(expected));
      assertThat(fresh.records().refusedCount()).isZero();

      // p2pdns status shows the catch-up.
      try (NodeClient client = new NodeClient(fresh.controlEndpoint())) {
        NodeResponse.Status status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.fields()).anySatisfy(f -> {
          assertThat(f.key()).isEqualTo("catch-up");
          assertThat(f.value()).startsWith("held 300, peer has 300, received ");
        });
      }
    } finally {
      for (Node n : nodes) {
        n.close();
      }
    }
  }

  @Test
  void aPeerBreakingTheCatchUpProtocolIsPenalizedAndRecordsStayIntact() throws Exception {
    Node a = start("a", List.of());
    try (TestPeer raw = new TestPeer(tmp.resolve("raw"), Ed25519Keys.generate(),
        net.networkId(), List.of(DialTarget.parse(pinned(a))), TestPeer.fast())) {
      submitAll(a, claims(Ed25519Keys.generate(), "kept", 3));
      await().atMost(WAIT).until(() -> raw.network.link(a.identity().nodeId()).isPresent());
      PeerLink link = raw.network.link(a.identity().nodeId()).orElseThrow();
      PeerScore score = a.peerNetwork().score();
      // A step outside any session (the raw peer never answers a START), a batch of no records,
      // an acknowledgement of nothing: each one costs the peer score.
      List<PeerMessage.Reconcile> violations = List.of(
          new PeerMessage.Reconcile(CatchUp.TYPE_STEP, new byte[] {1, 2}),
          new PeerMessage.Reconcile(CatchUp.TYPE_RECORDS, new byte[2]),
          new PeerMessage.Reconcile(CatchUp.TYPE_ACK, new byte[0]));
      for (PeerMessage.Reconcile bad : violations) {
        int before = score.score(raw.id());
        assertThat(link.send(bad)).isTrue();
        await().atMost(WAIT).until(() -> score.score(raw.id()) < before);
      }
      assertThat(a.records().count()).isEqualTo(3);
      assertThat(a.catchUp().summary()).startsWith("held 3, ");
    } finally {
      a.close();
    }
  }

  @Test
  void twoNodesMissingDifferentRecordsConverge() throws Exception {
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
    Node a = start("a", List.of());
    Node b = start("b", List.of());
    try {
      List<SignedRecord> shared = claims(owner, "shared", 15);
      submitAll(a, shared);
      submitAll(b, shared);
      submitAll(a, claims(owner, "onlya", 25));
      submitAll(b, claims(owner, "onlyb", 35));
      // One name in a newer version at a, another at b.
      SignedRecord newerAtA = net.update(shared.get(0), owner, now + 1,
          TestNetwork.rrs(shared.get(0).name() + ".", "@ 300 IN A 192.0.2.9"));
      SignedRecord newerAtB = net.update(shared.get(1), owner, now + 1,
          TestNetwork.rrs(shared.get(1).name() + ".", "@ 300 IN A 192.0.2.8"));
      submitAll(a, List.of(newerAtA));
      submitAll(b, List.of(newerAtB));
      assertThat(contents(a)).isNotEqualTo(contents(b));

      b.peerNetwork().connect(DialTarget.parse(pinned(a))).get(30, TimeUnit.SECONDS);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(a.records().count()).isEqualTo(75);
        assertThat(contents(b)).isEqualTo(contents(a));
      });
      assertThat(a.records().current(newerAtB.name())).contains(newerAtB);
      assertThat(b.records().current(newerAtA.name())).contains(newerAtA);
    } finally {
      b.close();
      a.close();
    }
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeErrorException;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;

/** Real nodes in one JVM, linked by their peer networks: records reach every node. */
class NodeNetworkTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final TestNetwork net = new TestNetwork();

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

  @Test
  void aRecordRegisteredAtOneNodeReachesEveryNodeAndUpdatesFollow() throws Exception {
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(start("n0", List.of()));
      for (int i = 1; i < 5; i++) {
        nodes.add(start("n" + i, List.of(pinned(nodes.get(i - 1)))));
      }
      await().atMost(WAIT).untilAsserted(() -> {
        for (Node n : nodes) {
          assertThat(n.peerNetwork().links()).hasSize(4);
          // A new node holds back what peers push until its vote on the store is over.
          assertThat(n.bootstrap().map(Bootstrap::done)).contains(true);
        }
      });

      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      long now = Clock.systemUTC().instant().getEpochSecond();
      SignedRecord claim = net.claim(owner, "gossip.p2p", now,
          TestNetwork.rrs("gossip.p2p.", "@ 300 IN A 192.0.2.1"));
      long start = System.nanoTime();
      SubmitResult r = nodes.get(0).records().submit(claim.encoded(), Origin.CLIENT)
          .get(10, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.STORED);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(2)).untilAsserted(() -> {
        for (Node n : nodes) {
          assertThat(n.records().current("gossip.p2p")).contains(claim);
        }
      });
      org.slf4j.LoggerFactory.getLogger(NodeNetworkTest.class).info(
          "submit to present at all 5 nodes: {} ms", (System.nanoTime() - start) / 1_000_000);

      SignedRecord update = net.update(claim, owner, now + 1,
          TestNetwork.rrs("gossip.p2p.", "@ 300 IN A 192.0.2.2"));
      nodes.get(3).records().submit(update.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).untilAsserted(() -> {
        for (Node n : nodes) {
          assertThat(n.records().current("gossip.p2p")).contains(update);
        }
      });

      // Every node took each version once from the network, and refused none.
      for (Node n : nodes) {
        assertThat(n.records().refusedCount()).isZero();
      }

      // The query protocol reports the peers: Nodes lists self and the 4 others, connected.
      try (NodeClient client = new NodeClient(nodes.get(2).controlEndpoint())) {
        NodeResponse.Nodes answer = client.nodes().get(10, TimeUnit.SECONDS);
        assertThat(answer.nodes()).hasSize(5);
        assertThat(answer.nodes().get(0).state()).isEqualTo("self");
        Set<String> states = answer.nodes().subList(1, 5).stream()
            .map(NodeResponse.NodeEntry::state).collect(Collectors.toSet());
        assertThat(states).containsExactly("connected");
        NodeResponse.Status status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.fields()).anySatisfy(f -> {
          assertThat(f.key()).isEqualTo("peers");
          assertThat(f.value()).contains("4 links");
        });
      }
    } finally {
      for (Node n : nodes) {
        n.close();
      }
    }
  }

  @Test
  void connectOverTheQueryProtocolNeedsTheControlKey() throws Exception {
    try (Node a = start("a", List.of()); Node b = start("b", List.of());
        NodeClient client = new NodeClient(a.controlEndpoint())) {
      ControlKey key = ControlKey.read(tmp.resolve("a").resolve(ControlKey.FILE_NAME));
      ControlKey wrong = ControlKey.of(new byte[32]);
      String target = "127.0.0.1:" + b.peerNetwork().boundAddress().getPort();
      assertThatThrownBy(() -> client.connect(target, wrong, WAIT).get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(NodeErrorException.class)
          .hasMessageContaining("control key");
      assertThat(a.peerNetwork().links()).isEmpty();

      String otherId = org.p2pdns.common.crypto.NodeIds.idOf(Ed25519Keys.generate().publicKey());
      NodeResponse.Connect refused = client.connect(otherId + "@" + target, key, WAIT)
          .get(20, TimeUnit.SECONDS);
      assertThat(refused.connected()).isFalse();
      assertThat(refused.message()).contains("ID_MISMATCH");

      NodeResponse.Connect ok = client.connect(target, key, WAIT).get(20, TimeUnit.SECONDS);
      assertThat(ok.connected()).isTrue();
      assertThat(ok.nodeId()).isEqualTo(b.identity().nodeId());
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(b.peerNetwork().link(a.identity().nodeId())).isPresent());
      // The key file is the owner's alone.
      assertThat(Files.getPosixFilePermissions(tmp.resolve("a").resolve(ControlKey.FILE_NAME)))
          .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
  }

  @Test
  void recordsAreServedByNameAndByPage() throws Exception {
    try (Node a = start("a", List.of()); Node b = start("b", List.of(pinned(a)))) {
      long now = Clock.systemUTC().instant().getEpochSecond();
      List<SignedRecord> held = new ArrayList<>();
      for (String name : List.of("p1.p2p", "p2.p2p", "p3.p2p")) {
        SignedRecord r = net.claim(Ed25519Keys.generate(), name, now,
            TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.9"));
        a.records().submit(r.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
        held.add(r);
      }
      java.util.concurrent.BlockingQueue<PeerMessage.Records> answers =
          new java.util.concurrent.LinkedBlockingQueue<>();
      b.peerNetwork().addListener((link, m) -> {
        if (m instanceof PeerMessage.Records r) {
          answers.add(r);
        }
      });
      await().atMost(WAIT).until(() -> b.peerNetwork().link(a.identity().nodeId()).isPresent());
      PeerLink toA = b.peerNetwork().link(a.identity().nodeId()).orElseThrow();

      toA.send(new PeerMessage.RecordPage(1, "", 2));
      PeerMessage.Records page1 = answers.poll(20, TimeUnit.SECONDS);
      assertThat(page1).isNotNull();
      assertThat(page1.requestId()).isEqualTo(1);
      assertThat(page1.more()).isTrue();
      assertThat(page1.records()).containsExactly(held.get(0).encoded(), held.get(1).encoded());
      toA.send(new PeerMessage.RecordPage(2, "p2.p2p", 2));
      PeerMessage.Records page2 = answers.poll(20, TimeUnit.SECONDS);
      assertThat(page2.more()).isFalse();
      assertThat(page2.records()).containsExactly(held.get(2).encoded());

      toA.send(new PeerMessage.RecordsByName(3, List.of("p3.p2p", "nobody.p2p")));
      PeerMessage.Records byName = answers.poll(20, TimeUnit.SECONDS);
      assertThat(byName.requestId()).isEqualTo(3);
      assertThat(byName.records()).containsExactly(held.get(2).encoded());
    }
  }
}

package org.p2pdns.node.trust;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeErrorException;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;

/**
 * Real nodes in one JVM: endorsements made over the control protocol spread with the node list,
 * and a node that trusts an endorser lends weight to what it endorses, but nothing to a ring of
 * nodes that only endorse each other.
 */
class TrustNetworkTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private Node start(String name, List<String> bootstrap, String trust) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .set("node.trust", trust)
        .build();
    return Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC());
  }

  private static String pinned(Node n) {
    return n.identity().nodeId() + "@127.0.0.1:" + n.peerNetwork().boundAddress().getPort();
  }

  private ControlKey keyOf(String name) throws Exception {
    return ControlKey.read(tmp.resolve(name).resolve(ControlKey.FILE_NAME));
  }

  private static String id(Node n) {
    return n.identity().nodeId();
  }

  @Test
  void endorsementsSpreadAndLendWeightFromTrustedNodesOnly() throws Exception {
    List<Node> nodes = new ArrayList<>();
    try {
      Node b = start("b", List.of(), "");
      nodes.add(b);
      Node c = start("c", List.of(pinned(b)), "");
      nodes.add(c);
      Node h1 = start("h1", List.of(pinned(b)), "");
      nodes.add(h1);
      Node h2 = start("h2", List.of(pinned(b)), "");
      nodes.add(h2);
      try (NodeClient atB = new NodeClient(b.controlEndpoint());
          NodeClient atH1 = new NodeClient(h1.controlEndpoint());
          NodeClient atH2 = new NodeClient(h2.controlEndpoint())) {
        NodeResponse.Endorse r = atB.endorse(NodeRequest.Endorse.ENDORSE, id(c), keyOf("b"))
            .get(10, TimeUnit.SECONDS);
        assertThat(r.endorsed()).containsExactly(id(c));
        // The hostile pair endorse each other (and the trusted node, which changes nothing).
        atH1.endorse(NodeRequest.Endorse.ENDORSE, id(h2), keyOf("h1")).get(10, TimeUnit.SECONDS);
        atH2.endorse(NodeRequest.Endorse.ENDORSE, id(h1), keyOf("h2")).get(10, TimeUnit.SECONDS);
        atH2.endorse(NodeRequest.Endorse.ENDORSE, id(b), keyOf("h2")).get(10, TimeUnit.SECONDS);
        // Endorsing needs the node's own control key.
        assertThatThrownBy(() -> atB.endorse(NodeRequest.Endorse.ENDORSE, id(h1), keyOf("h1"))
            .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NodeErrorException.class)
            .hasMessageContaining("control key");
      }

      // A new node that trusts b learns every endorsement at link-up, from b alone.
      Node a = start("a", List.of(pinned(b)), id(b) + "=2");
      nodes.add(a);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(a.trust().weightOf(id(b))).isEqualTo(2.0);
        assertThat(a.trust().weightOf(id(c))).isEqualTo(1.0);
        assertThat(a.webOfTrust().all()).hasSize(3);
      });
      assertThat(a.trust().weightOf(id(h1))).isZero();
      assertThat(a.trust().weightOf(id(h2))).isZero();

      try (NodeClient atA = new NodeClient(a.controlEndpoint());
          NodeClient atB = new NodeClient(b.controlEndpoint())) {
        NodeResponse.Nodes listed = atA.nodes().get(10, TimeUnit.SECONDS);
        assertThat(listed.nodes()).filteredOn(n -> n.nodeId().equals(id(c)))
            .extracting(NodeResponse.NodeEntry::trustMilli).containsExactly(1000L);
        assertThat(listed.nodes()).filteredOn(n -> n.nodeId().equals(id(h1)))
            .extracting(NodeResponse.NodeEntry::trustMilli).containsExactly(0L);

        // The operator of a trusts h1 a little: h1's endorsement of h2 now lends h2 weight.
        NodeResponse.Trust t = atA.trust(NodeRequest.Trust.SET, id(h1), 500, keyOf("a"))
            .get(10, TimeUnit.SECONDS);
        assertThat(t.entries()).extracting(NodeResponse.TrustEntry::nodeId)
            .contains(id(b), id(c), id(h1), id(h2));
        assertThat(a.trust().weightOf(id(h2))).isEqualTo(0.25);

        // b withdraws its endorsement; the withdrawal spreads and c's weight is gone.
        atB.endorse(NodeRequest.Endorse.WITHDRAW, id(c), keyOf("b")).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() ->
            assertThat(a.trust().weightOf(id(c))).isZero());
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }
}

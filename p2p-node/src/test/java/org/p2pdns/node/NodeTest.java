package org.p2pdns.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.testing.QueryClient;

/** A whole node in this JVM, spoken to over its real control endpoint. */
class NodeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final TestNetwork NET = new TestNetwork();

  @TempDir
  Path dir;

  private NodeConfig config() throws Exception {
    Config c = Config.builder().set("node.data-dir", dir.resolve("data").toString())
        .set("node.control", "tcp://127.0.0.1:*")
        .set("network.pow-bits", Integer.toString(TestNetwork.TEST_POW_BITS)).build();
    return NodeConfig.from(c, dir, Optional.empty());
  }

  private static Map<String, String> status(QueryClient client, long id) throws Exception {
    NodeResponse.Status s = (NodeResponse.Status) client.call(new NodeRequest.Status(id), WAIT);
    return s.fields().stream().collect(Collectors.toMap(NodeResponse.Field::key,
        NodeResponse.Field::value));
  }

  @Test
  void aNodeAnswersInfoStatusNodesAndKeepsItsRecordsAndIdAcrossRestarts() throws Exception {
    SignedRecord r = NET.claim(Ed25519Keys.generate(), "example.p2p",
        Instant.now().getEpochSecond(), TestNetwork.rrs("example.p2p", "@ 300 IN A 192.0.2.1"));
    String nodeId;
    long bootId;
    try (Node node = Node.start(config(), Clock.systemUTC());
        QueryClient client = new QueryClient(node.controlEndpoint())) {
      nodeId = node.identity().nodeId();
      NodeResponse.Info info = (NodeResponse.Info) client.call(new NodeRequest.Info(1), WAIT);
      assertThat(info.nodeId()).isEqualTo(nodeId);
      assertThat(info.feedEndpoint()).isEqualTo(node.feedEndpoint()).doesNotEndWith("*");
      assertThat(NetworkParams.decode(info.networkParams())).isEqualTo(NET.params());
      assertThat(info.version()).isNotBlank();
      bootId = info.bootId();

      NodeResponse.Submit s = (NodeResponse.Submit) client.call(
          new NodeRequest.Submit(2, r.encoded()), WAIT);
      assertThat(s.status()).isEqualTo(NodeResponse.SubmitStatus.STORED);

      Map<String, String> st = status(client, 3);
      assertThat(st).containsEntry("node id", nodeId).containsEntry("records held", "1")
          .containsEntry("control endpoint", node.controlEndpoint())
          .containsEntry("data dir", dir.resolve("data").toString())
          .containsKeys("uptime", "network id", "version");
      assertThat(st.get("submissions")).startsWith("1 stored");
      assertThat(st.get("peers")).contains("not running");

      NodeResponse.Nodes nodes = (NodeResponse.Nodes) client.call(new NodeRequest.Nodes(4),
          WAIT);
      assertThat(nodes.nodes()).hasSize(1);
      assertThat(nodes.nodes().get(0).nodeId()).isEqualTo(nodeId);
    }
    try (Node node = Node.start(config(), Clock.systemUTC());
        QueryClient client = new QueryClient(node.controlEndpoint())) {
      NodeResponse.Info info = (NodeResponse.Info) client.call(new NodeRequest.Info(1), WAIT);
      assertThat(info.nodeId()).isEqualTo(nodeId);
      assertThat(info.bootId()).as("a new boot id per start").isNotEqualTo(bootId);
      NodeResponse.Lookup l = (NodeResponse.Lookup) client.call(
          new NodeRequest.Lookup(2, "example.p2p"), WAIT);
      assertThat(l.status()).isEqualTo(NodeResponse.LookupStatus.FOUND);
      assertThat(l.record()).isEqualTo(r.encoded());
    }
  }

  @Test
  void aSecondNodeOnTheSameDataDirIsRefusedAndLeavesTheFirstAlone() throws Exception {
    Path ready = dir.resolve("node.ready");
    NodeConfig first = NodeConfig.from(config().config(), dir, Optional.of(ready));
    try (Node node = Node.start(first, Clock.systemUTC())) {
      assertThatThrownBy(() -> Node.start(first, Clock.systemUTC()))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("another node is running with the data dir");
      assertThat(ready).as("the running node's ready file stays").exists();
      try (QueryClient client = new QueryClient(node.controlEndpoint())) {
        assertThat(((NodeResponse.Info) client.call(new NodeRequest.Info(1), WAIT)).nodeId())
            .isEqualTo(node.identity().nodeId());
      }
    }
    assertThat(ready).doesNotExist();
    // Released at close: the data dir can be used again.
    Node.start(first, Clock.systemUTC()).close();
  }
}

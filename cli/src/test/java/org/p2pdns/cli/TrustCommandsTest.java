package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.NodeConfig;

/**
 * The commands that change the node's trust (trust, endorse) and nodes, run as the CLI against
 * real nodes in this JVM (real control key in the data dir, real SQLite, real peer links).
 */
class TrustCommandsTest {
  @TempDir
  Path home;

  private Node start(String name, String bootstrap) throws Exception {
    Path dir = home.resolve(name);
    Files.createDirectories(dir);
    Config config = Config.builder()
        .set("node.data-dir", dir.toString())
        .set("node.listen", "127.0.0.1:0")
        .set("node.control", "tcp://127.0.0.1:*")
        .set("node.feed", "tcp://127.0.0.1:*")
        .set("node.bootstrap", bootstrap)
        .set("network.pow-bits", Integer.toString(TestNetwork.TEST_POW_BITS))
        .build();
    return Node.start(NodeConfig.from(config, home, Optional.empty()), Clock.systemUTC());
  }

  private static CliRun.Result run(CliRun cli, Node node, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--node";
    all[1] = node.controlEndpoint();
    all[2] = "--set";
    all[3] = "node.data-dir=" + node.config().dataDir();
    System.arraycopy(args, 0, all, 4, args.length);
    return cli.run(all);
  }

  @Test
  void trustEndorseAndNodesAgainstARealNode() throws Exception {
    CliRun cli = new CliRun(home, Clock.systemUTC());
    String stranger = NodeIds.idOf(Ed25519Keys.generate().publicKey());
    try (Node b = start("b", ""); Node a = start("a", b.identity().nodeId() + "@127.0.0.1:"
        + b.peerNetwork().boundAddress().getPort())) {
      String bId = b.identity().nodeId();

      CliRun.Result empty = run(cli, a, "trust", "--list");
      assertThat(empty.code()).as(empty.toString()).isZero();
      assertThat(empty.err()).contains("trusts no node yet");

      CliRun.Result set = run(cli, a, "trust", bId, "2.5");
      assertThat(set.code()).as(set.toString()).isZero();
      assertThat(set.out()).contains("now has operator weight 2.5");
      assertThat(a.trust().weightOf(bId)).isEqualTo(2.5);

      // b endorses a stranger; the endorsement reaches a, which lends it half of b's weight.
      CliRun.Result endorsed = run(cli, b, "endorse", stranger);
      assertThat(endorsed.code()).as(endorsed.toString()).isZero();
      assertThat(endorsed.out()).contains("endorsed node " + stranger);
      assertThat(run(cli, b, "endorse", "--list").out()).contains(stranger);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(a.trust().weightOf(stranger)).isEqualTo(1.25));

      CliRun.Result list = run(cli, a, "trust");
      assertThat(list.code()).as(list.toString()).isZero();
      assertThat(list.out()).contains(bId + "  2.5       2.5       -         operator (p2pdns "
          + "trust)").contains(stranger + "  1.25      -         -         endorsed by "
          + bId.substring(0, 16));

      CliRun.Result nodes = run(cli, a, "nodes");
      assertThat(nodes.code()).as(nodes.toString()).isZero();
      assertThat(nodes.out()).contains("TRUST").contains("BANNED UNTIL");
      assertThat(nodes.out().lines().filter(l -> l.startsWith(bId)).findFirst().orElseThrow())
          .contains("connected").contains(" 2.5 ").endsWith("-");

      CliRun.Result removed = run(cli, a, "trust", "--remove", bId);
      assertThat(removed.code()).as(removed.toString()).isZero();
      assertThat(a.trust().weightOf(bId)).isZero();
      assertThat(a.trust().weightOf(stranger)).isZero();

      // Bad input is a usage error and changes nothing; a wrong key is refused by the node.
      assertThat(run(cli, a, "trust", "not-a-node", "1").code()).isEqualTo(2);
      assertThat(run(cli, a, "trust", bId, "-1").code()).isEqualTo(2);
      assertThat(run(cli, a, "trust", bId, "1.0001").code()).isEqualTo(2);
      assertThat(run(cli, b, "endorse", bId).err()).contains("does not endorse itself");
      Path wrongKey = home.resolve("wrong.key");
      Files.writeString(wrongKey, "00".repeat(32) + "\n");
      CliRun.Result wrong = run(cli, a, "trust", bId, "1", "--control-key", wrongKey.toString());
      assertThat(wrong.code()).as(wrong.toString()).isEqualTo(1);
      assertThat(wrong.err()).contains("UNAUTHORIZED").contains("control key");
      assertThat(a.trust().weightOf(bId)).isZero();
      CliRun.Result noKey = run(cli, a, "trust", bId, "1", "--control-key",
          home.resolve("none").toString());
      assertThat(noKey.code()).isEqualTo(2);
      assertThat(noKey.err()).contains("no control key at");
    }
  }
}

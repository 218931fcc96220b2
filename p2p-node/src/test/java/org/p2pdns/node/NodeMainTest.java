package org.p2pdns.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import picocli.CommandLine;

class NodeMainTest {
  @TempDir
  Path dir;

  private static NodeMain parse(String... args) {
    NodeMain main = new NodeMain();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  @Test
  void layersApplyInOrderAndNamedFlagsFillTheirKeys() throws Exception {
    Path file = Files.writeString(dir.resolve("node.conf"), String.join("\n",
        "# a comment",
        "node.listen = 127.0.0.1:9001",
        "network.pow-bits = 10",
        "node.feed = tcp://127.0.0.1:9100"));
    NodeMain main = parse("--config", file.toString(), "--set", "network.pow-bits=12",
        "--listen", "127.0.0.1:9002", "--bootstrap", "127.0.0.1:9003,127.0.0.2:9004",
        "--data-dir", dir.resolve("data").toString(), "--control", "tcp://127.0.0.1:*");
    Config config = main.buildConfig(Map.of("P2PDNS_NETWORK_POW_BITS", "11",
        "P2PDNS_NODE_FEED", "tcp://127.0.0.1:9101"));
    assertThat(config.get(ConfigKeys.NETWORK_POW_BITS)).isEqualTo("12");
    assertThat(config.get(ConfigKeys.NODE_FEED)).isEqualTo("tcp://127.0.0.1:9101");
    assertThat(config.get(ConfigKeys.NODE_LISTEN)).isEqualTo("127.0.0.1:9002");
    assertThat(config.get(ConfigKeys.NODE_BOOTSTRAP)).isEqualTo("127.0.0.1:9003,127.0.0.2:9004");

    NodeConfig nc = NodeConfig.from(config, dir, Optional.empty());
    assertThat(nc.bootstrap()).containsExactly("127.0.0.1:9003", "127.0.0.2:9004");
    assertThat(nc.listen()).isEqualTo("127.0.0.1:9002");
    assertThat(nc.control()).isEqualTo("tcp://127.0.0.1:*");
    assertThat(nc.network().powBits()).isEqualTo(12);
    assertThat(nc.dataDir()).isEqualTo(dir.resolve("data"));
  }

  @Test
  void theDataDirMayStartAtHome() throws Exception {
    Config config = Config.builder().set("node.data-dir", "~/.p2pdns").build();
    assertThat(NodeConfig.from(config, dir, Optional.empty()).dataDir())
        .isEqualTo(dir.resolve(".p2pdns"));
  }

  @Test
  void badValuesAreRefusedWithTheKeyNamed() throws Exception {
    for (List<String> bad : List.of(
        List.of("node.listen", "nowhere"),
        List.of("node.listen", "127.0.0.1:70000"),
        List.of("node.control", "http://127.0.0.1:8002"),
        List.of("node.feed", "tcp://127.0.0.1:port"),
        List.of("node.bootstrap", "zz@127.0.0.1:8001"),
        List.of("node.bootstrap", "127.0.0.1"),
        List.of("network.pow-bits", "many"))) {
      Config config = Config.builder().set(bad.get(0), bad.get(1)).build();
      assertThatThrownBy(() -> NodeConfig.from(config, dir, Optional.empty()))
          .as(bad.toString()).isInstanceOf(ConfigException.class)
          .hasMessageContaining(bad.get(0));
    }
    String id = "ab".repeat(32);
    Config pinned = Config.builder().set("node.bootstrap", id + "@127.0.0.1:8001").build();
    assertThat(NodeConfig.from(pinned, dir, Optional.empty()).bootstrap())
        .containsExactly(id + "@127.0.0.1:8001");
  }

  @Test
  void badFlagsAndBadConfigurationExitWithTwo() {
    assertThat(new CommandLine(new NodeMain()).execute("--no-such-flag")).isEqualTo(2);
    assertThat(new CommandLine(new NodeMain()).execute("--set", "no.such.key=1")).isEqualTo(2);
    assertThat(new CommandLine(new NodeMain()).execute("--listen", "nowhere")).isEqualTo(2);
    assertThat(new CommandLine(new NodeMain()).execute("--config",
        dir.resolve("missing.conf").toString())).isEqualTo(2);
  }

  @Test
  void aNodeThatCannotStartExitsWithOne() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    assertThat(new CommandLine(new NodeMain()).execute("--data-dir", file.toString(),
        "--control", "tcp://127.0.0.1:*")).isEqualTo(1);
  }

  @Test
  void aControlEndpointInUseIsAStartFailureThatClosesWhatWasOpened() throws Exception {
    Config config = Config.builder().set("node.data-dir", dir.resolve("one").toString())
        .set("node.control", "tcp://127.0.0.1:*").build();
    try (Node one = Node.start(NodeConfig.from(config, dir, Optional.empty()),
        Clock.systemUTC())) {
      Config clash = Config.builder().set("node.data-dir", dir.resolve("two").toString())
          .set("node.control", one.controlEndpoint()).build();
      assertThatThrownBy(() -> Node.start(NodeConfig.from(clash, dir, Optional.empty()),
          Clock.systemUTC())).hasMessageContaining("control endpoint")
          .hasMessageContaining(one.controlEndpoint());
      // The failed start released the database: another start on it works.
      Config retry = Config.builder().set("node.data-dir", dir.resolve("two").toString())
          .set("node.control", "tcp://127.0.0.1:*").build();
      try (Node two = Node.start(NodeConfig.from(retry, dir, Optional.of(dir.resolve("r"))),
          Clock.systemUTC())) {
        assertThat(dir.resolve("r")).exists();
        assertThat(Files.readString(dir.resolve("r"))).contains("control="
            + two.controlEndpoint());
      }
      assertThat(dir.resolve("r")).doesNotExist();
    }
  }
}

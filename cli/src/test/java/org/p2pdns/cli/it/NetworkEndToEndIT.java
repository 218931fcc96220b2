package org.p2pdns.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.p2pdns.cli.it.DnsQueries.addresses;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.cli.it.DnsQueries.Server;
import org.p2pdns.cli.it.ScriptProcesses.Daemon;
import org.p2pdns.cli.it.ScriptProcesses.Run;

/**
 * The network of issue 3 through the real scripts: node processes ({@code scripts/p2p-node}),
 * one front-end per node ({@code scripts/dns-frontend}) and the CLI ({@code scripts/p2pdns}),
 * each node on its own loopback address (127.0.0.2 to 127.0.0.5), every port picked by the
 * daemon itself and read from its ready file. Nodes 2 and 3 join through node 1 (node 2 pins
 * node 1's id, node 3 does not); a name registered at node 1 resolves at node 3's front-end; node
 * 2 is killed with SIGKILL, the name is updated and another registered while it is down, and
 * after a restart on its data dir its front-end answers both; a fourth, empty node that knows only
 * node 3 ends up holding every name; node 1 lists the others with their addresses.
 *
 * <p>Only loopback traffic: the front-ends' upstream is a closed loopback UDP port, never the
 * system resolver.
 */
class NetworkEndToEndIT {
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** How long a change may take to reach every node and front-end (well above the real time). */
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  /** Small serial-GC heaps, C1 only: eight daemon JVMs start on a shared two-core machine. */
  private static final String JAVA_OPTS = "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
  private static final String POW_BITS = "network.pow-bits=8";

  @TempDir
  Path tmp;

  private ScriptProcesses scripts;
  private Path ownerKey;
  private String upstream;

  /** A node process as its ready file describes it. */
  private record NodeProcess(int n, Path dataDir, Daemon daemon, Map<String, String> ready) {
    String control() {
      return ready.get("control");
    }

    String peer() {
      return ready.get("peer");
    }

    String id() {
      return ready.get("node-id");
    }

    long pid() {
      return Long.parseLong(ready.get("pid"));
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    scripts = new ScriptProcesses(tmp).env("P2PDNS_JAVA_OPTS", JAVA_OPTS)
        .env("P2PDNS_LOG_LEVEL", null);
    ownerKey = tmp.resolve("owner.key");
    // A loopback UDP port nobody listens on: forwarded names fail fast, nothing leaves the host.
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      upstream = "127.0.0.1:" + s.getLocalPort();
    }
  }

  @AfterEach
  void tearDown() {
    scripts.close();
  }

  @Test
  void fourNodesOnTheirOwnAddressesRegisterResolveSurviveKillNineAndSyncANewcomer()
      throws Exception {
    // The scripts build what is stale; one at a time here, before eight of them start at once.
    for (String script : List.of("p2p-node", "dns-frontend", "p2pdns")) {
      Run built = scripts.run(BUILD_TIMEOUT, script, "--version");
      assertThat(built.code()).as(built.toString()).isZero();
    }

    Daemon d1 = startNode(1, "127.0.0.2:0", "tcp://127.0.0.1:*", Optional.empty());
    Run keygen = cli("--key", ownerKey.toString(), "keygen");
    assertThat(keygen.code()).as(keygen.toString()).isZero();
    NodeProcess node1 = awaitNode(1, d1);
    assertThat(node1.peer()).startsWith("127.0.0.2:");

    Daemon d2 = startNode(2, "127.0.0.3:0", "tcp://127.0.0.1:*",
        Optional.of(node1.id() + "@" + node1.peer()));
    Daemon d3 = startNode(3, "127.0.0.4:0", "tcp://127.0.0.1:*", Optional.of(node1.peer()));
    Daemon f1 = startFrontend(1, "127.0.0.2", node1.control());
    NodeProcess node2 = awaitNode(2, d2);
    NodeProcess node3 = awaitNode(3, d3);
    Daemon f2 = startFrontend(2, "127.0.0.3", node2.control());
    Daemon f3 = startFrontend(3, "127.0.0.4", node3.control());
    Server dns1 = awaitFrontend(1, f1);
    Server dns2 = awaitFrontend(2, f2);
    Server dns3 = awaitFrontend(3, f3);
    assertThat(dns3.host().getHostAddress()).isEqualTo("127.0.0.4");

    // Registered at node 1, answered by node 3's front-end.
    Run register = cli("--node", node1.control(), "--key", ownerKey.toString(), "register",
        "example.p2p", "--a", "192.0.2.1", "--ttl", "300");
    assertThat(register.code()).as(register.toString()).isZero();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(
        () -> assertThat(addresses(dns3, "example.p2p")).containsExactly("192.0.2.1"));
    // Node 2's front-end answers (and caches for 300 s) the first version.
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(
        () -> assertThat(addresses(dns2, "example.p2p")).containsExactly("192.0.2.1"));

    // kill -9 node 2, as a crash would; its ready file stays behind.
    ProcessHandle.of(node2.pid()).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(node2.pid())
        .map(h -> !h.isAlive()).orElse(true));

    // While it is down: an update at node 1, a new name at node 3.
    Run update = cli("--node", node1.control(), "--key", ownerKey.toString(), "update",
        "example.p2p", "--a", "192.0.2.2");
    assertThat(update.code()).as(update.toString()).isZero();
    Run second = cli("--node", node3.control(), "--key", ownerKey.toString(), "register",
        "second.p2p", "--a", "192.0.2.3", "--ttl", "300");
    assertThat(second.code()).as(second.toString()).isZero();

    // Restart on the same data dir, peer address and control endpoint (the front-end's); the
    // stale ready file is replaced by the new process's.
    Files.deleteIfExists(node2.dataDir().resolve("node.ready"));
    Daemon d2again = startNode(2, node2.peer(), node2.control(),
        Optional.of(node1.id() + "@" + node1.peer()));
    NodeProcess node2again = awaitNode(2, d2again);
    assertThat(node2again.id()).isEqualTo(node2.id());
    // Its front-end, which never restarted, answers what changed while its node was down.
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(addresses(dns2, "example.p2p")).containsExactly("192.0.2.2");
      assertThat(addresses(dns2, "second.p2p")).containsExactly("192.0.2.3");
    });

    // A fourth node, empty, that knows only node 3, ends up with every name.
    Daemon d4 = startNode(4, "127.0.0.5:0", "tcp://127.0.0.1:*",
        Optional.of(node3.id() + "@" + node3.peer()));
    NodeProcess node4 = awaitNode(4, d4);
    Daemon f4 = startFrontend(4, "127.0.0.5", node4.control());
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Run domains = cli("--node", node4.control(), "domains");
      assertThat(domains.code()).as(domains.toString()).isZero();
      assertThat(domains.out().lines()).containsExactlyInAnyOrder("example.p2p", "second.p2p");
    });
    Run show = cli("--node", node4.control(), "show", "example.p2p");
    assertThat(show.code()).as(show.toString()).isZero();
    assertThat(show.out()).contains("serial:    2").contains("192.0.2.2")
        .contains("verified:  yes");
    Server dns4 = awaitFrontend(4, f4);
    assertThat(addresses(dns4, "example.p2p")).containsExactly("192.0.2.2");
    assertThat(addresses(dns4, "second.p2p")).containsExactly("192.0.2.3");

    // Node 1 knows every other node, where it listens, and is linked to each.
    Map<String, String> expected = Map.of(node2.id(), node2.peer(), node3.id(), node3.peer(),
        node4.id(), node4.peer());
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Run nodes = cli("--node", node1.control(), "nodes");
      assertThat(nodes.code()).as(nodes.toString()).isZero();
      Map<String, String> listed = nodeTable(nodes.out());
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertThat(listed.get(e.getKey())).as("node %s in\n%s", e.getKey(), nodes.out())
            .isEqualTo(e.getValue() + " connected");
      }
    });
  }

  /** {@code p2pdns nodes} output as node id to "ADDRESS STATE". */
  private static Map<String, String> nodeTable(String out) {
    Map<String, String> rows = new HashMap<>();
    out.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty()).forEach(l -> {
      String[] f = l.split("\\s+");
      if (f.length >= 3) {
        rows.put(f[0], f[1] + " " + f[2]);
      }
    });
    return rows;
  }

  private Run cli(String... args) throws IOException, InterruptedException {
    return scripts.run(CLI_TIMEOUT, "p2pdns", args);
  }

  private Daemon startNode(int n, String listen, String control, Optional<String> bootstrap)
      throws IOException {
    Path data = tmp.resolve("node" + n);
    List<String> args = new java.util.ArrayList<>(List.of("--data-dir", data.toString(),
        "--listen", listen, "--control", control, "--set", "node.feed=tcp://127.0.0.1:*",
        "--set", POW_BITS, "--set", "network.clock-skew=1s",
        "--ready-file", data.resolve("node.ready").toString()));
    bootstrap.ifPresent(b -> args.addAll(List.of("--bootstrap", b)));
    return scripts.start("node" + n, "p2p-node", args.toArray(String[]::new));
  }

  private NodeProcess awaitNode(int n, Daemon d) throws IOException, InterruptedException {
    Path data = tmp.resolve("node" + n);
    Map<String, String> ready = ScriptProcesses.awaitReady(d, data.resolve("node.ready"),
        START_TIMEOUT);
    return new NodeProcess(n, data, d, ready);
  }

  private Daemon startFrontend(int n, String host, String control) throws IOException {
    return scripts.start("frontend" + n, "dns-frontend", "--listen", host + ":0", "--node",
        control, "--upstream", upstream, "--set", "frontend.node-timeout=1s",
        "--ready-file", tmp.resolve("frontend" + n + ".ready").toString());
  }

  private Server awaitFrontend(int n, Daemon d) throws IOException, InterruptedException {
    Map<String, String> ready = ScriptProcesses.awaitReady(d,
        tmp.resolve("frontend" + n + ".ready"), START_TIMEOUT);
    Server s = Server.parse(ready.get("dns"));
    assertThat(s.host()).isNotEqualTo(InetAddress.getByName("127.0.0.1"));
    return s;
  }
}

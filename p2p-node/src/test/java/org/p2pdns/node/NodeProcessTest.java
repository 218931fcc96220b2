package org.p2pdns.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.testing.QueryClient;

/**
 * The node as its own process, started as scripts/p2p-node starts it: everything it acknowledged
 * is there after {@code kill -9}; a SIGTERM stops it cleanly and removes the ready file.
 */
class NodeProcessTest {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TestNetwork NET = new TestNetwork();

  @TempDir
  Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process startNode(Path dataDir, Path readyFile, int run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
        "--data-dir", dataDir.toString(),
        "--control", "tcp://127.0.0.1:*",
        "--ready-file", readyFile.toString(),
        "--set", "network.pow-bits=" + TestNetwork.TEST_POW_BITS);
    // The test classpath carries logback-test.xml (WARN); the check below reads INFO lines.
    pb.environment().put("P2PDNS_LOG_LEVEL", "INFO");
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("node-" + run + ".log").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private Map<String, String> awaitReady(Process p, Path readyFile, int run) {
    Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .failFast("the node exited; see " + dir.resolve("node-" + run + ".log"),
            () -> !p.isAlive())
        .until(() -> Files.exists(readyFile));
    Map<String, String> ready = new HashMap<>();
    try {
      for (String line : Files.readAllLines(readyFile)) {
        int eq = line.indexOf('=');
        ready.put(line.substring(0, eq), line.substring(eq + 1));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(ready).containsKeys("pid", "control", "feed", "node-id");
    assertThat(ready.get("pid")).isEqualTo(Long.toString(p.pid()));
    assertThat(ready.get("control")).matches("tcp://127\\.0\\.0\\.1:\\d+");
    return ready;
  }

  @Test
  void everyAcknowledgedRecordSurvivesKillDashNine() throws Exception {
    Path dataDir = dir.resolve("data");
    Path readyFile = dir.resolve("node.ready");
    long now = Instant.now().getEpochSecond();
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();

    Process first = startNode(dataDir, readyFile, 1);
    Map<String, String> ready = awaitReady(first, readyFile, 1);
    Map<String, SignedRecord> expected = new HashMap<>();
    try (QueryClient client = new QueryClient(ready.get("control"))) {
      long id = 1;
      for (int i = 0; i < 12; i++) {
        String name = "kill" + i + ".p2p";
        SignedRecord r = NET.claim(owner, name, now, TestNetwork.rrs(name, "@ 300 IN A 192.0.2."
            + (i + 1)));
        if (i % 3 == 0) {
          // Some names move on to serial 2, so the check below sees the latest version survive.
          assertStored(client.call(new NodeRequest.Submit(id++, r.encoded()), WAIT));
          r = NET.update(r, owner, now, TestNetwork.rrs(name, "@ 300 IN A 198.51.100.1"));
        }
        assertStored(client.call(new NodeRequest.Submit(id++, r.encoded()), WAIT));
        expected.put(name, r);
      }
    }
    first.destroyForcibly();
    assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
    // A killed node cannot remove its ready file; the next start must not be mistaken for it.
    Files.deleteIfExists(readyFile);

    Process second = startNode(dataDir, readyFile, 2);
    Map<String, String> again = awaitReady(second, readyFile, 2);
    assertThat(again.get("node-id")).as("same node key").isEqualTo(ready.get("node-id"));
    try (QueryClient client = new QueryClient(again.get("control"))) {
      long id = 1000;
      for (Map.Entry<String, SignedRecord> e : expected.entrySet()) {
        NodeResponse.Lookup l = (NodeResponse.Lookup) client.call(
            new NodeRequest.Lookup(id++, e.getKey()), WAIT);
        assertThat(l.status()).as(e.getKey()).isEqualTo(NodeResponse.LookupStatus.FOUND);
        SignedRecord got = RecordCodec.decode(l.record());
        assertThat(got.serial()).as(e.getKey()).isEqualTo(e.getValue().serial());
        assertThat(got).isEqualTo(e.getValue());
      }
      NodeResponse.Names names = (NodeResponse.Names) client.call(
          new NodeRequest.ListNames(id++, "", 100), WAIT);
      assertThat(names.names()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    // A clean stop: SIGTERM, the shutdown hook closes the node and removes the ready file.
    second.destroy();
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(readyFile).doesNotExist();
    assertThat(Files.readString(dir.resolve("node-2.log"))).contains("stopped");
  }

  private static void assertStored(NodeResponse r) {
    assertThat(r).isInstanceOf(NodeResponse.Submit.class);
    NodeResponse.Submit s = (NodeResponse.Submit) r;
    assertThat(s.status()).as(s.message()).isEqualTo(NodeResponse.SubmitStatus.STORED);
  }
}

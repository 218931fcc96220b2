package org.p2pdns.frontend.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.frontend.Frontend;
import org.p2pdns.frontend.FrontendConfig;
import org.p2pdns.frontend.testing.TestDnsServer;
import org.p2pdns.node.Node;
import org.p2pdns.node.NodeConfig;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The real node and the real front-end in one JVM, on 127.0.0.1 with ports chosen by the kernel,
 * speaking the real node query protocol: a record submitted to the node is answered by the
 * front-end over UDP and TCP, an update reaches the front-end through the change feed before the
 * TTL runs out, and the front-end rides out a node that stops and comes back.
 */
class NodeAndFrontendTest {
  private static final TestNetwork NETWORK = new TestNetwork();
  private static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();

  /**
   * Generous, as this machine is shared by parallel builds; how fast the front-end gives up on a
   * node is the front-end tests' business, here only "it does not hang" is checked.
   */
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);

  @TempDir Path dataDir;

  private final Clock clock = Clock.systemUTC();
  private Node node;
  private Frontend frontend;
  private TestDnsServer upstream;
  private String control;

  @BeforeEach
  void start() throws Exception {
    node = startNode("tcp://127.0.0.1:*");
    control = node.controlEndpoint();
    upstream = new TestDnsServer(TestNetwork.rrs("example.com.", "@ A 203.0.113.1"));
    frontend = Frontend.start(new FrontendConfig(new InetSocketAddress("127.0.0.1", 0), control,
        List.of(upstream.address()), List.of("p2p"), NODE_TIMEOUT,
        Duration.ofMillis(500), 10_000, 60, 86_400, Duration.ofMillis(200), 1232,
        Duration.ofSeconds(10), 100, 53, 2), clock, null);
    await().atMost(Duration.ofSeconds(10)).until(() -> frontend.node().isUp());
  }

  private Node startNode(String controlEndpoint) throws Exception {
    Config config = Config.builder()
        .set("node.data-dir", dataDir.toString())
        .set("node.control", controlEndpoint)
        .set("node.listen", "127.0.0.1:0")
        .set("network.pow-bits", String.valueOf(TestNetwork.TEST_POW_BITS))
        .build();
    return Node.start(NodeConfig.from(config, dataDir, Optional.empty()), clock);
  }

  @AfterEach
  void stop() throws IOException {
    if (frontend != null) {
      frontend.close();
    }
    if (node != null) {
      node.close();
    }
    upstream.close();
  }

  private void submit(SignedRecord record) throws Exception {
    try (NodeClient client = new NodeClient(control)) {
      NodeResponse.Submit r = client.submit(record.encoded()).get(10, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.message()).isEqualTo(NodeResponse.SubmitStatus.STORED);
    }
  }

  private Message ask(String name, int type, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(frontend.dnsAddress());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type,
        DClass.IN)));
  }

  private static List<String> answers(Message m) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
    }
    return out;
  }

  @Test
  void aRecordSubmittedToTheNodeIsAnsweredOverUdpAndTcp() throws Exception {
    long now = clock.instant().getEpochSecond();
    submit(NETWORK.claim(OWNER, "example.p2p", now, TestNetwork.rrs("example.p2p",
        "@ 300 A 192.0.2.1", "@ 300 AAAA 2001:db8::1", "www 300 A 192.0.2.2")));

    for (boolean tcp : new boolean[] {false, true}) {
      Message a = ask("example.p2p", Type.A, tcp);
      assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
      assertThat(answers(a)).containsExactly("example.p2p. A 192.0.2.1");
      assertThat(answers(ask("example.p2p", Type.AAAA, tcp)))
          .containsExactly("example.p2p. AAAA 2001:db8:0:0:0:0:0:1");
      assertThat(answers(ask("www.example.p2p", Type.A, tcp)))
          .containsExactly("www.example.p2p. A 192.0.2.2");
      Message nx = ask("nobody.p2p", Type.A, tcp);
      assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
      assertThat(nx.getSection(Section.AUTHORITY)).anyMatch(r -> r.getType() == Type.SOA);
    }
    assertThat(answers(ask("example.com", Type.A, false)))
        .containsExactly("example.com. A 203.0.113.1");
    assertThat(upstream.seen()).noneMatch(s -> s.name().endsWith("p2p"));
  }

  @Test
  void anUpdateReachesTheFrontendThroughTheChangeFeedBeforeTheTtlRunsOut() throws Exception {
    long now = clock.instant().getEpochSecond();
    SignedRecord v1 = NETWORK.claim(OWNER, "moving.p2p", now, TestNetwork.rrs("moving.p2p",
        "@ 3600 A 192.0.2.1"));
    submit(v1);
    assertThat(answers(ask("moving.p2p", Type.A, false)))
        .containsExactly("moving.p2p. A 192.0.2.1");

    submit(NETWORK.update(v1, OWNER, now, TestNetwork.rrs("moving.p2p", "@ 3600 A 192.0.2.99")));

    // The cached answer has an hour to live; only the change notice can replace it this soon.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertThat(answers(ask("moving.p2p", Type.A, false)))
            .containsExactly("moving.p2p. A 192.0.2.99"));
  }

  @Test
  void theFrontendRidesOutANodeThatStopsAndComesBack() throws Exception {
    long now = clock.instant().getEpochSecond();
    submit(NETWORK.claim(OWNER, "cached.p2p", now, TestNetwork.rrs("cached.p2p",
        "@ 3600 A 192.0.2.5")));
    submit(NETWORK.claim(OWNER, "later.p2p", now, TestNetwork.rrs("later.p2p",
        "@ 3600 A 192.0.2.6")));
    assertThat(answers(ask("cached.p2p", Type.A, false)))
        .containsExactly("cached.p2p. A 192.0.2.5");

    node.close();
    node = null;

    // Cached: still served. Not cached: SERVFAIL, quickly. Other names: still forwarded.
    assertThat(answers(ask("cached.p2p", Type.A, false)))
        .containsExactly("cached.p2p. A 192.0.2.5");
    long t0 = System.nanoTime();
    Message down = ask("later.p2p", Type.A, false);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(down.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(tookMs).as("SERVFAIL must not hang").isLessThan(NODE_TIMEOUT.toMillis() + 1_000);
    assertThat(answers(ask("example.com", Type.A, false)))
        .containsExactly("example.com. A 203.0.113.1");

    // The node comes back on the same endpoint with the same data dir: the front-end recovers
    // by itself, and the record stored before the stop is there.
    node = startNode(control);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(
        () -> assertThat(answers(ask("later.p2p", Type.A, false)))
            .containsExactly("later.p2p. A 192.0.2.6"));
  }
}

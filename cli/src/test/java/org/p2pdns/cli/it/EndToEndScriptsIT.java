package org.p2pdns.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import static org.p2pdns.cli.it.DnsQueries.answers;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.cli.it.DnsQueries.Server;
import org.p2pdns.cli.it.ScriptProcesses.Run;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The scripts as a user runs them, against the packaged jars: p2pdns-up, keygen, register,
 * queries over UDP and TCP, update, kill -9 of the node, p2pdns-up again, p2pdns-down. Only
 * 127.0.0.1 and ports the daemons pick themselves (port 0, tcp://127.0.0.1:*).
 */
class EndToEndScriptsIT {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

  @TempDir
  Path tmp;

  private ScriptProcesses scripts;

  @BeforeEach
  void setUp() {
    scripts = new ScriptProcesses(tmp);
  }

  private Run script(String name, String... args) throws IOException, InterruptedException {
    return scripts.run(SCRIPT_TIMEOUT, name, args);
  }

  private Map<String, String> ready(Path data, String which) throws IOException {
    return ScriptProcesses.readReady(data.resolve(which + ".ready"))
        .orElseThrow(() -> new AssertionError("no " + which + ".ready in " + data));
  }

  private static Message query(int port, boolean tcp, String name, int type) {
    return DnsQueries.query(new Server(InetAddress.getLoopbackAddress(), port), tcp, name, type);
  }

  private static int dnsPort(Map<String, String> frontendReady) {
    String dns = frontendReady.get("dns");
    return Integer.parseInt(dns.substring(dns.lastIndexOf(':') + 1));
  }

  @Test
  void aUserStartsRegistersQueriesUpdatesSurvivesKillNineAndStops() throws Exception {
    Path data = tmp.resolve("data");
    Path key = tmp.resolve("owner.key");
    String[] up = {"--data-dir", data.toString(), "--dns", "127.0.0.1:0", "--set",
        "node.control=tcp://127.0.0.1:*", "--set", "network.pow-bits=8", "--set",
        "node.listen=127.0.0.1:0", "--set", "network.clock-skew=1s"};
    // A clock skew of 1 s makes register's reveal delay 2 x 1 + 10 = 12 s (docs/security.md).
    try {
      Run started = script("p2pdns-up", up);
      assertThat(started.code()).as(started.toString()).isZero();
      Map<String, String> node = ready(data, "node");
      Map<String, String> frontend = ready(data, "frontend");
      int port = dnsPort(frontend);
      assertThat(port).isPositive();
      assertThat(started.out()).contains("dig @127.0.0.1 -p " + port + " example.p2p A");
      assertThat(data.resolve("node.pid")).exists();
      assertThat(data.resolve("frontend.pid")).exists();
      String control = node.get("control");
      assertThat(control).matches("tcp://127\\.0\\.0\\.1:\\d+");

      Run twice = script("p2pdns-up", up);
      assertThat(twice.code()).as(twice.toString()).isZero();
      assertThat(twice.out()).contains("already running");
      assertThat(ready(data, "node").get("pid")).isEqualTo(node.get("pid"));

      Run keygen = script("p2pdns", "--key", key.toString(), "keygen");
      assertThat(keygen.code()).as(keygen.toString()).isZero();
      assertThat(keygen.out().trim()).matches("[0-9a-f]{64}");

      Run register = script("p2pdns", "--node", control, "--key", key.toString(), "register",
          "example.p2p", "--a", "192.0.2.1", "--aaaa", "2001:db8::1", "--txt", "hello", "--mx",
          "10 mail.example.p2p", "--ttl", "300");
      assertThat(register.code()).as(register.toString()).isZero();
      assertThat(register.out()).startsWith("registered example.p2p (serial 1)");
      assertThat(register.err()).contains("step 1 of 2: committing").contains("waiting ")
          .contains("step 2 of 2: revealing");

      for (boolean tcp : new boolean[] {false, true}) {
        Message a = query(port, tcp, "example.p2p", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getHeader().getFlag(Flags.AA)).as("aa flag").isTrue();
        assertThat(answers(a)).containsExactly("192.0.2.1");
        assertThat(answers(query(port, tcp, "example.p2p", Type.AAAA)))
            .containsExactly("2001:db8:0:0:0:0:0:1");
        assertThat(answers(query(port, tcp, "example.p2p", Type.TXT)))
            .containsExactly("\"hello\"");
        assertThat(answers(query(port, tcp, "example.p2p", Type.MX)))
            .containsExactly("10 mail.example.p2p.");
        Message nx = query(port, tcp, "nobody.p2p", Type.A);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.AUTHORITY)).extracting(Record::getType)
            .contains(Type.SOA);
      }

      Run update = script("p2pdns", "--node", control, "--key", key.toString(), "update",
          "example.p2p", "--a", "192.0.2.2", "--txt", "updated");
      assertThat(update.code()).as(update.toString()).isZero();
      // The change feed tells the front-end at once; the old answer was cached for 300 s.
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(
          () -> assertThat(answers(query(port, false, "example.p2p", Type.A)))
              .containsExactly("192.0.2.2"));

      Run wrongKey = script("p2pdns", "--node", control, "--key", tmp.resolve("none").toString(),
          "update", "example.p2p", "--a", "192.0.2.66");
      assertThat(wrongKey.code()).isEqualTo(2);

      // kill -9 the node, as a crash would.
      long nodePid = Long.parseLong(Files.readString(data.resolve("node.pid")).trim());
      ProcessHandle.of(nodePid).ifPresent(ProcessHandle::destroyForcibly);
      await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(nodePid)
          .map(h -> !h.isAlive()).orElse(true));
      Run down = script("p2pdns", "--node", control, "--set", "cli.timeout=1s", "status");
      assertThat(down.code()).as(down.toString()).isEqualTo(3);
      assertThat(down.err()).contains(control);

      Run again = script("p2pdns-up", up);
      assertThat(again.code()).as(again.toString()).isZero();
      Map<String, String> node2 = ready(data, "node");
      assertThat(node2.get("pid")).isNotEqualTo(node.get("pid"));
      String control2 = node2.get("control");
      Run show = script("p2pdns", "--node", control2, "show", "example.p2p");
      assertThat(show.code()).as(show.toString()).isZero();
      assertThat(show.out()).contains("serial:    2").contains("192.0.2.2")
          .contains("verified:  yes");
      int port2 = dnsPort(ready(data, "frontend"));
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(
          () -> assertThat(answers(query(port2, true, "example.p2p", Type.A)))
              .containsExactly("192.0.2.2"));
      Run domains = script("p2pdns", "--node", control2, "domains");
      assertThat(domains.out().lines()).containsExactly("example.p2p");
    } finally {
      Run stopped = script("p2pdns-down", "--data-dir", data.toString());
      assertThat(stopped.code()).as(stopped.toString()).isZero();
    }
    assertThat(data.resolve("node.pid")).doesNotExist();
    assertThat(data.resolve("frontend.pid")).doesNotExist();
    Run stoppedAgain = script("p2pdns-down", "--data-dir", data.toString());
    assertThat(stoppedAgain.code()).isZero();
    assertThat(stoppedAgain.out()).contains("not running");
  }
}

package org.p2pdns.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.frontend.server.DnsServer;

/** Configuration, flags, exit codes, the ready file and binding. */
@Timeout(60)
class FrontendMainTest {
  @TempDir
  Path dir;

  private FrontendConfig configFor(String... assignments) throws Exception {
    return FrontendConfig.fromConfig(Config.builder().assignments(assignments).build(),
        dir.resolve("resolv.conf"));
  }

  @Test
  void upstreamsComeFromResolvConfWithoutPointingBackAtItself() throws Exception {
    Files.writeString(dir.resolve("resolv.conf"), String.join("\n",
        "# a comment", "search example.org", "nameserver 127.0.0.1", "nameserver 127.0.0.53",
        "nameserver ::1", "options edns0", ""));
    // The default listen address 127.0.0.1:53 is itself: skipped.
    assertThat(configFor().upstreams()).containsExactly(
        new InetSocketAddress("127.0.0.53", 53), new InetSocketAddress("::1", 53));
    // On another port, 127.0.0.1:53 is someone else.
    assertThat(configFor("frontend.listen=127.0.0.1:5353").upstreams()).contains(
        new InetSocketAddress("127.0.0.1", 53));
    // Listening on every address at port 53: no loopback resolver can be someone else.
    assertThat(configFor("frontend.listen=0.0.0.0:53").upstreams()).isEmpty();
    // Configured upstreams win over resolv.conf.
    assertThat(configFor("frontend.upstream=127.0.0.2:5300, 127.0.0.3").upstreams())
        .containsExactly(new InetSocketAddress("127.0.0.2", 5300),
            new InetSocketAddress("127.0.0.3", 53));
  }

  @Test
  void badValuesAreClearErrors() {
    assertThatThrownBy(() -> configFor("frontend.listen=127.0.0.1:99999"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("frontend.listen");
    assertThatThrownBy(() -> configFor("frontend.upstream=dns.example.com:53"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> configFor("frontend.node-timeout=soon"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("frontend.node-timeout");
  }

  @Test
  void badFlagsAndConfigurationExitWithTwo() {
    assertThat(FrontendMain.run("--no-such-flag")).isEqualTo(2);
    assertThat(FrontendMain.run("--set", "no.such.key=1")).isEqualTo(2);
    assertThat(FrontendMain.run("--listen", "not-an-address:53")).isEqualTo(2);
    assertThat(FrontendMain.run("--config", dir.resolve("missing.conf").toString()))
        .isEqualTo(2);
  }

  @Test
  void aPortInUseIsAStartFailureWithExitOneAndNoFallback() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(
        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
      int port = taken.getLocalPort();
      Path ready = dir.resolve("frontend.ready");
      assertThat(FrontendMain.run("--listen", "127.0.0.1:" + port, "--node",
          "tcp://127.0.0.1:1", "--upstream", "127.0.0.1:1", "--ready-file", ready.toString()))
          .isEqualTo(1);
      assertThat(ready).doesNotExist();
      FrontendConfig c = configFor("frontend.listen=127.0.0.1:" + port,
          "frontend.upstream=127.0.0.1:1", "frontend.node=tcp://127.0.0.1:1");
      assertThatThrownBy(() -> Frontend.start(c, Clock.systemUTC(), null))
          .isInstanceOf(DnsServer.BindFailure.class).hasMessageContaining("in use")
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }

  @Test
  void theReadyFileNamesTheRealPortAndGoesAwayOnStop() throws Exception {
    Path ready = dir.resolve("run/frontend.ready");
    FrontendConfig c = configFor("frontend.listen=127.0.0.1:0", "frontend.upstream=127.0.0.1:1",
        "frontend.node=tcp://127.0.0.1:1").withHeartbeat(Duration.ofMillis(100));
    try (Frontend f = Frontend.start(c, Clock.systemUTC(), ready)) {
      Map<String, String> kv = Files.readAllLines(ready).stream().map(l -> l.split("=", 2))
          .collect(Collectors.toMap(a -> a[0], a -> a[1]));
      assertThat(kv.get("pid")).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
      assertThat(kv.get("dns")).isEqualTo("127.0.0.1:" + f.dnsAddress().getPort());
      assertThat(f.dnsAddress().getPort()).isPositive();
      try (DirectoryStreamCloser files = new DirectoryStreamCloser(ready.getParent())) {
        assertThat(files.names()).containsExactly("frontend.ready");
      }
    }
    assertThat(ready).doesNotExist();
  }

  /** Lists a directory (no temporary files left behind). */
  private record DirectoryStreamCloser(Path dir) implements AutoCloseable {
    List<String> names() throws java.io.IOException {
      try (var s = Files.list(dir)) {
        return s.map(p -> p.getFileName().toString()).toList();
      }
    }

    @Override
    public void close() {}
  }
}

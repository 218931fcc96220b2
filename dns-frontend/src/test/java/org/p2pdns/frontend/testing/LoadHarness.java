package org.p2pdns.frontend.testing;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.frontend.Frontend;
import org.p2pdns.frontend.FrontendConfig;

/**
 * Not a test: starts a test node with {@code N} registered names and a front-end on a free port,
 * writes a dnsperf query file, and runs until killed. For quick load checks by hand:
 * {@code java -cp ... org.p2pdns.frontend.testing.LoadHarness 1000 /tmp/queries.txt}.
 */
public final class LoadHarness {
  private LoadHarness() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Path queries = Path.of(args[1]);
    TestNetwork network = new TestNetwork();
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
    TestNode node = new TestNode(network.params());
    long now = System.currentTimeMillis() / 1000;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = "name" + i + ".p2p";
      node.put(network.claim(owner, name, now, TestNetwork.rrs(name, "@ A 192.0.2.1")));
      lines.add(name + " A");
    }
    Files.write(queries, lines);
    FrontendConfig config = new FrontendConfig(new InetSocketAddress("127.0.0.1", 0),
        node.endpoint(), List.of(), List.of("p2p"), Duration.ofMillis(500),
        Duration.ofSeconds(2), 1_000_000, 60, 86_400, Duration.ofSeconds(1), 1232,
        Duration.ofSeconds(10), 1000, 53, Integer.parseInt(args.length > 2 ? args[2] : "0"), true);
    Frontend f = Frontend.start(config, Clock.systemUTC(), null);
    System.out.println("port " + f.dnsAddress().getPort());
    Thread.currentThread().join();
  }
}

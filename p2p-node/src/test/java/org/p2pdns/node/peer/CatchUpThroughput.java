package org.p2pdns.node.peer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;

/**
 * A measurement, not a test: a new, empty node joins a node holding RECORDS records (real nodes,
 * real TLS link on 127.0.0.1, test network of 6 proof-of-work bits) and catches up; prints the
 * time from start of the new node to holding every record, and the rate. Then a lagging node
 * that holds all but DIFF of them links up and catches up: time and reconciliation traffic.
 * The new node votes with one peer (node.bootstrap-peers 1: the listing, fetch by digest and
 * checks of docs/protocol.md 3.8b); the holder and the lagging node have a history and do not.
 * Arguments: RECORDS [DIFF].
 */
public final class CatchUpThroughput {
  private CatchUpThroughput() {}

  /** {@code votePeers}: node.bootstrap-peers (0: the node takes records as they come). */
  private static Node start(Path dir, List<String> bootstrap, int votePeers) throws Exception {
    Files.createDirectories(dir);
    Config config = Config.builder()
        .set("node.data-dir", dir.toString())
        .set("node.listen", "127.0.0.1:0")
        .set("node.control", "tcp://127.0.0.1:*")
        .set("node.feed", "tcp://127.0.0.1:*")
        .set("node.bootstrap", String.join(",", bootstrap))
        .set("network.pow-bits", Integer.toString(TestNetwork.TEST_POW_BITS))
        .set("node.bootstrap-peers", Integer.toString(votePeers))
        .build();
    return Node.start(NodeConfig.from(config, dir, Optional.empty()), Clock.systemUTC());
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int diff = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    TestNetwork net = new TestNetwork();
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    long now = Instant.now().getEpochSecond();
    Path tmp = Files.createTempDirectory("p2pdns-catchup");
    List<SignedRecord> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = "c" + i + ".p2p";
      all.add(net.claim(key, name, now, TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.1")));
    }
    try (Node holder = start(tmp.resolve("holder"), List.of(), 0)) {
      submitAll(holder, all);
      System.out.println("holder has " + holder.records().count() + " records");
      String pinned = holder.identity().nodeId() + "@127.0.0.1:"
          + holder.peerNetwork().boundAddress().getPort();
      long t0 = System.nanoTime();
      try (Node fresh = start(tmp.resolve("fresh"), List.of(pinned), 1)) {
        long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
        while (fresh.records().count() < n && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        int got = fresh.records().count();
        System.out.printf("new node: %d of %d records in %.2f s (%.0f records/s, from node "
            + "start)%n", got, n, s, got / s);
        System.out.println("bootstrap: " + fresh.bootstrap().map(b -> b.summary()).orElse("-"));
        System.out.println("catch-up status: " + fresh.catchUp().summary());
      }
      try (Node lagging = start(tmp.resolve("lagging"), List.of(), 0)) {
        submitAll(lagging, all.subList(0, n - diff));
        long t1 = System.nanoTime();
        lagging.peerNetwork().connect(org.p2pdns.common.peer.DialTarget.parse(pinned))
            .get(30, TimeUnit.SECONDS);
        long deadline = t1 + TimeUnit.MINUTES.toNanos(5);
        while (lagging.records().count() < n && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        System.out.printf("lagging node (held %d, lacked %d): caught up in %.3f s%n", n - diff,
            diff, (System.nanoTime() - t1) / 1e9);
        System.out.println("catch-up status: " + lagging.catchUp().summary());
      }
    }
  }

  /** Submits in slices below the record service's pending limit. */
  private static void submitAll(Node node, List<SignedRecord> records) throws Exception {
    for (int from = 0; from < records.size(); from += 5_000) {
      List<CompletableFuture<SubmitResult>> results = new ArrayList<>();
      for (SignedRecord r : records.subList(from, Math.min(records.size(), from + 5_000))) {
        results.add(node.records().submit(r.encoded(), Origin.CLIENT));
      }
      for (CompletableFuture<SubmitResult> f : results) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
  }
}

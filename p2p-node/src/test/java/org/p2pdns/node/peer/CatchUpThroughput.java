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
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;

/**
 * A measurement, not a test: a new, empty node joins a node holding RECORDS records (real nodes,
 * real TLS link on 127.0.0.1, test network of 6 proof-of-work bits) and catches up; prints the
 * time from start of the new node to holding every record, and the rate. Then a lagging node
 * that holds all but DIFF of them links up and catches up: time and reconciliation traffic.
 * The new node votes with HOLDERS peers (node.bootstrap-peers HOLDERS: the listing, fetch by digest and
 * checks of docs/protocol.md 3.8b); the holder and the lagging node have a history and do not.
 * Arguments: RECORDS [DIFF] [HOLDERS]: with HOLDERS above 1, that many nodes hold the store and
 * the new node votes with all of them (each distinct record is still fetched once).
 */
public final class CatchUpThroughput {
  private CatchUpThroughput() {}

  /** {@code votePeers}: node.bootstrap-peers (0: the node takes records as they come). */
  private static Node start(Path dir, List<String> bootstrap, int votePeers) throws Exception {
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .set("node.bootstrap-peers", Integer.toString(votePeers))
        .build();
    return Node.start(NodeConfig.from(config, dir, Optional.empty()), Clock.systemUTC());
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int diff = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int holders = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    TestNetwork net = new TestNetwork();
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    long now = Instant.now().getEpochSecond();
    Path tmp = Files.createTempDirectory("p2pdns-catchup");
    List<SignedRecord> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = "c" + i + ".p2p";
      all.add(net.claim(key, name, now, TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.1")));
    }
    List<Node> others = new ArrayList<>();
    List<String> voters = new ArrayList<>();
    try (Node holder = start(tmp.resolve("holder"), List.of(), 0)) {
      submitAll(holder, all);
      System.out.println("holder has " + holder.records().count() + " records");
      String pinned = holder.identity().nodeId() + "@127.0.0.1:"
          + holder.peerNetwork().boundAddress().getPort();
      voters.add(pinned);
      // More holders with the same store (filled the same way; not linked to each other).
      for (int h = 1; h < holders; h++) {
        Node other = start(tmp.resolve("holder" + h), List.of(), 0);
        others.add(other);
        submitAll(other, all);
        voters.add(other.identity().nodeId() + "@127.0.0.1:"
            + other.peerNetwork().boundAddress().getPort());
      }
      // Optional profile of the new node's phase alone: -Dcatchup.jfr=FILE.
      String jfr = System.getProperty("catchup.jfr");
      jdk.jfr.Recording recording = null;
      if (jfr != null) {
        recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        recording.start();
      }
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      java.util.Map<String, Long> threadCpu0 = threadCpu();
      // Sampled while the catch-up runs too: the bootstrap's threads end with it.
      java.util.Map<String, Long> threadCpuSeen = new java.util.HashMap<>(threadCpu0);
      long t0 = System.nanoTime();
      try (Node fresh = start(tmp.resolve("fresh"), voters, holders)) {
        long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (fresh.records().count() < n && System.nanoTime() < deadline) {
          Thread.sleep(20);
          if (System.nanoTime() >= nextReport) {
            nextReport += TimeUnit.SECONDS.toNanos(1);
            threadCpu().forEach((k, v) -> threadCpuSeen.merge(k, v, Math::max));
            System.out.printf("  %5.1f s: %s%n", (System.nanoTime() - t0) / 1e9,
                fresh.bootstrap().map(b -> b.summary()).orElse("-"));
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        int got = fresh.records().count();
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf("new node: %d of %d records in %.2f s (%.0f records/s, from node "
            + "start); CPU time of the whole process meanwhile %.1f s (both nodes)%n", got, n, s,
            got / s, cpu);
        threadCpu().forEach((k, v) -> threadCpuSeen.merge(k, v, Math::max));
        printThreadCpu(threadCpu0, threadCpuSeen);
        if (recording != null) {
          recording.dump(Path.of(jfr));
          recording.close();
        }
        System.out.println("bootstrap: " + fresh.bootstrap().map(b -> b.summary()).orElse("-"));
        System.out.println("catch-up status: " + fresh.catchUp().summary());
      }
      for (Node other : others) {
        other.close();
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

  /**
   * CPU nanoseconds by thread id and name, numbers folded to N so pools add up: from
   * /proc/self/task on Linux, which also sees the JVM's own threads (JIT compilers, GC) that
   * ThreadMXBean does not; empty elsewhere.
   */
  private static java.util.Map<String, Long> threadCpu() {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File t : tasks) {
      try {
        String stat = Files.readString(t.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "N");
        String[] f = stat.substring(close + 2).split(" ");
        // Fields 14 and 15 of stat (utime, stime), in clock ticks (100 per second here).
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        out.put(name + "#" + t.getName(), ticks * 10_000_000L);
      } catch (java.io.IOException | RuntimeException e) {
        // The thread ended meanwhile.
      }
    }
    return out;
  }

  /** CPU seconds by thread group (threads of both nodes together) spent between two samples. */
  private static void printThreadCpu(java.util.Map<String, Long> before,
      java.util.Map<String, Long> after) {
    java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
    after.forEach((k, v) -> byGroup.merge(k.substring(0, k.indexOf('#')),
        v - before.getOrDefault(k, 0L), Long::sum));
    StringBuilder sb = new StringBuilder("CPU s by thread:");
    byGroup.entrySet().stream().filter(e -> e.getValue() > 50_000_000L)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> sb.append(String.format(" %s %.1f;", e.getKey(), e.getValue() / 1e9)));
    System.out.println(sb);
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

package org.p2pdns.bench.net;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pdns.bench.load.BenchNames;
import org.p2pdns.bench.load.BenchRecordMaker;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The propagation benchmark of issue 3 (bench/propagation-bench.sh starts the node processes and
 * runs this): given the ready files of running nodes, it waits until every node is linked to
 * every other, subscribes to every node's change feed, then submits pre-signed claims one after
 * another, each at a random node, and measures for each the time from submission to its change
 * notice at every node. A record is "present at all nodes" when the last node has announced it.
 *
 * <p>Exit codes: 0 every measured record reached every node; 1 some did not (or the network never
 * formed); 2 bad usage; 3 a node unreachable or on another network.
 */
@Command(name = "propagation-benchmark", mixinStandardHelpOptions = true,
    description = "Measures the time from submitting a record at one node to its change notice "
        + "at every node of a running network.")
public final class PropagationBenchmark implements Callable<Integer> {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final Duration IDLE_BASELINE = Duration.ofSeconds(5);
  private static final int WARMUP_BATCH = 20;

  @Spec
  private CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "READY-FILE", arity = "1..*",
      description = "The nodes' ready files (pid, control, feed, node-id lines).")
  private List<Path> readyFiles;

  @Option(names = "--records", paramLabel = "M", defaultValue = "100",
      description = "Records measured (default: ${DEFAULT-VALUE}).")
  private int records;

  @Option(names = "--warmup", paramLabel = "W", defaultValue = "500",
      description = "Records submitted first, " + WARMUP_BATCH + " at a time, and not measured: "
          + "they check every feed end to end and warm the nodes' JITs, as in a node that has run "
          + "for a while (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(names = "--gap", paramLabel = "DURATION", defaultValue = "100ms",
      description = "Pause after a record reached every node, before the next (default: "
          + "${DEFAULT-VALUE}).")
  private String gap;

  @Option(names = "--record-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long one record may take to reach every node (default: "
          + "${DEFAULT-VALUE}).")
  private String recordTimeout;

  @Option(names = "--join-timeout", paramLabel = "DURATION", defaultValue = "180s",
      description = "How long the nodes may take to link to each other (default: "
          + "${DEFAULT-VALUE}).")
  private String joinTimeout;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the owner keys and of the choice of nodes (default: "
          + "${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Network configuration as the nodes' --set (network.* keys).")
  private List<String> assignments = new ArrayList<>();

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write one line per measured record here (tab-separated).")
  private Path out;

  /** One node, as its ready file says. */
  record NodeEndpoints(String id, String control, String feed, long pid) {
    static NodeEndpoints read(Path readyFile) throws IOException {
      Map<String, String> kv = new LinkedHashMap<>();
      for (String line : Files.readAllLines(readyFile, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          kv.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      for (String key : List.of("pid", "node-id", "control", "feed")) {
        if (!kv.containsKey(key)) {
          throw new IOException(readyFile + " has no " + key + " line");
        }
      }
      try {
        return new NodeEndpoints(kv.get("node-id"), kv.get("control"), kv.get("feed"),
            Long.parseLong(kv.get("pid")));
      } catch (NumberFormatException e) {
        throw new IOException(readyFile + ": pid '" + kv.get("pid") + "' is not a number");
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PropagationBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    NetworkParams params;
    Duration gapTime;
    Duration perRecord;
    Duration join;
    List<NodeEndpoints> nodes = new ArrayList<>();
    try {
      if (records < 1 || warmup < 1) {
        throw new IllegalArgumentException("--records and --warmup must be at least 1");
      }
      Config config = Config.builder().assignments(assignments.toArray(String[]::new)).build();
      params = NetworkParams.fromConfig(config);
      gapTime = Config.parseDuration(gap);
      perRecord = Config.parseDuration(recordTimeout);
      join = Config.parseDuration(joinTimeout);
      for (Path p : readyFiles) {
        nodes.add(NodeEndpoints.read(p));
      }
    } catch (ConfigException | IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    int n = nodes.size();
    List<NodeClient> clients = new ArrayList<>();
    try {
      for (NodeEndpoints e : nodes) {
        clients.add(new NodeClient(e.control(), Duration.ofSeconds(10), 1000));
      }
      Integer problem = checkNetwork(o, nodes, clients, params);
      if (problem != null) {
        return problem;
      }
      if (!awaitFullMesh(o, nodes, clients, join)) {
        return 1;
      }

      PropagationTracker tracker = new PropagationTracker(n);
      try (ChangeFeeds feeds = new ChangeFeeds(nodes.stream().map(NodeEndpoints::feed).toList(),
          tracker)) {
        List<Integer> unconnected = feeds.awaitConnected(Duration.ofSeconds(30));
        if (!unconnected.isEmpty()) {
          o.println("change feeds of nodes " + unconnected + " did not connect within 30 s");
          return 3;
        }
        o.printf("subscribed to %d change feeds%n", n);
        o.printf("making %d records (network.pow-bits=%d)%n", warmup + records,
            params.powBits());
        o.flush();
        BenchNames names = new BenchNames(params.suffixes().get(0), warmup + records, 300);
        List<SignedRecord> made = new BenchRecordMaker(params, names, seed,
            Instant.now().getEpochSecond()).makeAll(Runtime.getRuntime().availableProcessors());
        Random random = new Random(seed);

        o.printf("warm-up: %d records, %d at a time%n", warmup, WARMUP_BATCH);
        o.flush();
        long w0 = System.nanoTime();
        int warmMissed = 0;
        for (int first = 0; first < warmup; first += WARMUP_BATCH) {
          List<SignedRecord> batch = made.subList(first, Math.min(warmup, first + WARMUP_BATCH));
          warmMissed += warmUp(o, tracker, clients, batch, random, perRecord.multipliedBy(3));
        }
        o.printf("warm-up done in %.1f s; %d of %d reached every node%n",
            (System.nanoTime() - w0) / 1e9, warmup - warmMissed, warmup);
        if (warmMissed == warmup) {
          o.println("no warm-up record reached every node: not measuring");
          return 1;
        }

        // What the idle nodes spend (pings, maintenance), to tell it from what the records cost.
        long idleStart = System.nanoTime();
        long idleCpu0 = cpuNanos(nodes);
        Thread.sleep(IDLE_BASELINE.toMillis());
        double idleCpuPerSecond = (cpuNanos(nodes) - idleCpu0) / ((System.nanoTime() - idleStart)
            / 1e9);

        o.printf("measuring: %d records, one after another, each at a random node of %d%n",
            records, n);
        o.flush();
        List<Sample> samples = new ArrayList<>();
        long received0 = recordsReceived(clients);
        long[] gossip0 = gossipCounters(clients);
        long cpu0 = cpuNanos(nodes);
        long t0 = System.nanoTime();
        for (int i = 0; i < records; i++) {
          samples.add(submitAndWait(tracker, clients, made.get(warmup + i), random.nextInt(n),
              perRecord));
          if ((i + 1) % 20 == 0) {
            o.printf("  %d of %d%n", i + 1, records);
            o.flush();
          }
          Thread.sleep(gapTime.toMillis());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuNanos(nodes) - cpu0;
        report(o, samples, n, wall, tracker.unexpected() + feeds.unreadable());
        // Gross: it includes the nodes' JIT compilers and timers (the idle rate, measured just
        // before, says how much of that there is).
        o.printf("CPU of all %d nodes while measuring: %.1f s in %.1f s, %.1f ms per record "
                + "(%.2f ms per node); just before, idle: %.0f ms/s%n", n, cpu / 1e9, wall,
            cpu / 1e6 / records, cpu / 1e6 / records / n, idleCpuPerSecond / 1e6);
        long received1 = recordsReceived(clients);
        if (received0 >= 0 && received1 >= 0) {
          // Whole records received from peers (the nodes' gossip counters in their status),
          // copies included; the submitting node receives none of its own, ideally.
          o.printf("records received from peers while measuring: %d, %.2f per node per record "
              + "(flooding a full mesh: %d)%n", received1 - received0,
              (received1 - received0) / (double) records / (n - 1), n - 1);
        }
        long[] gossip1 = gossipCounters(clients);
        if (gossip0 != null && gossip1 != null) {
          // Frames the whole network sent per measured record, by kind (tree nodes only).
          double[] d = new double[GOSSIP_COUNTERS.length];
          for (int i = 0; i < d.length; i++) {
            d[i] = (gossip1[i] - gossip0[i]) / (double) records;
          }
          o.printf("gossip frames sent per record, whole network: RECORD %.1f, IHAVE %.1f "
              + "(%.1f digests), GRAFT %.2f, PRUNE %.2f; eager links per node now %.2f%n",
              d[0], d[1], d[2], d[3], d[4], gossip1[5] / (double) n);
        }
        if (out != null) {
          writeSamples(out, samples, n);
          o.println("per-record lines: " + out);
        }
        return samples.stream().allMatch(s -> s.propagation().allPresentNanos().isPresent())
            ? 0 : 1;
      }
    } finally {
      for (NodeClient c : clients) {
        c.close();
      }
      o.flush();
    }
  }

  /**
   * Submits a batch at random nodes without waiting in between (the nodes' JITs warm faster
   * under some load than one record at a time), then waits for each; returns how many did not
   * reach every node.
   */
  private static int warmUp(PrintWriter o, PropagationTracker tracker, List<NodeClient> clients,
      List<SignedRecord> batch, Random random, Duration max) throws InterruptedException {
    List<CompletableFuture<NodeResponse.Submit>> acks = new ArrayList<>();
    for (SignedRecord r : batch) {
      tracker.expect(r.name(), r.serial(), System.nanoTime());
      acks.add(clients.get(random.nextInt(clients.size())).submit(r.encoded()));
    }
    int missed = 0;
    long deadline = System.nanoTime() + max.toNanos();
    for (int i = 0; i < batch.size(); i++) {
      SignedRecord r = batch.get(i);
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!tracker.awaitEverywhere(r.name(), r.serial(), left)) {
        missed++;
        o.printf("  warm-up record %s reached %d of %d nodes (submit: %s)%n", r.name(),
            tracker.propagation(r.name(), r.serial()).reached(), clients.size(),
            acks.get(i).isDone() ? acks.get(i).handle((a, e) -> e == null ? a.status()
                : e.toString()).join() : "no answer yet");
      }
    }
    return missed;
  }

  /**
   * Whole records the nodes received from peers so far (the "N records received" of each node's
   * peers status line), summed; -1 when a node does not say.
   */
  /** What {@link #gossipCounters} reads from each node's "peers" status line, in order. */
  private static final java.util.regex.Pattern[] GOSSIP_COUNTERS = {
      java.util.regex.Pattern.compile("(\\d+) pushed"),
      java.util.regex.Pattern.compile("IHAVE (\\d+) sent"),
      java.util.regex.Pattern.compile("carried (\\d+) digests"),
      java.util.regex.Pattern.compile("GRAFT (\\d+) /"),
      java.util.regex.Pattern.compile("PRUNE (\\d+) /"),
      java.util.regex.Pattern.compile("tree (\\d+) eager")};

  /** The gossip tree's counters summed over the nodes; null when a node does not report them. */
  private static long[] gossipCounters(List<NodeClient> clients) {
    long[] sum = new long[GOSSIP_COUNTERS.length];
    for (NodeClient c : clients) {
      try {
        NodeResponse.Status st = c.status().get(10, java.util.concurrent.TimeUnit.SECONDS);
        String peers = null;
        for (NodeResponse.Field f : st.fields()) {
          if (f.key().equals("peers")) {
            peers = f.value();
          }
        }
        if (peers == null) {
          return null;
        }
        for (int i = 0; i < GOSSIP_COUNTERS.length; i++) {
          java.util.regex.Matcher m = GOSSIP_COUNTERS[i].matcher(peers);
          if (!m.find()) {
            return null;
          }
          sum[i] += Long.parseLong(m.group(1));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException e) {
        return null;
      }
    }
    return sum;
  }

  private static long recordsReceived(List<NodeClient> clients) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("(\\d+) records received");
    long sum = 0;
    for (NodeClient c : clients) {
      try {
        NodeResponse.Status st = c.status().get(10, java.util.concurrent.TimeUnit.SECONDS);
        long found = -1;
        for (NodeResponse.Field f : st.fields()) {
          java.util.regex.Matcher m = p.matcher(f.value());
          if (f.key().equals("peers") && m.find()) {
            found = Long.parseLong(m.group(1));
          }
        }
        if (found < 0) {
          return -1;
        }
        sum += found;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException e) {
        return -1;
      }
    }
    return sum;
  }

  /** CPU time used so far by the node processes together (0 for one that is gone). */
  private static long cpuNanos(List<NodeEndpoints> nodes) {
    long sum = 0;
    for (NodeEndpoints e : nodes) {
      sum += ProcessHandle.of(e.pid()).flatMap(h -> h.info().totalCpuDuration())
          .map(Duration::toNanos).orElse(0L);
    }
    return sum;
  }

  /** One measured submission. */
  record Sample(String name, int origin, String ack, long ackNanos,
      PropagationTracker.Propagation propagation) {}

  private static Sample submitAndWait(PropagationTracker tracker, List<NodeClient> clients,
      SignedRecord record, int origin, Duration max) throws InterruptedException {
    long serial = record.serial();
    long t0 = System.nanoTime();
    tracker.expect(record.name(), serial, t0);
    String ack;
    long ackNanos = -1;
    try {
      NodeResponse.Submit r = clients.get(origin).submit(record.encoded())
          .get(max.toMillis(), TimeUnit.MILLISECONDS);
      ackNanos = System.nanoTime() - t0;
      ack = r.status() == NodeResponse.SubmitStatus.STORED ? "stored"
          : r.status() + " " + r.message();
    } catch (ExecutionException | TimeoutException e) {
      ack = "no answer: " + e;
    }
    long left = Math.max(0, max.toNanos() - (System.nanoTime() - t0));
    tracker.awaitEverywhere(record.name(), serial, Duration.ofNanos(left));
    return new Sample(record.name(), origin, ack, ackNanos,
        tracker.propagation(record.name(), serial));
  }

  /** Checks that every node answers and runs the network of {@code --set}; null when fine. */
  private static Integer checkNetwork(PrintWriter o, List<NodeEndpoints> nodes,
      List<NodeClient> clients, NetworkParams params) throws InterruptedException {
    for (int i = 0; i < nodes.size(); i++) {
      NodeResponse.Info info;
      try {
        info = clients.get(i).info(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        o.println("node " + i + " at " + nodes.get(i).control() + " does not answer: " + e);
        return 3;
      }
      try {
        if (!Arrays.equals(NetworkParams.decode(info.networkParams()).networkId(),
            params.networkId())) {
          o.println("node " + i + " runs another network; give the benchmark the nodes' --set "
              + "values");
          return 3;
        }
      } catch (MalformedException e) {
        o.println("node " + i + " sent network parameters that do not decode: " + e);
        return 3;
      }
    }
    return null;
  }

  /**
   * Waits until every node lists every other node as connected. Returns false (after printing
   * which nodes lack whom) when that has not happened within {@code max}.
   */
  private static boolean awaitFullMesh(PrintWriter o, List<NodeEndpoints> nodes,
      List<NodeClient> clients, Duration max) throws InterruptedException {
    int n = nodes.size();
    long start = System.nanoTime();
    long lastPrint = 0;
    while (true) {
      int fullyKnown = 0;
      int fullyLinked = 0;
      long links = 0;
      List<String> lacking = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Set<String> known = new HashSet<>();
        Set<String> linked = new HashSet<>();
        try {
          for (NodeResponse.NodeEntry e : clients.get(i).nodes().get(10, TimeUnit.SECONDS)
              .nodes()) {
            known.add(e.nodeId());
            if (e.state().equals("connected")) {
              linked.add(e.nodeId());
            }
          }
        } catch (ExecutionException | TimeoutException e) {
          lacking.add("node " + i + " did not list its nodes: " + e.getMessage());
          continue;
        }
        int k = 0;
        int l = 0;
        for (int j = 0; j < n; j++) {
          if (j != i) {
            k += known.contains(nodes.get(j).id()) ? 1 : 0;
            l += linked.contains(nodes.get(j).id()) ? 1 : 0;
          }
        }
        links += l;
        fullyKnown += k == n - 1 ? 1 : 0;
        fullyLinked += l == n - 1 ? 1 : 0;
        if (l < n - 1) {
          lacking.add("node " + i + " knows " + k + " and is linked to " + l + " of " + (n - 1));
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      if (fullyLinked == n) {
        o.printf("network formed in %.1f s: every node knows and is linked to all %d others "
            + "(%d links)%n", secs, n - 1, links / 2);
        o.flush();
        return true;
      }
      if (secs > max.toSeconds()) {
        o.printf("after %.0f s: %d of %d nodes know every node, %d are linked to every node%n",
            secs, fullyKnown, n, fullyLinked);
        lacking.stream().limit(10).forEach(l -> o.println("  " + l));
        return false;
      }
      if (secs - lastPrint >= 5) {
        lastPrint = (long) secs;
        o.printf("  %.0f s: %d of %d nodes know every node, %d linked to every node%n", secs,
            fullyKnown, n, fullyLinked);
        o.flush();
      }
      Thread.sleep(500);
    }
  }

  private static void report(PrintWriter o, List<Sample> samples, int n, double wall,
      long unexpected) {
    List<Long> complete = new ArrayList<>();
    List<Long> pairs = new ArrayList<>();
    List<Long> acks = new ArrayList<>();
    int incomplete = 0;
    int refused = 0;
    for (Sample s : samples) {
      if (!s.ack().equals("stored")) {
        refused++;
      }
      if (s.ackNanos() >= 0) {
        acks.add(s.ackNanos());
      }
      s.propagation().allPresentNanos().ifPresentOrElse(complete::add, () -> {});
      if (s.propagation().allPresentNanos().isEmpty()) {
        incomplete++;
      }
      for (int i = 0; i < n; i++) {
        long l = s.propagation().latencyNanos()[i];
        if (l >= 0 && i != s.origin()) {
          pairs.add(l);
        }
      }
    }
    o.printf("%n%d records, %d nodes, %.1f s%n", samples.size(), n, wall);
    o.printf("submitted and stored: %d; not stored: %d; reached every node: %d; did not: %d%n",
        samples.size() - refused, refused, samples.size() - incomplete, incomplete);
    long[] all = complete.stream().mapToLong(Long::longValue).toArray();
    // A record that never reached every node counts as slower than any limit.
    long[] withMissing = new long[samples.size()];
    Arrays.fill(withMissing, Long.MAX_VALUE);
    System.arraycopy(all, 0, withMissing, 0, all.length);
    if (all.length > 0) {
      line(o, "present at all nodes", LatencySummary.of(withMissing));
    }
    if (!pairs.isEmpty()) {
      line(o, "at one other node", LatencySummary.of(
          pairs.stream().mapToLong(Long::longValue).toArray()));
    }
    if (!acks.isEmpty()) {
      line(o, "submit answered", LatencySummary.of(
          acks.stream().mapToLong(Long::longValue).toArray()));
    }
    o.printf("within 1 s at all nodes: %.1f%% (%d of %d)%n",
        100 * LatencySummary.fractionAtMost(withMissing, ONE_SECOND.toNanos()),
        Arrays.stream(withMissing).filter(v -> v <= ONE_SECOND.toNanos()).count(),
        samples.size());
    if (unexpected > 0) {
      o.printf("(%d notices of other records or unreadable frames ignored)%n", unexpected);
    }
  }

  private static void line(PrintWriter o, String what, LatencySummary s) {
    o.printf("%-22s p50 %s  p95 %s  p99 %s  max %s  (%d)%n", what + ":", ms(s.p50()),
        ms(s.p95()), ms(s.p99()), ms(s.max()), s.count());
  }

  private static String ms(long nanos) {
    return nanos == Long.MAX_VALUE ? "never" : String.format("%.1f ms", nanos / 1e6);
  }

  private static void writeSamples(Path file, List<Sample> samples, int n) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder head = new StringBuilder("name\torigin\tack\tack_ms\tall_ms\treached");
    for (int i = 0; i < n; i++) {
      head.append("\tnode").append(i).append("_ms");
    }
    lines.add(head.toString());
    for (Sample s : samples) {
      StringBuilder b = new StringBuilder().append(s.name()).append('\t').append(s.origin())
          .append('\t').append(s.ack()).append('\t').append(fmt(s.ackNanos())).append('\t')
          .append(s.propagation().allPresentNanos().map(PropagationBenchmark::fmt).orElse("-"))
          .append('\t').append(s.propagation().reached());
      for (long l : s.propagation().latencyNanos()) {
        b.append('\t').append(fmt(l));
      }
      lines.add(b.toString());
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private static String fmt(long nanos) {
    return nanos < 0 ? "-" : String.format("%.3f", nanos / 1e6);
  }
}

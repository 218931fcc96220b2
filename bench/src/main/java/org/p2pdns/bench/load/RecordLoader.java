package org.p2pdns.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Loads a node with many signed names for the DNS benchmark (bench/dns-bench.sh), and writes the
 * matching dnsperf query files and Knot zone files. The network parameters come from
 * {@code --set} exactly as the node's do; with {@code --node} the loader first checks that the
 * node runs the same network (same network id), so no record is made for the wrong one.
 *
 * <p>Exit codes: 0 every record held by the node (or files only); 1 some record refused or
 * unanswered; 2 bad usage; 3 node unreachable or on another network.
 */
@Command(name = "record-loader", mixinStandardHelpOptions = true,
    description = "Makes N owner keys and signed records (nNNNNNNN.SUFFIX, one A record each, "
        + "some AAAA/TXT), submits them to a node with many requests in flight, and writes "
        + "dnsperf query files and Knot zone files for the same names.")
public final class RecordLoader implements Callable<Integer> {
  @Spec
  private CommandLine.Model.CommandSpec spec;

  @Option(names = "--node", paramLabel = "ENDPOINT",
      description = "The node's query endpoint (e.g. tcp://127.0.0.1:8002); without it, only "
          + "files are written.")
  private String node;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Write the query files and zone files here.")
  private Path out;

  @Option(names = "--names", paramLabel = "N", defaultValue = "100000",
      description = "Names to make (default: ${DEFAULT-VALUE}).")
  private int count;

  @Option(names = "--suffix", paramLabel = "SUFFIX",
      description = "Network suffix of the names (default: the network's first suffix).")
  private String suffix;

  @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "3600",
      description = "TTL of every resource record (default: ${DEFAULT-VALUE}; long enough that "
          + "no cached answer expires during a run).")
  private long ttl;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Configuration as the node's --set (network.* keys): must give the same "
          + "network as the node's.")
  private List<String> assignments = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "T",
      description = "Threads making and signing records (default: every core).")
  private int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--window", paramLabel = "W", defaultValue = "256",
      description = "Submissions in flight at once (default: ${DEFAULT-VALUE}).")
  private int window;

  @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "Give up when the node answers nothing for this long (default: "
          + "${DEFAULT-VALUE}).")
  private String stallTimeout;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the owner keys and of the random query order (default: "
          + "${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--random-queries", paramLabel = "Q", defaultValue = "1000000",
      description = "Lines of the random network query file (default: ${DEFAULT-VALUE}); the "
          + "warm-up and forwarded files get a tenth of it.")
  private int randomQueries;

  @Option(names = "--warm-names", paramLabel = "W", defaultValue = "10000",
      description = "Names 1..W are the warm-up set; the others stay unasked until the cold run "
          + "(default: ${DEFAULT-VALUE}).")
  private int warmNames;

  @Option(names = "--forwarded-names", paramLabel = "F", defaultValue = "10000",
      description = "Names of each kind in the forwarded zone (default: ${DEFAULT-VALUE}).")
  private int forwardedNames;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RecordLoader()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter outp = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (node == null && out == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give --node (submit the records) or --out (write the files), or both");
    }
    NetworkParams params;
    Duration stall;
    BenchNames names;
    BenchFiles files;
    try {
      Config config = Config.builder().assignments(assignments.toArray(String[]::new)).build();
      params = NetworkParams.fromConfig(config);
      stall = Config.parseDuration(stallTimeout);
      String sfx = suffix != null ? suffix : params.suffixes().get(0);
      names = new BenchNames(sfx, count, ttl);
      files = new BenchFiles(names, warmNames, forwardedNames, seed);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }

    if (out != null) {
      long t0 = System.nanoTime();
      try {
        files.writeAll(out, randomQueries);
      } catch (IOException e) {
        err.println("cannot write the benchmark files in " + out + ": " + e);
        return 2;
      }
      outp.printf("wrote query and zone files for %,d names in %s (%.1f s)%n", count, out,
          (System.nanoTime() - t0) / 1e9);
      outp.flush();
    }
    if (node == null) {
      return 0;
    }

    try (RecordSubmitter submitter = new RecordSubmitter(node, window, stall)) {
      Optional<NodeResponse.Info> info;
      try {
        info = submitter.info(Duration.ofSeconds(5));
      } catch (MalformedException e) {
        err.println("the node at " + node + " answered Info with garbage: " + e.getMessage());
        return 3;
      }
      if (info.isEmpty()) {
        err.println("the node at " + node + " did not answer within 5 s");
        return 3;
      }
      NetworkParams nodeParams;
      try {
        nodeParams = NetworkParams.decode(info.get().networkParams());
      } catch (MalformedException e) {
        err.println("the node's network parameters do not decode: " + e.getMessage());
        return 3;
      }
      if (!Arrays.equals(nodeParams.networkId(), params.networkId())) {
        err.println("the node runs another network: its parameters are " + nodeParams
            + ", ours (from --set) are " + params + "; give the loader the node's --set values");
        return 3;
      }

      outp.printf("making %,d records (network.pow-bits=%d) on %d threads%n", count,
          params.powBits(), threads);
      outp.flush();
      long t0 = System.nanoTime();
      List<SignedRecord> records = new BenchRecordMaker(params, names, seed,
          Instant.now().getEpochSecond()).makeAll(threads);
      double makeSeconds = (System.nanoTime() - t0) / 1e9;
      outp.printf("made and signed %,d records in %.1f s (%,.0f/s)%n", count, makeSeconds,
          count / makeSeconds);
      outp.printf("submitting to %s (node %s), %d in flight%n", node, info.get().nodeId(),
          window);
      outp.flush();

      SubmitReport report = submitter.submitAll(records, line -> {
        outp.println(line);
        outp.flush();
      });
      outp.printf("submitted %,d in %.1f s: %,.0f answers/s; stored %,d, duplicate %,d, "
              + "refused %,d, errors %,d, unanswered %,d, retried %,d%n", count,
          report.elapsed().toNanos() / 1e9, report.rate(), report.stored(), report.duplicates(),
          report.refused(), report.errors(), report.unanswered(), report.retries());
      for (Map.Entry<String, Integer> e : report.refusals().entrySet()) {
        outp.printf("  refused %s: %,d%n", e.getKey(), e.getValue());
      }
      for (String s : report.samples()) {
        outp.println("  e.g. " + s);
      }
      outp.flush();
      return report.allHeld() ? 0 : 1;
    }
  }
}

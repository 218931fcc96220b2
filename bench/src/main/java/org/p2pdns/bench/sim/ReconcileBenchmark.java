package org.p2pdns.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.p2pdns.common.sync.KeyRange;
import org.p2pdns.common.sync.ReconcileLimits;
import org.p2pdns.common.sync.ReconcileSession;
import org.p2pdns.common.sync.SyncItemSet;
import org.p2pdns.common.wire.MalformedException;

/**
 * Catch-up benchmark: two stores of 1,000,000 record digests that differ by 100, reconciled with
 * the real {@link ReconcileSession} on both sides in one thread (no transport). Prints round
 * trips, bytes both ways, bytes per difference and CPU time, next to the reference points.
 *
 * <p>Keys are issue times in seconds (about one record every 2.6 s over 30 days, so the keys of
 * the newest records cluster at the end), which is what a node uses so that what it missed while
 * away lies in few ranges. Run: {@code java -Xmx700m -cp 'bench/target/bench.jar:bench/target/lib/*'
 * org.p2pdns.bench.sim.ReconcileBenchmark [records] [differences] [seed]}.
 */
public final class ReconcileBenchmark {
  private static final long EPOCH = 1_700_000_000L;
  private static final long SPAN_SECONDS = 30L * 24 * 3600;

  private ReconcileBenchmark() {}

  public static void main(String[] args) throws MalformedException {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int differences = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    System.out.printf("Reconciliation of %,d-record stores differing by %d (seed %d), limits %s%n",
        records, differences, seed, ReconcileLimits.DEFAULT);
    System.out.println("reference points: negentropy ~3 round trips (1.5 KB for 1 difference in 1M);"
        + " rateless IBLT ~80 B/difference; aim <= 4 round trips and < 64 B/difference");
    System.out.println();
    storeCosts(records, seed);
    System.out.println();
    System.out.printf("%-46s %6s %6s %9s %9s %8s %11s%n", "scenario", "msgs", "RTs", "bytes",
        "B/diff", "CPU ms", "found ok");
    run("clustered: lagging side lacks the newest", records, differences, seed, Scenario.NEWEST_MISSING);
    run("scattered: lagging side lacks random ones", records, differences, seed, Scenario.RANDOM_MISSING);
    run("scattered both ways: half each side", records, differences, seed, Scenario.BOTH_SIDES);
    run("offline while " + differences / 2 + " records changed (old vs new)", records, differences,
        seed, Scenario.UPDATED_WHILE_AWAY);
  }

  /** What keeping the item set current costs: inserts and removals at random places, range fingerprints. */
  private static void storeCosts(int records, long seed) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Random rnd = new Random(seed);
    SyncItemSet set = new SyncItemSet();
    byte[] d = new byte[32];
    long t0 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < records; i++) {
      rnd.nextBytes(d);
      set.add(EPOCH + (long) i * SPAN_SECONDS / records, d.clone());
    }
    long loadNs = cpu.getCurrentThreadCpuTime() - t0;
    int changes = 20_000;
    byte[][] added = new byte[changes][];
    long[] keys = new long[changes];
    t0 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < changes; i++) {
      added[i] = new byte[32];
      rnd.nextBytes(added[i]);
      keys[i] = EPOCH + (long) (rnd.nextDouble() * SPAN_SECONDS);
      set.add(keys[i], added[i]);
    }
    for (int i = 0; i < changes; i++) {
      set.remove(keys[i], added[i]);
    }
    long changeNs = cpu.getCurrentThreadCpuTime() - t0;
    int queries = 200_000;
    long sink = 0;
    t0 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < queries; i++) {
      int a = rnd.nextInt(set.size());
      int b = a + rnd.nextInt(set.size() - a + 1);
      sink += set.tagSum(a, b);
    }
    long queryNs = cpu.getCurrentThreadCpuTime() - t0;
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.out.printf("item set of %,d (CPU time): bulk load in order %.2f s; random insert or remove %.1f us"
        + " each (%,d of each); range fingerprint %.2f us each; heap in use after %d MB (checksum %d)%n",
        records, loadNs / 1e9, changeNs / 1e3 / (2.0 * changes), changes, queryNs / 1e3 / queries,
        (rt.totalMemory() - rt.freeMemory()) >> 20, sink & 1);
  }

  private enum Scenario { NEWEST_MISSING, RANDOM_MISSING, BOTH_SIDES, UPDATED_WHILE_AWAY }

  private static void run(String name, int records, int differences, long seed, Scenario scenario)
      throws MalformedException {
    Random rnd = new Random(seed);
    SyncItemSet lagging = new SyncItemSet();
    SyncItemSet current = new SyncItemSet();
    Set<ByteBuffer> laggingOnly = new HashSet<>();
    Set<ByteBuffer> currentOnly = new HashSet<>();
    Set<Integer> chosen = new HashSet<>();
    while (chosen.size() < (scenario == Scenario.UPDATED_WHILE_AWAY ? differences / 2 : differences)) {
      int i = scenario == Scenario.NEWEST_MISSING ? records - 1 - chosen.size() : rnd.nextInt(records);
      chosen.add(i);
    }
    byte[] d = new byte[32];
    for (int i = 0; i < records; i++) {
      rnd.nextBytes(d);
      long key = EPOCH + (long) i * SPAN_SECONDS / records;
      byte[] digest = d.clone();
      if (!chosen.contains(i)) {
        lagging.add(key, digest);
        current.add(key, digest);
        continue;
      }
      switch (scenario) {
        case NEWEST_MISSING:
        case RANDOM_MISSING:
          current.add(key, digest);
          currentOnly.add(ByteBuffer.wrap(digest));
          break;
        case BOTH_SIDES:
          if ((i & 1) == 0) {
            current.add(key, digest);
            currentOnly.add(ByteBuffer.wrap(digest));
          } else {
            lagging.add(key, digest);
            laggingOnly.add(ByteBuffer.wrap(digest));
          }
          break;
        case UPDATED_WHILE_AWAY:
          // The lagging side keeps the old version; the others hold a new one issued just now.
          lagging.add(key, digest);
          laggingOnly.add(ByteBuffer.wrap(digest));
          byte[] fresh = new byte[32];
          rnd.nextBytes(fresh);
          current.add(EPOCH + SPAN_SECONDS + 1 + rnd.nextInt(3600), fresh);
          currentOnly.add(ByteBuffer.wrap(fresh));
          break;
        default:
          throw new IllegalStateException();
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpu0 = mx.getCurrentThreadCpuTime();
    ReconcileSession initiator = new ReconcileSession(lagging, ReconcileLimits.DEFAULT);
    ReconcileSession responder = new ReconcileSession(current, ReconcileLimits.DEFAULT);
    byte[] msg = initiator.initiate();
    ReconcileSession next = responder;
    int messages = 0;
    long bytes = 0;
    for (int i = 0; i < 1000; i++) {
      messages++;
      bytes += msg.length;
      Optional<byte[]> reply = next.receive(msg);
      if (reply.isEmpty()) {
        break;
      }
      msg = reply.get();
      next = next == responder ? initiator : responder;
    }
    long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
    boolean ok = lacks(initiator, lagging).equals(laggingOnly) && lacks(responder, current).equals(currentOnly);
    int diffs = laggingOnly.size() + currentOnly.size();
    System.out.printf("%-46s %6d %6d %9d %9.1f %8d %11s%n", name, messages, (messages + 1) / 2, bytes,
        (double) bytes / diffs, cpuMs, ok ? diffs + " yes" : "NO");
  }

  private static Set<ByteBuffer> lacks(ReconcileSession s, SyncItemSet items) {
    Set<ByteBuffer> out = new HashSet<>();
    for (byte[] d : s.remoteLacks()) {
      out.add(ByteBuffer.wrap(d));
    }
    for (KeyRange r : s.remoteLacksRanges()) {
      for (byte[] d : items.digests(items.positionOf(r.lower()), items.positionOf(r.upper()))) {
        out.add(ByteBuffer.wrap(d));
      }
    }
    return out;
  }
}

package org.p2pdns.bench.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.xbill.DNS.Record;

/**
 * The files dnsperf and Knot read, written next to each other in one directory. Query files are
 * dnsperf's format, one {@code NAME TYPE} a line. The sets of names are kept apart so that a run
 * meant to miss the front-end's cache never asks a name an earlier run asked:
 *
 * <ul>
 *   <li>{@value #NETWORK_WARMUP}: random queries over names 1..W (warms the JVM's network path
 *       without touching the names of the cold run);
 *   <li>{@value #NETWORK_ONCE}: names W+1..N, each exactly once, shuffled (the front-end has never
 *       seen them: every query goes to the node);
 *   <li>{@value #NETWORK_RANDOM}: random queries over all N names (cached network names, and
 *       Knot's file);
 *   <li>{@value #FORWARDED}: random queries over names of {@value #FORWARD_ZONE} with TTL 0, so a
 *       front-end must forward every one of them to its upstream;
 *   <li>{@value #FORWARDED_CACHED}: random queries over names of the same zone with the network
 *       names' TTL, which the front-end may answer from its cache of upstream answers;
 *   <li>{@code SUFFIX.zone} and {@value #FORWARD_ZONE}{@code .zone}: the zones for Knot.
 * </ul>
 */
public final class BenchFiles {
  public static final String NETWORK_WARMUP = "network-warmup.txt";
  public static final String NETWORK_ONCE = "network-once.txt";
  public static final String NETWORK_RANDOM = "network-random.txt";
  public static final String FORWARDED = "forwarded.txt";
  public static final String FORWARDED_CACHED = "forwarded-cached.txt";
  /** A reserved name (RFC 2606) that no network suffix covers: the front-end forwards it. */
  public static final String FORWARD_ZONE = "bench.test";
  /** SOA minimum (negative TTL) of the generated zones. */
  private static final int NEGATIVE_TTL = 60;

  private final BenchNames names;
  private final int warmNames;
  private final int forwardedNames;
  private final long seed;

  /**
   * @param warmNames W: names 1..W warm up, W+1..N stay unasked until the cold run
   * @param forwardedNames names of each kind (TTL 0, cached TTL) in the forwarded zone
   */
  public BenchFiles(BenchNames names, int warmNames, int forwardedNames, long seed) {
    if (warmNames < 1 || warmNames >= names.count()) {
      throw new IllegalArgumentException("warm-up names must be between 1 and " + (names.count()
          - 1) + " (some names must stay for the cold run), not " + warmNames);
    }
    if (forwardedNames < 1 || forwardedNames > 999_999) {
      throw new IllegalArgumentException("forwarded names between 1 and 999,999");
    }
    this.names = names;
    this.warmNames = warmNames;
    this.forwardedNames = forwardedNames;
    this.seed = seed;
  }

  public String networkZoneFile() {
    return names.suffix() + ".zone";
  }

  public static String forwardZoneFile() {
    return FORWARD_ZONE + ".zone";
  }

  /** The forwarded name of index {@code i}: TTL 0 ({@code u...}) or cached TTL ({@code c...}). */
  public static String forwardedName(int i, boolean cacheable) {
    return String.format("%s%06d.%s", cacheable ? "c" : "u", i, FORWARD_ZONE);
  }

  /** Writes every file into {@code dir} (created if missing). */
  public void writeAll(Path dir, int randomQueries) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    writeRandom(dir.resolve(NETWORK_WARMUP), randomQueries / 10, 1, warmNames, random);
    writeOnce(dir.resolve(NETWORK_ONCE), warmNames + 1, names.count(), random);
    writeRandom(dir.resolve(NETWORK_RANDOM), randomQueries, 1, names.count(), random);
    writeForwardedQueries(dir.resolve(FORWARDED), randomQueries / 10, false, random);
    writeForwardedQueries(dir.resolve(FORWARDED_CACHED), randomQueries / 10, true, random);
    writeNetworkZone(dir.resolve(networkZoneFile()));
    writeForwardZone(dir.resolve(forwardZoneFile()));
  }

  private void writeRandom(Path file, int count, int from, int to, SplittableRandom random)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      for (int q = 0; q < count; q++) {
        w.write(names.name(random.nextInt(from, to + 1)));
        w.write(" A\n");
      }
    }
  }

  private void writeOnce(Path file, int from, int to, SplittableRandom random) throws IOException {
    int[] order = new int[to - from + 1];
    for (int k = 0; k < order.length; k++) {
      order[k] = from + k;
    }
    for (int k = order.length - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      int t = order[k];
      order[k] = order[j];
      order[j] = t;
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      for (int i : order) {
        w.write(names.name(i));
        w.write(" A\n");
      }
    }
  }

  private void writeForwardedQueries(Path file, int count, boolean cacheable,
      SplittableRandom random) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      for (int q = 0; q < count; q++) {
        w.write(forwardedName(random.nextInt(1, forwardedNames + 1), cacheable));
        w.write(" A\n");
      }
    }
  }

  private void writeNetworkZone(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      writeApex(w, names.suffix());
      for (int i = 1; i <= names.count(); i++) {
        for (Record r : names.rrs(i)) {
          w.write(r.toString());
          w.write('\n');
        }
      }
    }
  }

  private void writeForwardZone(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      writeApex(w, FORWARD_ZONE);
      for (int i = 1; i <= forwardedNames; i++) {
        int a = i & 0xff;
        int b = (i >>> 8) & 0xff;
        int c = (i >>> 16) & 0xff;
        w.write(String.format("%s. 0 IN A 10.%d.%d.%d\n", forwardedName(i, false), c, b, a));
        w.write(String.format("%s. %d IN A 10.%d.%d.%d\n", forwardedName(i, true), names.ttl(),
            c, b, a));
      }
    }
  }

  /** SOA and NS at the apex; the NS target lies outside every zone here, so it needs no glue. */
  private static void writeApex(BufferedWriter w, String origin) throws IOException {
    w.write("$ORIGIN " + origin + ".\n");
    w.write("$TTL 3600\n");
    w.write("@ IN SOA ns.invalid. hostmaster.invalid. 1 3600 900 604800 " + NEGATIVE_TTL + "\n");
    w.write("@ IN NS ns.invalid.\n");
  }
}

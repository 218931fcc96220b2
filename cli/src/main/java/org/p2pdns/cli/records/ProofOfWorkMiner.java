package org.p2pdns.cli.records;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.ProofOfWork;

/**
 * Mines a new name's proof of work on every core and shows progress on stderr: a live line when
 * stderr is a terminal, otherwise a line every few seconds (logs and CI output stay readable).
 */
public final class ProofOfWorkMiner {
  private static final long LINE_EVERY_MILLIS = 5_000;

  private final PrintWriter err;
  private final boolean live;
  private final Clock clock;

  public ProofOfWorkMiner(PrintWriter err, boolean live, Clock clock) {
    this.err = err;
    this.live = live;
    this.clock = clock;
  }

  /** Returns a nonce whose hash has {@code bits} leading zero bits. */
  public long mine(byte[] networkId, String name, byte[] claimKey, int bits)
      throws InterruptedException {
    return search("proof of work for " + name, bits, (threads, progress) -> ProofOfWork.mine(
        networkId, name, claimKey, bits, threads, progress, new AtomicBoolean()));
  }

  /** A claim's commitment (the hash that hides it) with its own, smaller proof of work. */
  public Commitment commitment(byte[] networkId, byte[] hash, long committedAt, int bits)
      throws InterruptedException {
    long[] nonce = new long[1];
    search("the commitment's proof of work", bits, (threads, progress) -> {
      nonce[0] = Commitment.make(networkId, hash, committedAt, bits, threads, progress,
          new AtomicBoolean()).nonce();
      return nonce[0];
    });
    return new Commitment(hash, committedAt, nonce[0]);
  }

  private interface Search {
    long run(int threads, LongConsumer progress) throws InterruptedException;
  }

  private long search(String what, int bits, Search search) throws InterruptedException {
    int threads = Runtime.getRuntime().availableProcessors();
    long start = clock.millis();
    long[] lastLine = {start};
    double expected = Math.pow(2, bits);
    err.printf(Locale.ROOT, "mining %s: %d bits (about %s hashes) on %d "
        + "thread%s%n", what, bits, count(expected), threads, threads == 1 ? "" : "s");
    err.flush();
    long nonce = search.run(threads, tried -> {
      long now = clock.millis();
      if (live) {
        err.print("\r" + line(tried, now - start) + "   ");
        err.flush();
      } else if (now - lastLine[0] >= LINE_EVERY_MILLIS) {
        lastLine[0] = now;
        err.println(line(tried, now - start));
        err.flush();
      }
    });
    if (live) {
      err.print("\r");
    }
    err.printf(Locale.ROOT, "proof of work found in %.1f s%n", (clock.millis() - start) / 1000.0);
    err.flush();
    return nonce;
  }

  static String line(long tried, long elapsedMillis) {
    double seconds = Math.max(elapsedMillis, 1) / 1000.0;
    return String.format(Locale.ROOT, "  %s hashes, %s hashes/s, %.1f s", count(tried),
        count(tried / seconds), seconds);
  }

  static String count(double n) {
    if (n >= 1e9) {
      return String.format(Locale.ROOT, "%.1fG", n / 1e9);
    } else if (n >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    } else if (n >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", n);
  }
}

package org.p2pdns.bench.net;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each node's change feed announced each submitted record, relative to its submission. The
 * benchmark registers a record ({@link #expect}) before it submits it, the feed listener reports
 * every notice ({@link #seen}); a record is present at every node once each node's first notice
 * of it has arrived. Times are {@link System#nanoTime} readings of one process. Thread-safe: the
 * feed listener and the submitting thread use it at once.
 */
public final class PropagationTracker {
  private final int nodes;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong unexpected = new AtomicLong();

  private record Key(String name, long serial) {}

  private static final class Entry {
    final long submittedAt;
    final long[] seenAt;
    final CountDownLatch missing;

    Entry(long submittedAt, int nodes) {
      this.submittedAt = submittedAt;
      this.seenAt = new long[nodes];
      Arrays.fill(seenAt, Long.MIN_VALUE);
      this.missing = new CountDownLatch(nodes);
    }
  }

  /**
   * What one record did.
   *
   * @param latencyNanos per node, from submission to its first notice there; -1 where none came
   */
  public record Propagation(String name, long serial, long[] latencyNanos) {
    public Propagation {
      latencyNanos = latencyNanos.clone();
    }

    @Override
    public long[] latencyNanos() {
      return latencyNanos.clone();
    }

    /** How many nodes announced it. */
    public int reached() {
      return (int) Arrays.stream(latencyNanos).filter(l -> l >= 0).count();
    }

    /** Submission to the last node's notice, or empty when some node never announced it. */
    public Optional<Long> allPresentNanos() {
      long max = 0;
      for (long l : latencyNanos) {
        if (l < 0) {
          return Optional.empty();
        }
        max = Math.max(max, l);
      }
      return Optional.of(max);
    }
  }

  public PropagationTracker(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("at least one node");
    }
    this.nodes = nodes;
  }

  public int nodes() {
    return nodes;
  }

  /** Registers a record about to be submitted; call before sending it, so no notice is early. */
  public void expect(String name, long serial, long submittedAtNanos) {
    if (entries.putIfAbsent(new Key(name, serial), new Entry(submittedAtNanos, nodes)) != null) {
      throw new IllegalArgumentException(name + " serial " + serial + " is already tracked");
    }
  }

  /**
   * A notice of {@code name} at {@code serial} arrived from node {@code node} at {@code atNanos}.
   * Returns whether it was the first of that record from that node (a node that announces a
   * record twice counts once); notices of records never expected are only counted.
   */
  public boolean seen(int node, String name, long serial, long atNanos) {
    if (node < 0 || node >= nodes) {
      throw new IndexOutOfBoundsException("node " + node + " of " + nodes);
    }
    Entry e = entries.get(new Key(name, serial));
    if (e == null) {
      unexpected.incrementAndGet();
      return false;
    }
    synchronized (e) {
      if (e.seenAt[node] != Long.MIN_VALUE) {
        return false;
      }
      e.seenAt[node] = atNanos;
    }
    e.missing.countDown();
    return true;
  }

  /** Waits until every node announced the record; false when {@code max} passed first. */
  public boolean awaitEverywhere(String name, long serial, Duration max)
      throws InterruptedException {
    Entry e = entry(name, serial);
    return e.missing.await(max.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The record's latencies so far. */
  public Propagation propagation(String name, long serial) {
    Entry e = entry(name, serial);
    long[] lat = new long[nodes];
    synchronized (e) {
      for (int i = 0; i < nodes; i++) {
        lat[i] = e.seenAt[i] == Long.MIN_VALUE ? -1 : Math.max(0, e.seenAt[i] - e.submittedAt);
      }
    }
    return new Propagation(name, serial, lat);
  }

  /** Notices of records that were never expected (earlier runs, other writers). */
  public long unexpected() {
    return unexpected.get();
  }

  private Entry entry(String name, long serial) {
    Entry e = entries.get(new Key(name, serial));
    if (e == null) {
      throw new IllegalArgumentException(name + " serial " + serial + " is not tracked");
    }
    return e;
  }
}

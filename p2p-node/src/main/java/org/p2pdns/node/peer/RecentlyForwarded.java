package org.p2pdns.node.peer;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The encodings of the records this node pushed or announced recently, by digest: what answers a
 * GRAFT for a version that is not the stored one of its name, above all a version that lost (the
 * other half of an equivocation, a claim that lost its contest), which the store never holds, and
 * a version replaced since it was announced. Bounded by count, by bytes and by age, oldest
 * forgotten first; a GRAFT comes within a second or two of the announcement it answers, so a
 * few minutes is plenty.
 *
 * <p>Not thread-safe: the gossip thread owns it.
 */
final class RecentlyForwarded {
  static final int MAX_ENTRIES = 4096;
  static final long MAX_BYTES = 8L << 20;
  static final long MAX_AGE_MILLIS = 5 * 60_000L;

  private final Clock clock;
  private final int maxEntries;
  private final long maxBytes;
  private final long maxAgeMillis;
  /** Insertion order is time order: an entry is put once and never moved. */
  private final LinkedHashMap<ByteBuffer, Entry> entries = new LinkedHashMap<>();
  private long bytes;

  private record Entry(byte[] encoded, long at) {}

  RecentlyForwarded(Clock clock) {
    this(clock, MAX_ENTRIES, MAX_BYTES, MAX_AGE_MILLIS);
  }

  RecentlyForwarded(Clock clock, int maxEntries, long maxBytes, long maxAgeMillis) {
    this.clock = clock;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxAgeMillis = maxAgeMillis;
  }

  /** Remembers {@code encoded} under {@code digest}; a digest already held keeps its first time. */
  void put(byte[] digest, byte[] encoded) {
    long now = clock.millis();
    ByteBuffer key = ByteBuffer.wrap(digest.clone());
    if (entries.containsKey(key)) {
      return;
    }
    entries.put(key, new Entry(encoded, now));
    bytes += encoded.length;
    evict(now);
  }

  /** The encoding forwarded under {@code digest}, if still remembered. */
  Optional<byte[]> get(byte[] digest) {
    evict(clock.millis());
    Entry e = entries.get(ByteBuffer.wrap(digest));
    return e == null ? Optional.empty() : Optional.of(e.encoded());
  }

  int size() {
    return entries.size();
  }

  long bytes() {
    return bytes;
  }

  private void evict(long now) {
    Iterator<Map.Entry<ByteBuffer, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry eldest = it.next().getValue();
      if (entries.size() <= maxEntries && bytes <= maxBytes && now - eldest.at() <= maxAgeMillis) {
        return;
      }
      it.remove();
      bytes -= eldest.encoded().length;
    }
  }
}

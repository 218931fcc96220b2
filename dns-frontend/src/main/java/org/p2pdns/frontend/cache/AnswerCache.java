package org.p2pdns.frontend.cache;

import java.time.Clock;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ready-made answers, kept as wire bytes so that a hit costs one lookup and one copy: the copy gets
 * the query's id, RD bit and question name (its letter case) patched in and its TTLs lowered by the
 * time spent in the cache.
 *
 * <p>Answers for network names carry tags, the registered names they were built from, so that a
 * change notice drops exactly the answers that depended on the changed name. A resolution that ran
 * while a change arrived must not store what it found: it takes a {@link #generation()} before it
 * asks the node and {@link #put} refuses its answer if a drop happened since.
 */
public final class AnswerCache {
  private final int maxEntries;
  private final Clock clock;
  private final Map<Key, CachedAnswer> entries = new ConcurrentHashMap<>();
  private final Map<String, Set<Key>> byTag = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final ReentrantLock sweepLock = new ReentrantLock();

  public AnswerCache(int maxEntries, Clock clock) {
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /** The cache key of a question: lower-case wire name, type, class and the EDNS flavour. */
  public static final class Key {
    private final byte[] bytes;
    private final int hash;

    public Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A live answer for {@code key}, or null. */
  public CachedAnswer get(Key key) {
    CachedAnswer a = entries.get(key);
    if (a == null) {
      return null;
    }
    if (a.expiresAtMillis() <= clock.millis()) {
      remove(key, a);
      return null;
    }
    return a;
  }

  public long nowMillis() {
    return clock.millis();
  }

  /** Counts drops; see the class comment. */
  public long generation() {
    return generation.get();
  }

  /**
   * Stores a full (never truncated) answer for {@code lifetimeSeconds}, unless a drop happened
   * after {@code generationSeen} and the answer is tagged. Lifetime 0 stores nothing.
   */
  public void put(Key key, byte[] wire, long lifetimeSeconds, List<String> tags,
      long generationSeen) {
    if (lifetimeSeconds <= 0 || maxEntries == 0) {
      return;
    }
    CachedAnswer answer = CachedAnswer.of(wire, clock.millis(), lifetimeSeconds * 1000, tags);
    if (answer == null) {
      return;
    }
    for (String tag : tags) {
      byTag.computeIfAbsent(tag, t -> ConcurrentHashMap.newKeySet()).add(key);
    }
    CachedAnswer old = entries.put(key, answer);
    if (old != null && old != answer) {
      untag(key, old, answer);
    }
    if (!tags.isEmpty() && generation.get() != generationSeen) {
      // A change arrived while this answer was being made: it may be stale already.
      remove(key, answer);
      return;
    }
    if (entries.size() > maxEntries) {
      sweep();
    }
  }

  /** Drops every answer built from the registered name {@code tag}. */
  public void dropTag(String tag) {
    generation.incrementAndGet();
    Set<Key> keys = byTag.remove(tag);
    if (keys == null) {
      return;
    }
    for (Key k : keys) {
      CachedAnswer a = entries.get(k);
      if (a != null && a.tags().contains(tag)) {
        remove(k, a);
      }
    }
  }

  /** Drops every tagged answer: those of network names. */
  public void dropAllTagged() {
    generation.incrementAndGet();
    entries.entrySet().removeIf(e -> !e.getValue().tags().isEmpty());
    byTag.clear();
  }

  public int size() {
    return entries.size();
  }

  private void remove(Key key, CachedAnswer a) {
    if (entries.remove(key, a)) {
      untag(key, a, null);
    }
  }

  private void untag(Key key, CachedAnswer gone, CachedAnswer replacement) {
    for (String tag : gone.tags()) {
      if (replacement != null && replacement.tags().contains(tag)) {
        continue;
      }
      Set<Key> keys = byTag.get(tag);
      if (keys != null) {
        keys.remove(key);
      }
    }
  }

  /** Drops expired answers, then arbitrary ones, down to 90% of the limit. */
  private void sweep() {
    if (!sweepLock.tryLock()) {
      return;
    }
    try {
      long now = clock.millis();
      int target = Math.max(0, maxEntries - Math.max(1, maxEntries / 10));
      Iterator<Map.Entry<Key, CachedAnswer>> it = entries.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, CachedAnswer> e = it.next();
        if (e.getValue().expiresAtMillis() <= now) {
          remove(e.getKey(), e.getValue());
        }
      }
      it = entries.entrySet().iterator();
      while (entries.size() > target && it.hasNext()) {
        Map.Entry<Key, CachedAnswer> e = it.next();
        remove(e.getKey(), e.getValue());
      }
    } finally {
      sweepLock.unlock();
    }
  }
}

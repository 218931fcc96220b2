package org.p2pdns.node.peer;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores start at 0 and fall by each offence's penalty; they climb back toward 0 by one point per
 * {@code recovery} interval, so an honest peer's rare mistake is forgotten. At or below
 * {@code limit} a peer is refused.
 */
public final class DecayingPeerScore implements PeerScore {
  public static final int DEFAULT_LIMIT = -100;
  private static final int FLOOR = -1000;

  private final Clock clock;
  private final long recoveryMillis;
  private final int limit;
  private final ConcurrentHashMap<String, Entry> scores = new ConcurrentHashMap<>();

  private record Entry(int score, long at) {}

  public DecayingPeerScore(Clock clock, java.time.Duration recovery, int limit) {
    if (limit >= 0) {
      throw new IllegalArgumentException("the limit is negative");
    }
    this.clock = clock;
    this.recoveryMillis = Math.max(1, recovery.toMillis());
    this.limit = limit;
  }

  public DecayingPeerScore(Clock clock) {
    this(clock, java.time.Duration.ofMinutes(1), DEFAULT_LIMIT);
  }

  private int current(Entry e, long now) {
    if (e == null) {
      return 0;
    }
    long recovered = Math.max(0, now - e.at) / recoveryMillis;
    return (int) Math.min(0, e.score + recovered);
  }

  /** Starts a node at a stored score (after a restart). */
  public void seed(String nodeId, int score) {
    if (score < 0) {
      scores.put(nodeId, new Entry(Math.max(FLOOR, score), clock.millis()));
    }
  }

  @Override
  public int penalize(String nodeId, Offence offence) {
    long now = clock.millis();
    Entry e = scores.compute(nodeId, (k, old) -> new Entry(
        Math.max(FLOOR, current(old, now) - offence.penalty()), now));
    return e.score;
  }

  @Override
  public int score(String nodeId) {
    return current(scores.get(nodeId), clock.millis());
  }

  @Override
  public boolean refused(String nodeId) {
    return score(nodeId) <= limit;
  }
}

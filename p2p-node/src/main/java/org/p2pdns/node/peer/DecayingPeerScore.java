package org.p2pdns.node.peer;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores start at 0 and fall by each offence's penalty; they climb back toward 0 by one point per
 * {@code recovery} interval, so an honest peer's rare mistake is forgotten. A peer whose score
 * reaches {@code limit} is banned: refused at the handshake and disconnected until the ban ends.
 * The first ban lasts {@code banBase}; each further ban of the same node lasts twice the one
 * before, up to {@link #MAX_BAN}. A ban that ends leaves the score where it was (it recovers one
 * point a minute), so a peer that goes on is banned again after few offences, for longer.
 *
 * <p>What is kept: bans live in memory; the score is stored with the node in the node table
 * whenever membership saves the node, and a stored score at or below the limit bans the node
 * again for {@code banBase} after a restart ({@link #seed}). Memory is bounded: at most
 * {@link #MAX_TRACKED} nodes are tracked (node ids are free to make); when full, a node that has
 * recovered or whose ban is over is forgotten first, else the one whose ban ends first.
 */
public final class DecayingPeerScore implements PeerScore {
  public static final int DEFAULT_LIMIT = -100;
  public static final Duration DEFAULT_BAN = Duration.ofMinutes(10);
  public static final Duration MAX_BAN = Duration.ofHours(24);
  public static final int MAX_TRACKED = 10_000;
  private static final int FLOOR = -1000;

  private final Clock clock;
  private final long recoveryMillis;
  private final int limit;
  private final long banBaseMillis;
  private final ConcurrentHashMap<String, Entry> scores = new ConcurrentHashMap<>();

  /**
   * @param bannedUntil Unix ms until which the node is refused, 0 when not banned
   * @param bans how many times it was banned
   */
  private record Entry(int score, long at, long bannedUntil, int bans) {}

  public DecayingPeerScore(Clock clock, Duration recovery, int limit, Duration banBase) {
    if (limit >= 0) {
      throw new IllegalArgumentException("the limit is negative");
    }
    this.clock = clock;
    this.recoveryMillis = Math.max(1, recovery.toMillis());
    this.limit = limit;
    this.banBaseMillis = Math.max(1, banBase.toMillis());
  }

  public DecayingPeerScore(Clock clock, Duration recovery, int limit) {
    this(clock, recovery, limit, DEFAULT_BAN);
  }

  public DecayingPeerScore(Clock clock) {
    this(clock, Duration.ofMinutes(1), DEFAULT_LIMIT, DEFAULT_BAN);
  }

  private int current(Entry e, long now) {
    if (e == null) {
      return 0;
    }
    long recovered = Math.max(0, now - e.at) / recoveryMillis;
    return (int) Math.min(0, e.score + recovered);
  }

  /** Starts a node at a stored score (after a restart); at or below the limit, it is banned. */
  public void seed(String nodeId, int score) {
    if (score < 0) {
      long now = clock.millis();
      int s = Math.max(FLOOR, score);
      makeRoom(nodeId, now);
      scores.put(nodeId, new Entry(s, now, s <= limit ? now + banBaseMillis : 0,
          s <= limit ? 1 : 0));
    }
  }

  @Override
  public int penalize(String nodeId, Offence offence) {
    long now = clock.millis();
    makeRoom(nodeId, now);
    Entry e = scores.compute(nodeId, (k, old) -> {
      int s = Math.max(FLOOR, current(old, now) - offence.penalty());
      long until = old == null ? 0 : old.bannedUntil;
      int bans = old == null ? 0 : old.bans;
      if (s <= limit && until <= now) {
        long length = banBaseMillis << Math.min(20, bans);
        until = now + Math.min(MAX_BAN.toMillis(), length);
        bans++;
      }
      return new Entry(s, now, until, bans);
    });
    return e.score;
  }

  @Override
  public int score(String nodeId) {
    return current(scores.get(nodeId), clock.millis());
  }

  @Override
  public boolean refused(String nodeId) {
    return bannedUntil(nodeId) != 0;
  }

  @Override
  public long bannedUntil(String nodeId) {
    Entry e = scores.get(nodeId);
    return e != null && e.bannedUntil > clock.millis() ? e.bannedUntil : 0;
  }

  /** How many nodes are tracked now (for tests and status). */
  public int tracked() {
    return scores.size();
  }

  /** Keeps the map at {@link #MAX_TRACKED} before {@code nodeId} is added. */
  private void makeRoom(String nodeId, long now) {
    if (scores.size() < MAX_TRACKED || scores.containsKey(nodeId)) {
      return;
    }
    String victim = null;
    long earliestEnd = Long.MAX_VALUE;
    for (Iterator<Map.Entry<String, Entry>> it = scores.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> m = it.next();
      Entry e = m.getValue();
      if (e.bannedUntil <= now && (current(e, now) == 0 || e.bans > 0)) {
        it.remove(); // recovered, or its ban is over: nothing worth remembering
        return;
      }
      if (e.bannedUntil < earliestEnd) {
        earliestEnd = e.bannedUntil;
        victim = m.getKey();
      }
    }
    if (victim != null) {
      scores.remove(victim);
    }
  }
}

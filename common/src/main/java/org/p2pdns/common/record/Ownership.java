package org.p2pdns.common.record;

import java.time.Duration;
import org.p2pdns.common.network.NetworkParams;

/**
 * The times of the ownership rules (docs/protocol.md 1.11). They are derived from the network
 * parameters, so they are covered by the network id like the parameters themselves:
 *
 * <ul>
 *   <li>reveal delay = 2 × clock skew + 10 s: a claim may reveal its commitment only this long
 *       after the commitment time. Whoever sees the reveal can only make a commitment that honest
 *       nodes witness as live (within the skew of their clocks), and so later than the revealed
 *       one even when its clock and the node's are both off by the skew.
 *   <li>contest window = 2 × reveal delay + 60 s: how long after a node first stores a lineage
 *       another lineage may still win the name from it there.
 *   <li>commitment lifetime = reveal delay + contest window: how long a node keeps a commitment.
 *   <li>transfer delay = the larger of the contest window and the grace period: how long after
 *       a node first stores a hand-over in a lineage with a recovery key the recovery key may
 *       still cancel it there.
 * </ul>
 */
public final class Ownership {
  private Ownership() {}

  public static Duration revealDelay(NetworkParams p) {
    return p.clockSkew().multipliedBy(2).plusSeconds(10);
  }

  public static Duration contestWindow(NetworkParams p) {
    return revealDelay(p).multipliedBy(2).plusSeconds(60);
  }

  public static Duration commitmentLifetime(NetworkParams p) {
    return revealDelay(p).plus(contestWindow(p));
  }

  public static Duration transferDelay(NetworkParams p) {
    Duration w = contestWindow(p);
    return w.compareTo(p.gracePeriod()) >= 0 ? w : p.gracePeriod();
  }

  /** Proof-of-work bits of a commitment: 4 fewer than a claim's, at least 0. */
  public static int commitmentPowBits(NetworkParams p) {
    return Math.max(0, p.powBits() - 4);
  }

  /**
   * A lineage's place in a contest for its name, as one node sees it (1.11). Ranks compare by:
   * a commitment whose time the node knows (it witnessed the commitment live, or a trusted peer
   * vouched for the lineage) first, earlier times first; then a revealed commitment whose time
   * the node does not know; then a plain claim; within each, the lower lineage id (unsigned
   * bytes).
   *
   * @param committed whether the lineage's claim revealed a commitment
   * @param knownTime the commitment time this node counts, or null when it knows none
   * @param lineage {@link RecordValidator#lineageId}
   */
  public record Rank(boolean committed, Long knownTime, byte[] lineage)
      implements Comparable<Rank> {
    public Rank {
      if (knownTime != null && !committed) {
        throw new IllegalArgumentException("a plain claim has no commitment time");
      }
      lineage = lineage.clone();
    }

    private int tier() {
      return knownTime != null ? 0 : committed ? 1 : 2;
    }

    @Override
    public int compareTo(Rank o) {
      int c = Integer.compare(tier(), o.tier());
      if (c == 0 && knownTime != null) {
        c = Long.compare(knownTime, o.knownTime);
      }
      return c != 0 ? c : java.util.Arrays.compareUnsigned(lineage, o.lineage);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rank r && compareTo(r) == 0;
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(lineage);
    }

    /** For people: "committed at T", "committed (time not witnessed here)", "plain claim". */
    public String describe() {
      return knownTime != null ? "commitment at " + java.time.Instant.ofEpochSecond(knownTime)
          : committed ? "a commitment this node did not witness" : "no commitment";
    }
  }
}

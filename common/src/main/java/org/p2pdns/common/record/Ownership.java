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
   * The contest order of two lineages of one name (1.11): a lineage with a commitment time ranks
   * before one without; earlier commitment times first; then the lower lineage id (unsigned
   * bytes). Negative when {@code a} ranks first.
   *
   * @param timeA the commitment time this node counts for {@code a}, or null for none
   */
  public static int compareRanks(Long timeA, byte[] lineageA, Long timeB, byte[] lineageB) {
    if (timeA != null && timeB == null) {
      return -1;
    }
    if (timeA == null && timeB != null) {
      return 1;
    }
    if (timeA != null && !timeA.equals(timeB)) {
      return Long.compare(timeA, timeB);
    }
    return java.util.Arrays.compareUnsigned(lineageA, lineageB);
  }
}

package org.p2pdns.common.sync;

import java.time.Duration;

/**
 * The knobs of {@link GossipRouter}.
 *
 * @param maxEager the most peers a record is pushed to eagerly (the rest get announcements)
 * @param seenCapacity how many digests the de-duplication cache remembers (oldest forgotten first)
 * @param graftTimeout how long an announced record may take to arrive through the tree before
 *     this side grafts the announcer. Too short and healthy tree paths that are slower than a lazy
 *     link trigger grafts, duplicates and prunes that keep reshaping the tree; too long and a
 *     crashed tree node's subtree waits longer. In the simulation (50-100 ms links) 250 ms gave
 *     1.75 copies per node and 1.1 s to 99.9% at 1,000 nodes; 500 ms gave 1.00 copies and 0.62 s
 *     at 1,000 but 1.29 copies and 1.57 s at 10,000; 750 ms gave 1.00 copies at both (0.62 s,
 *     0.82 s). See docs/performance.md
 * @param retryTimeout how long to wait for a graft's answer before grafting the next announcer
 * @param maxMissing the most announced-but-missing records tracked at once (the rest are left to
 *     catch-up by reconciliation), so a peer's announcements cannot grow memory without bound
 * @param shortcutHops when a record arrives through the tree this many hops later than a lazy
 *     link announced it, that link replaces the tree link (Plumtree's optimization); 0 turns it off.
 *     Off by default: with links of unequal latency, hops are a poor proxy for delay, and in the
 *     simulation it made delivery slower and copies more frequent
 */
public record GossipConfig(int maxEager, int seenCapacity, Duration graftTimeout,
    Duration retryTimeout, int maxMissing, int shortcutHops) {
  public static final GossipConfig DEFAULT =
      new GossipConfig(8, 100_000, Duration.ofMillis(750), Duration.ofMillis(500), 10_000, 0);

  public GossipConfig {
    if (maxEager < 1 || maxEager > 64) {
      throw new IllegalArgumentException("maxEager " + maxEager + " outside 1..64");
    }
    if (seenCapacity < 16) {
      throw new IllegalArgumentException("seenCapacity " + seenCapacity + " below 16");
    }
    if (graftTimeout.isNegative() || graftTimeout.isZero() || retryTimeout.isNegative() || retryTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (shortcutHops < 0 || shortcutHops > GossipMessage.MAX_HOPS) {
      throw new IllegalArgumentException("shortcutHops " + shortcutHops + " outside 0.." + GossipMessage.MAX_HOPS);
    }
    if (maxMissing < 1) {
      throw new IllegalArgumentException("maxMissing " + maxMissing + " below 1");
    }
  }
}

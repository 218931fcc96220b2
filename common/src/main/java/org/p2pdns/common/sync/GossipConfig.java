package org.p2pdns.common.sync;

import java.time.Duration;

/**
 * The knobs of {@link GossipRouter}.
 *
 * @param maxEager the most peers a record is pushed to eagerly (the rest get announcements)
 * @param seenCapacity how many digests the de-duplication cache remembers (oldest forgotten first)
 * @param graftTimeout how long an announced record may take to arrive through the tree before
 *     this side grafts the announcer; a little above one link's round trip
 * @param retryTimeout how long to wait for a graft's answer before grafting the next announcer
 * @param maxMissing the most announced-but-missing records tracked at once (the rest are left to
 *     catch-up by reconciliation), so a peer's announcements cannot grow memory without bound
 */
public record GossipConfig(int maxEager, int seenCapacity, Duration graftTimeout,
    Duration retryTimeout, int maxMissing) {
  public static final GossipConfig DEFAULT =
      new GossipConfig(8, 100_000, Duration.ofMillis(250), Duration.ofMillis(500), 10_000);

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
    if (maxMissing < 1) {
      throw new IllegalArgumentException("maxMissing " + maxMissing + " below 1");
    }
  }
}

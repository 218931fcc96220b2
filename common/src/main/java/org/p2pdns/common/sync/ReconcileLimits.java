package org.p2pdns.common.sync;

/**
 * The knobs of a reconciliation session.
 *
 * @param maxMessageBytes the largest message this side sends or accepts; a reply that would grow
 *     past it folds the ranges it did not reach into one fingerprint, answered in a later round
 * @param initialBranches how many ranges the initiator's first message splits the set into
 * @param maxMessages the most messages a session may receive before the peer is deemed to stall it
 */
public record ReconcileLimits(int maxMessageBytes, int initialBranches, int maxMessages) {
  /** Leaves room for the largest single reply to one range (128 children or 128 sums). */
  public static final int MIN_MESSAGE_BYTES = 4096;
  public static final ReconcileLimits DEFAULT = new ReconcileLimits(60_000, 16, 64);

  public ReconcileLimits {
    if (maxMessageBytes < MIN_MESSAGE_BYTES || maxMessageBytes > ReconcileCodec.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("maxMessageBytes " + maxMessageBytes + " outside "
          + MIN_MESSAGE_BYTES + ".." + ReconcileCodec.MAX_MESSAGE_BYTES);
    }
    if (initialBranches < 1 || initialBranches > 1024) {
      throw new IllegalArgumentException("initialBranches " + initialBranches + " outside 1..1024");
    }
    if (maxMessages < 2) {
      throw new IllegalArgumentException("maxMessages " + maxMessages + " below 2");
    }
  }
}

package org.p2pdns.node.records;

import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;

/**
 * Told of every record the node stored, once per stored change, after it is committed to disk,
 * and of the verified versions that lost to what is stored ({@link #recordLost}). The network
 * layer implements it to gossip new records to peers.
 *
 * <p>Called on the record writer thread, in the order records were stored: an implementation
 * must return quickly (hand the work to its own thread) and must not submit records itself from
 * this call. An exception it throws is logged and does not undo the store.
 */
@FunctionalInterface
public interface RecordListener {
  void recordStored(SignedRecord record, Origin origin);

  /**
   * A version that passed every standalone rule and was decided against the stored one, but lost:
   * the other half of an equivocation (or a version its key signed after handing the name on),
   * now kept as evidence, or a claim that lost a contest for the name (CONTEST_LOST, noted in the
   * history). Every node must see such a version to reach the same evidence and contest outcome,
   * so gossip forwards it like a stored record. Told once, after the evidence or note is
   * committed, and only while the version's origin is within its limits. Versions refused for
   * any other reason (stale, a duplicate, invalid, a plain not-owner) are never told. Called on
   * the record writer thread, like {@link #recordStored}. Nothing by default.
   *
   * @param reason EQUIVOCATION, NOT_OWNER (a fork after a hand-over) or CONTEST_LOST
   */
  default void recordLost(SignedRecord record, Origin origin, RefusalReason reason) {}

  /**
   * A claim's commitment this node now keeps (witnessed live). Called on the submitter's thread;
   * return quickly. Nothing by default.
   */
  default void commitmentKept(org.p2pdns.common.record.Commitment commitment, Origin origin) {}
}

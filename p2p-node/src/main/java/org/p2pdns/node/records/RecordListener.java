package org.p2pdns.node.records;

import org.p2pdns.common.record.SignedRecord;

/**
 * Told of every record the node stored, once per stored change, after it is committed to disk.
 * The network layer implements it to gossip new records to peers.
 *
 * <p>Called on the record writer thread, in the order records were stored: an implementation
 * must return quickly (hand the work to its own thread) and must not submit records itself from
 * this call. An exception it throws is logged and does not undo the store.
 */
@FunctionalInterface
public interface RecordListener {
  void recordStored(SignedRecord record, Origin origin);

  /**
   * A claim's commitment this node now keeps (witnessed live). Called on the submitter's thread;
   * return quickly. Nothing by default.
   */
  default void commitmentKept(org.p2pdns.common.record.Commitment commitment, Origin origin) {}
}

package org.p2pdns.node.records;

import java.util.Optional;
import org.p2pdns.common.record.SignedRecord;

/**
 * Holds back records of names this node cannot decide by the record rules alone: while a new
 * node is still taking its store from several peers by vote, and for names whose vote left them
 * contested (docs/protocol.md 3.8b). The record service asks it about every record that passed
 * the standalone checks, before the record reaches the writer; it also answers lookups of names
 * it holds back. Called on several threads at once.
 */
public interface RecordGate {
  /**
   * Empty to let the record through to the writer; otherwise why it is held back (the gate may
   * keep it as evidence for a later decision). {@code record} has passed
   * {@link org.p2pdns.common.record.RecordValidator#check}.
   */
  Optional<String> holdBack(SignedRecord record, Origin origin);

  /** The answer for a name the gate holds back and the node holds no record of, if any. */
  Optional<LookupResult> lookup(String name);

  /** Lets everything through. */
  RecordGate OPEN = new RecordGate() {
    @Override
    public Optional<String> holdBack(SignedRecord record, Origin origin) {
      return Optional.empty();
    }

    @Override
    public Optional<LookupResult> lookup(String name) {
      return Optional.empty();
    }
  };
}

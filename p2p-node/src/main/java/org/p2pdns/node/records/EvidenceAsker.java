package org.p2pdns.node.records;

/**
 * Asks a trusted peer for its view of a name's current lineage (the peer layer sends
 * LINEAGE_QUERY; docs/protocol.md 1.11). Called on the record writer thread: must not block.
 */
@FunctionalInterface
public interface EvidenceAsker {
  void ask(String peerId, String name);
}

package org.p2pdns.common.sync;

/**
 * What {@link GossipRouter} asks the transport to do. The router never holds record bytes: a
 * {@link PushRecord} names the digest, and the transport sends {@link GossipMessage.Push} with
 * that record from its store.
 *
 * @param <P> the peer identifier type (a node id on a real node)
 */
public sealed interface GossipAction<P> permits GossipAction.PushRecord, GossipAction.Send {
  P peer();

  /** Send the record with this digest to the peer, as {@code Push(hops, record)}. */
  record PushRecord<P>(P peer, byte[] digest, int hops) implements GossipAction<P> {
    public PushRecord {
      digest = digest.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }
  }

  /** Send this control message (announce, graft, prune) to the peer. */
  record Send<P>(P peer, GossipMessage message) implements GossipAction<P> {}
}

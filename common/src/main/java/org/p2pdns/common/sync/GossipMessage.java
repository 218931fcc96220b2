package org.p2pdns.common.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * The dissemination messages between two peers (Plumtree: eager push along a tree, lazy
 * announcements on the other links, graft and prune to repair and trim the tree). Immutable;
 * bytes in {@link GossipCodec}; rules in {@link GossipRouter}.
 */
public sealed interface GossipMessage
    permits GossipMessage.Push, GossipMessage.IHave, GossipMessage.Graft, GossipMessage.Prune {

  int DIGEST_BYTES = 32;
  /** The most digests one announcement or graft carries. */
  int MAX_DIGESTS = 1024;

  /** A whole signed record (its canonical encoding), sent eagerly or in answer to a graft. */
  record Push(byte[] record) implements GossipMessage {
    public Push {
      if (record.length == 0) {
        throw new IllegalArgumentException("empty record");
      }
      record = record.clone();
    }

    @Override
    public byte[] record() {
      return record.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Push p && java.util.Arrays.equals(p.record, record);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(record);
    }

    @Override
    public String toString() {
      return "Push[" + record.length + " bytes]";
    }
  }

  /** "I hold these records" (lazy link): the receiver grafts if the eager tree fails to deliver. */
  record IHave(List<byte[]> digests) implements GossipMessage {
    public IHave {
      digests = checkedDigests(digests);
    }

    @Override
    public List<byte[]> digests() {
      return copies(digests);
    }
  }

  /** "Send me these records, and push to me eagerly from now on." */
  record Graft(List<byte[]> digests) implements GossipMessage {
    public Graft {
      digests = checkedDigests(digests);
    }

    @Override
    public List<byte[]> digests() {
      return copies(digests);
    }
  }

  /** "I got that one twice: announce to me lazily from now on." */
  record Prune() implements GossipMessage {}

  private static List<byte[]> checkedDigests(List<byte[]> digests) {
    if (digests.isEmpty() || digests.size() > MAX_DIGESTS) {
      throw new IllegalArgumentException(digests.size() + " digests, want 1.." + MAX_DIGESTS);
    }
    List<byte[]> out = new ArrayList<>(digests.size());
    for (byte[] d : digests) {
      if (d.length != DIGEST_BYTES) {
        throw new IllegalArgumentException("digest of " + d.length + " bytes");
      }
      out.add(d.clone());
    }
    return List.copyOf(out);
  }

  private static List<byte[]> copies(List<byte[]> digests) {
    List<byte[]> out = new ArrayList<>(digests.size());
    for (byte[] d : digests) {
      out.add(d.clone());
    }
    return out;
  }
}

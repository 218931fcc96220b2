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

  /** The largest hop count; counts saturate there. */
  int MAX_HOPS = 255;

  /**
   * A whole signed record (its canonical encoding), sent eagerly or in answer to a graft, with the
   * number of links it has crossed on arrival (1 for the first hop from its origin).
   */
  record Push(int hops, byte[] record) implements GossipMessage {
    public Push {
      checkHops(hops);
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
      return o instanceof Push p && p.hops == hops && java.util.Arrays.equals(p.record, record);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(record) * 31 + hops;
    }

    @Override
    public String toString() {
      return "Push[hops " + hops + ", " + record.length + " bytes]";
    }
  }

  /**
   * "I hold these records" (lazy link), with the hop count a push from here would arrive with: the
   * receiver grafts if the eager tree fails to deliver, or if the tree's path is much longer.
   */
  record IHave(int hops, List<byte[]> digests) implements GossipMessage {
    public IHave {
      checkHops(hops);
      digests = checkedDigests(digests, 1);
    }

    @Override
    public List<byte[]> digests() {
      return copies(digests);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IHave h && h.hops == hops && sameDigests(h.digests, digests);
    }

    @Override
    public int hashCode() {
      return digestsHash(digests) * 31 + hops;
    }
  }

  /**
   * "Push to me eagerly from now on, and send me these records" (the list is empty when the link
   * is grafted only because it is a shorter path).
   */
  record Graft(List<byte[]> digests) implements GossipMessage {
    public Graft {
      digests = checkedDigests(digests, 0);
    }

    @Override
    public List<byte[]> digests() {
      return copies(digests);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Graft g && sameDigests(g.digests, digests);
    }

    @Override
    public int hashCode() {
      return digestsHash(digests);
    }
  }

  /** "I got that one twice: announce to me lazily from now on." */
  record Prune() implements GossipMessage {}

  private static void checkHops(int hops) {
    if (hops < 0 || hops > MAX_HOPS) {
      throw new IllegalArgumentException("hops " + hops + " outside 0.." + MAX_HOPS);
    }
  }

  private static List<byte[]> checkedDigests(List<byte[]> digests, int min) {
    if (digests.size() < min || digests.size() > MAX_DIGESTS) {
      throw new IllegalArgumentException(digests.size() + " digests, want " + min + ".." + MAX_DIGESTS);
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

  private static boolean sameDigests(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static int digestsHash(List<byte[]> digests) {
    int h = 1;
    for (byte[] d : digests) {
      h = h * 31 + java.util.Arrays.hashCode(d);
    }
    return h;
  }

  private static List<byte[]> copies(List<byte[]> digests) {
    List<byte[]> out = new ArrayList<>(digests.size());
    for (byte[] d : digests) {
      out.add(d.clone());
    }
    return out;
  }
}

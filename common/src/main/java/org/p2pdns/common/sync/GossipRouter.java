package org.p2pdns.common.sync;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;

/**
 * Decides where each record goes, after Plumtree (Leitão, Pereira, Rodrigues 2007): records are
 * pushed whole along a spanning tree of "eager" links and announced by digest on the other
 * ("lazy") links. A copy that arrives twice prunes the link it came by into a lazy one; an
 * announcement whose record does not follow within {@link GossipConfig#graftTimeout()} grafts
 * the announcer's link back into the tree. After warm-up each node receives about one copy of
 * each record, and a lost link or node is repaired by the lazy links.
 *
 * <p>Plain state driven by the caller: every input returns the {@link GossipAction}s to perform;
 * {@link #tick()} fires the graft timers and {@link #nextDeadline()} says when it is next due.
 * Time comes from the injected clock. Validation is the caller's: a new record is forwarded only
 * after {@link #accepted}. Not thread-safe.
 *
 * @param <P> the peer identifier type (a node id on a real node)
 */
public final class GossipRouter<P> {
  /** Whether a push brought something new (validate it, then call accepted/rejected) or a copy. */
  public enum Arrival { NEW, DUPLICATE }

  private enum State { VALIDATING, ACCEPTED, REJECTED }

  private final GossipConfig config;
  private final Clock clock;
  private final Random random;
  private final LinkedHashSet<P> eager = new LinkedHashSet<>();
  private final LinkedHashSet<P> lazy = new LinkedHashSet<>();
  private final LinkedHashMap<ByteBuffer, Seen> seen;
  private final LinkedHashMap<ByteBuffer, Missing<P>> missing = new LinkedHashMap<>();
  private long payloadsReceived;
  private long duplicatesReceived;

  public GossipRouter(GossipConfig config, Clock clock) {
    this(config, clock, new Random());
  }

  /** @param random picks which announcer a graft goes to (seed it for a repeatable run) */
  public GossipRouter(GossipConfig config, Clock clock, Random random) {
    this.config = config;
    this.clock = clock;
    this.random = random;
    int cap = config.seenCapacity();
    this.seen = new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Seen> e) {
        return size() > cap;
      }
    };
  }

  /** A link came up: it joins the tree while there is room, else it is lazy. */
  public void peerUp(P peer) {
    if (eager.contains(peer) || lazy.contains(peer)) {
      return;
    }
    if (eager.size() < config.maxEager()) {
      eager.add(peer);
    } else {
      lazy.add(peer);
    }
  }

  /** A link went down: forget it; records it announced are grafted from other announcers. */
  public void peerDown(P peer) {
    eager.remove(peer);
    lazy.remove(peer);
    for (Missing<P> m : missing.values()) {
      m.announcers.removeIf(a -> a.peer.equals(peer));
    }
    // Keep the tree as wide as allowed: promote a lazy link in its place.
    if (eager.size() < config.maxEager() && !lazy.isEmpty()) {
      P promoted = lazy.iterator().next();
      lazy.remove(promoted);
      eager.add(promoted);
    }
  }

  /** A record submitted (and validated) here: push it into the tree and announce it. */
  public List<GossipAction<P>> publish(byte[] digest) {
    ByteBuffer key = key(digest);
    Seen prior = seen.get(key);
    if (prior != null && prior.state == State.ACCEPTED) {
      return List.of();
    }
    seen.put(key, new Seen(State.ACCEPTED, 0));
    missing.remove(key);
    return forward(digest, null, 0);
  }

  /**
   * A pushed record arrived from a peer. A copy of one seen before prunes that link (the answer
   * holds the PRUNE to send). A new one must be validated by the caller, who then calls
   * {@link #accepted} or {@link #rejected}; its digest is already marked seen, so copies arriving
   * during validation are treated as duplicates.
   */
  public PushResult<P> onPush(P from, byte[] digest, int hops) {
    ByteBuffer key = key(digest);
    payloadsReceived++;
    if (seen.containsKey(key)) {
      duplicatesReceived++;
      // Whichever way this side saw the link, the peer pushes on it: tell it to stop.
      List<GossipAction<P>> out = new ArrayList<>(1);
      if (eager.remove(from) || lazy.contains(from)) {
        lazy.add(from);
        out.add(new GossipAction.Send<>(from, new GossipMessage.Prune()));
      }
      return new PushResult<>(Arrival.DUPLICATE, out);
    }
    seen.put(key, new Seen(State.VALIDATING, hops));
    Missing<P> announced = missing.remove(key);
    Announcer<P> best = announced == null ? null : announced.closest(this);
    List<GossipAction<P>> out = new ArrayList<>(2);
    if (config.shortcutHops() > 0 && best != null && hops - best.hops >= config.shortcutHops()) {
      // The tree brought this the long way round: the announcer's link replaces the sender's.
      promote(best.peer, out);
      demote(from);
      out.add(new GossipAction.Send<>(best.peer, new GossipMessage.Graft(List.of())));
      out.add(new GossipAction.Send<>(from, new GossipMessage.Prune()));
      return new PushResult<>(Arrival.NEW, out);
    }
    // The link that delivered first is on the fastest path: keep it in the tree (at the limit
    // the oldest other tree link is pruned on both ends).
    promote(from, out);
    return new PushResult<>(Arrival.NEW, out);
  }

  /** The record from {@link #onPush} passed validation: forward it to everyone but its sender. */
  public List<GossipAction<P>> accepted(byte[] digest, P from) {
    ByteBuffer key = key(digest);
    Seen s = seen.get(key);
    if (s != null && s.state == State.ACCEPTED) {
      return List.of();
    }
    int hops = s == null ? 0 : s.hops;
    seen.put(key, new Seen(State.ACCEPTED, hops));
    return forward(digest, from, hops);
  }

  /** The record failed validation: it is not forwarded, and copies of it are not validated again. */
  public void rejected(byte[] digest) {
    ByteBuffer key = key(digest);
    Seen s = seen.get(key);
    seen.put(key, new Seen(State.REJECTED, s == null ? 0 : s.hops));
  }

  /**
   * The record was refused for a reason that may pass later (a rate limit, a clock ahead of
   * ours): forget its digest, so that a later copy is validated again instead of pruning its
   * link. An accepted record is not forgotten.
   */
  public void forget(byte[] digest) {
    ByteBuffer key = key(digest);
    Seen s = seen.get(key);
    if (s != null && s.state != State.ACCEPTED) {
      seen.remove(key);
    }
  }

  /** Announcements from a lazy link: start a timer for each record not seen yet. */
  public void onIHave(P from, int hops, List<byte[]> digests) {
    long now = clock.millis();
    for (byte[] d : digests) {
      ByteBuffer key = key(d);
      if (seen.containsKey(key)) {
        continue;
      }
      Missing<P> m = missing.get(key);
      if (m == null) {
        if (missing.size() >= config.maxMissing()) {
          continue;
        }
        m = new Missing<>(d.clone(), now + config.graftTimeout().toMillis());
        missing.put(key, m);
      }
      if (!m.asked.contains(from) && m.announcers.stream().noneMatch(a -> a.peer.equals(from))) {
        m.announcers.add(new Announcer<>(from, hops));
      }
    }
  }

  /**
   * A peer grafted this link: push to it eagerly again, and send the records it asked for that
   * this side holds. A side whose tree is full ({@code maxEager} eager links) sends the records
   * but keeps its tree and answers PRUNE: the grafter asks another announcer next time. (Taking
   * the link and dropping the oldest instead made a chain reaction: after concurrent records
   * had pruned the tree apart, every node cut off grafted the same origin, which then dropped
   * most of them again, and the next record found the tree as broken as before.)
   */
  public List<GossipAction<P>> onGraft(P from, List<byte[]> digests) {
    List<GossipAction<P>> out = new ArrayList<>();
    boolean full = !eager.contains(from) && eager.size() >= config.maxEager();
    if (!full) {
      promote(from, out);
    }
    Set<ByteBuffer> answered = new HashSet<>();
    for (byte[] d : digests) {
      ByteBuffer k = key(d);
      Seen s = seen.get(k);
      // Each record once per GRAFT, however often the frame names it.
      if (s != null && s.state == State.ACCEPTED && answered.add(k)) {
        out.add(new GossipAction.PushRecord<>(from, d, nextHops(s.hops)));
      }
    }
    if (full && lazy.contains(from)) {
      out.add(new GossipAction.Send<>(from, new GossipMessage.Prune()));
    }
    return out;
  }

  /** A peer pruned this link: announce to it from now on. */
  public void onPrune(P from) {
    demote(from);
  }

  /**
   * Fires due graft timers: grafts an announcer still linked of each overdue record
   * ({@code graftTimeout} after its first announcement), then, every {@code retryTimeout} while
   * the record has not come, another one, including announcers heard of after the first graft.
   * A record is given up (left to reconciliation) once a retry timer finds nobody left to ask.
   *
   * <p>The announcer is picked at random, not the first: when the tree falls apart (concurrent
   * records prune links on every side), every node cut off grafts at once, and the first
   * announcer is the record's origin for nearly all of them; grafting it would make it eager to
   * more peers than {@code maxEager} allows, and the links it drops again would need grafts for
   * the next record too. A random announcer spreads the new tree links over the nodes that hold
   * the record.
   */
  public List<GossipAction<P>> tick() {
    long now = clock.millis();
    List<GossipAction<P>> out = new ArrayList<>();
    Iterator<Missing<P>> it = missing.values().iterator();
    while (it.hasNext()) {
      Missing<P> m = it.next();
      if (m.deadline > now) {
        continue;
      }
      m.announcers.removeIf(a -> !isPeer(a.peer)); // links gone down: not worth a timer
      Announcer<P> next = m.takeRandom(random);
      if (next == null) {
        it.remove();
        continue;
      }
      promote(next.peer, out);
      out.add(new GossipAction.Send<>(next.peer, new GossipMessage.Graft(List.of(m.digest))));
      m.asked.add(next.peer);
      // Kept until the retry deadline even when nobody else announced it yet: an announcement
      // that arrives meanwhile is the next one to ask.
      m.deadline = now + config.retryTimeout().toMillis();
    }
    return out;
  }

  /** When {@link #tick()} next has something to do, in clock millis; empty if nothing is pending. */
  public OptionalLong nextDeadline() {
    long min = Long.MAX_VALUE;
    for (Missing<P> m : missing.values()) {
      min = Math.min(min, m.deadline);
    }
    return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
  }

  public boolean hasSeen(byte[] digest) {
    return seen.containsKey(key(digest));
  }

  public Set<P> eagerPeers() {
    return Set.copyOf(eager);
  }

  public Set<P> lazyPeers() {
    return Set.copyOf(lazy);
  }

  /** Whole records received, duplicates included. */
  public long payloadsReceived() {
    return payloadsReceived;
  }

  public long duplicatesReceived() {
    return duplicatesReceived;
  }

  private List<GossipAction<P>> forward(byte[] digest, P from, int hops) {
    List<GossipAction<P>> out = new ArrayList<>(eager.size() + lazy.size());
    int next = nextHops(hops);
    for (P p : eager) {
      if (!p.equals(from)) {
        out.add(new GossipAction.PushRecord<>(p, digest, next));
      }
    }
    if (!lazy.isEmpty()) {
      GossipMessage announce = new GossipMessage.IHave(next, List.of(digest));
      for (P p : lazy) {
        if (!p.equals(from)) {
          out.add(new GossipAction.Send<>(p, announce));
        }
      }
    }
    return out;
  }

  /**
   * Moves a link into the tree (a graft, or the first delivery of a record). At the eager limit
   * the oldest other eager link turns lazy, and its peer is sent PRUNE: it stops pushing here
   * too, and, no longer getting pushes from here, grafts a link again if it needs one. Without
   * the PRUNE that peer would wait for records that now come to it only as announcements.
   */
  private void promote(P peer, List<GossipAction<P>> out) {
    if (eager.contains(peer)) {
      return;
    }
    if (!lazy.remove(peer)) {
      return;
    }
    if (eager.size() >= config.maxEager()) {
      P oldest = eager.iterator().next();
      eager.remove(oldest);
      lazy.add(oldest);
      out.add(new GossipAction.Send<>(oldest, new GossipMessage.Prune()));
    }
    eager.add(peer);
  }

  private static int nextHops(int hops) {
    return Math.min(hops + 1, GossipMessage.MAX_HOPS);
  }

  private boolean isPeer(P peer) {
    return eager.contains(peer) || lazy.contains(peer);
  }

  private void demote(P peer) {
    if (eager.remove(peer)) {
      lazy.add(peer);
    }
  }

  private static ByteBuffer key(byte[] digest) {
    if (digest.length != GossipMessage.DIGEST_BYTES) {
      throw new IllegalArgumentException("digest of " + digest.length + " bytes");
    }
    return ByteBuffer.wrap(digest.clone());
  }

  /** What a push brought and what to send because of it. */
  public record PushResult<P>(Arrival arrival, List<GossipAction<P>> actions) {
    public PushResult {
      actions = List.copyOf(actions);
    }
  }

  private static final class Seen {
    final State state;
    final int hops;

    Seen(State state, int hops) {
      this.state = state;
      this.hops = hops;
    }
  }

  private record Announcer<P>(P peer, int hops) {}

  private static final class Missing<P> {
    final byte[] digest;
    final ArrayDeque<Announcer<P>> announcers = new ArrayDeque<>();
    /** Announcers already grafted for it: not asked twice. */
    final List<P> asked = new ArrayList<>(2);

    /** Removes and returns a random announcer; null when none is left. */
    Announcer<P> takeRandom(Random random) {
      if (announcers.isEmpty()) {
        return null;
      }
      int k = random.nextInt(announcers.size());
      Iterator<Announcer<P>> it = announcers.iterator();
      Announcer<P> a = it.next();
      for (int i = 0; i < k; i++) {
        a = it.next();
      }
      it.remove();
      return a;
    }

    /** The announcer still linked that offered the shortest path, or null. */
    Announcer<P> closest(GossipRouter<P> router) {
      Announcer<P> best = null;
      for (Announcer<P> a : announcers) {
        if (router.isPeer(a.peer) && (best == null || a.hops < best.hops)) {
          best = a;
        }
      }
      return best;
    }

    long deadline;

    Missing(byte[] digest, long deadline) {
      this.digest = digest;
      this.deadline = deadline;
    }
  }
}

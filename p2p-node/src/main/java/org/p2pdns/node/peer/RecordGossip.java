package org.p2pdns.node.peer;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.sync.GossipAction;
import org.p2pdns.common.sync.GossipConfig;
import org.p2pdns.common.sync.GossipMessage;
import org.p2pdns.common.sync.GossipRouter;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordListener;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.ratelimit.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads records along a Plumtree ({@link GossipRouter}, docs/protocol.md 3.8 and 4.2): each
 * stored record is pushed whole (RECORD) to at most {@link GossipConfig#maxEager()} "eager"
 * links and announced by digest (IHAVE) on the others (a relay on {@link #RELAY_ANNOUNCE_LINKS}
 * of them); a second copy prunes the link it came by,
 * an announcement whose record does not follow in time grafts the announcer's link. Every RECORD
 * a peer pushes goes through the node's one record path ({@link RecordService#submit}), validated
 * before it is stored or forwarded. Versions that were verified but lost (an equivocation's other
 * half, a claim that lost its contest: {@link RecordListener#recordLost}) travel the same way,
 * since every node needs them for the same evidence and contest outcome; a GRAFT for one is
 * answered from {@link RecentlyForwarded}, as the store never holds it. Announcements are
 * gathered per link for {@link #IHAVE_BATCH_MILLIS} and sent as one IHAVE frame. Also answers
 * RECORD_REQUEST by name and by page (the whole-store transfer); {@link CatchUp} answers it by
 * digest.
 *
 * <p>Threads: the router is plain state, so one "gossip" thread owns it and everything that
 * touches it (link events, pushes, the record service's decisions, graft timers) is handed to that
 * thread. Nothing there blocks: {@link PeerLink#send} only queues (a slow peer's link drops
 * pushes or is disconnected by the transport) and record submission is asynchronous.
 */
public final class RecordGossip implements PeerMessageListener, RecordListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordGossip.class);
  /** A record that arrived with this many hops is stored but not forwarded again. */
  static final int MAX_HOPS = 64;
  /** Pushes waiting for the gossip thread beyond which more are dropped (catch-up repairs). */
  static final int MAX_QUEUED_PUSHES = 20_000;
  /** Digests of recently stored records remembered with their names, to answer grafts by digest. */
  private static final int NAMES_BY_DIGEST = 65_536;
  /**
   * How long announcements wait to be sent together, per link. An announcement matters only when
   * the tree fails, so a short wait costs nothing while records flow; under load it turns one
   * IHAVE frame per record and lazy link into one per link every few tens of milliseconds.
   */
  static final long IHAVE_BATCH_MILLIS = 25;
  /**
   * Lazy links a relay announces each record on, picked at random; the origin announces on all.
   * In a full mesh every node has about N - 3 lazy links, and one IHAVE per record on each made
   * as many frames as flooding made copies. An announcement is needed only where the tree failed
   * a node: the origin's reaches every node it is linked to, and with 4 per relay a node hears of
   * a record from about 4 relays besides.
   */
  static final int RELAY_ANNOUNCE_LINKS = 4;
  /** Refusals that show the sender forwarded something no honest node would. */
  private static final Set<RefusalReason> SENDER_AT_FAULT = EnumSet.of(RefusalReason.MALFORMED,
      RefusalReason.BAD_SIGNATURE, RefusalReason.BAD_NAME, RefusalReason.OUTSIDE_SUBTREE,
      RefusalReason.TOO_LARGE, RefusalReason.BAD_RR, RefusalReason.INSUFFICIENT_POW,
      RefusalReason.BAD_LIFETIME, RefusalReason.EARLY_REVEAL);

  /**
   * RECORD pushes one link may bring at once, and per second after that. The excess is dropped
   * before validation and costs the peer nothing (an honest relay can burst), and the link is not
   * read for a moment, so the sender is slowed to the rate; reconciliation at the next link-up
   * repairs what an honest burst lost. Bounds the work one peer can make this node do.
   */
  static final int PUSH_BURST = 2_000;
  static final double PUSH_PER_SECOND = 200;
  /** How long a link over its budget is not read: about ten tokens' worth. */
  static final long PAUSE_MILLIS = 50;

  private final RecordService records;
  private final PeerNetwork network;
  private final Clock clock;
  /** Real time, for the gossip timers (see the constructor). */
  private final Clock timers;
  /** Picks the links a relay announces on; used on the gossip thread only. */
  private final java.util.Random random = new java.util.Random();
  private final ScheduledExecutorService thread;

  // Owned by the gossip thread.
  private final GossipRouter<String> router;
  /** Digest to the name of the record stored with it, to find the bytes a PushRecord names. */
  private final Map<ByteBuffer, String> namesByDigest =
      new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, String> eldest) {
          return size() > NAMES_BY_DIGEST;
        }
      };
  /** Pushed records being validated: digest to the hops they arrived with. */
  private final Map<ByteBuffer, Integer> validating = new HashMap<>();
  /** What this node pushed or announced lately, to answer grafts for versions not stored. */
  private final RecentlyForwarded recent;
  /** Announcements gathered per peer (node id) until the next flush. */
  private final Map<String, Announcements> announcements = new LinkedHashMap<>();
  private ScheduledFuture<?> flushTask;
  private ScheduledFuture<?> tickTask;
  private long tickAt = Long.MAX_VALUE;

  private final AtomicInteger queuedPushes = new AtomicInteger();
  /** Per-link RECORD budgets, taken on the link's event loop before the gossip thread sees it. */
  private final Map<PeerLink, TokenBucket> pushBudgets = new ConcurrentHashMap<>();
  /**
   * Tree control per link, counted by digest (an IHAVE or GRAFT of n digests takes n tokens, a
   * PRUNE one), with the push budget's size: an honest link announces or asks at most one digest
   * per record. Bounds the grafts a peer can make this node answer with whole records, and the
   * made-up announcements it can make this node track.
   */
  private final Map<PeerLink, TokenBucket> controlBudgets = new ConcurrentHashMap<>();
  private final AtomicLong overLimit = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong repeats = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong pushed = new AtomicLong();
  private final AtomicLong unsent = new AtomicLong();
  private final AtomicLong ihaveSent = new AtomicLong();
  private final AtomicLong ihaveDigests = new AtomicLong();
  private final AtomicLong lostForwarded = new AtomicLong();
  private final AtomicLong ihaveReceived = new AtomicLong();
  private final AtomicLong graftSent = new AtomicLong();
  private final AtomicLong graftReceived = new AtomicLong();
  private final AtomicLong pruneSent = new AtomicLong();
  private final AtomicLong pruneReceived = new AtomicLong();
  private final AtomicLong overflow = new AtomicLong();
  private final AtomicLong commitmentsSent = new AtomicLong();
  private volatile Set<String> eager = Set.of();
  private volatile Set<String> lazy = Set.of();

  public RecordGossip(RecordService records, PeerNetwork network, GossipConfig config,
      Clock clock) {
    this.records = records;
    this.network = network;
    this.clock = clock;
    // The graft timers and the flush run on the executor, in real time; so do the router's
    // deadlines and the cache's ages. The node's clock is for record times (tests move it by
    // hand, and timers measured by it would never come due).
    Clock timers = Clock.systemUTC();
    this.router = new GossipRouter<>(config, timers);
    this.recent = new RecentlyForwarded(timers);
    this.timers = timers;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "gossip");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    this.thread = t;
    records.setEvidenceAsker((peerId, name) -> network.link(peerId)
        .ifPresent(l -> l.send(new PeerMessage.LineageQuery(name))));
  }

  @Override
  public void onLinkUp(PeerLink link) {
    pushBudgets.put(link, new TokenBucket(PUSH_BURST, PUSH_PER_SECOND, clock.millis()));
    controlBudgets.put(link, new TokenBucket(PUSH_BURST, PUSH_PER_SECOND, clock.millis()));
    onGossipThread(() -> {
      router.peerUp(link.nodeId());
      refreshTree();
    });
  }

  @Override
  public void onLinkDown(PeerLink link) {
    pushBudgets.remove(link);
    controlBudgets.remove(link);
    onGossipThread(() -> {
      // A newer link to the same node may already have replaced this one.
      if (network.link(link.nodeId()).filter(PeerLink::isOpen).isEmpty()) {
        router.peerDown(link.nodeId());
        refreshTree();
      }
    });
  }

  @Override
  public void onMessage(PeerLink link, PeerMessage message) {
    if (message instanceof PeerMessage.RecordPush push) {
      TokenBucket budget = pushBudgets.get(link);
      if (budget != null) {
        boolean ok;
        synchronized (budget) {
          ok = budget.tryTake(clock.millis());
        }
        if (!ok) {
          overLimit.incrementAndGet();
          // Back-pressure: stop reading the link until a token is due, so that a flooder's
          // records wait in its own socket instead of being decrypted here and dropped.
          link.pauseReading(PAUSE_MILLIS);
          return;
        }
      }
      if (queuedPushes.incrementAndGet() > MAX_QUEUED_PUSHES) {
        queuedPushes.decrementAndGet();
        overflow.incrementAndGet();
        return;
      }
      byte[] digest = push.digest(); // hashed here, off the gossip thread
      onGossipThread(() -> {
        queuedPushes.decrementAndGet();
        onPush(link, push, digest);
      });
    } else if (message instanceof PeerMessage.TreeControl control) {
      GossipMessage m = control.message();
      int cost = m instanceof GossipMessage.IHave h ? h.digests().size()
          : m instanceof GossipMessage.Graft g ? Math.max(1, g.digests().size()) : 1;
      TokenBucket budget = controlBudgets.get(link);
      if (budget != null) {
        boolean ok;
        synchronized (budget) {
          ok = budget.tryTake(cost, clock.millis());
        }
        if (!ok) {
          overLimit.incrementAndGet();
          link.pauseReading(PAUSE_MILLIS);
          return; // a lost IHAVE or GRAFT costs a later repair, nothing more
        }
      }
      if (queuedPushes.incrementAndGet() > MAX_QUEUED_PUSHES) {
        queuedPushes.decrementAndGet();
        overflow.incrementAndGet();
        return;
      }
      onGossipThread(() -> {
        queuedPushes.decrementAndGet();
        onControl(link, m);
      });
    } else if (message instanceof PeerMessage.CommitmentPush push) {
      onCommitment(link, push);
    } else if (message instanceof PeerMessage.LineageQuery q) {
      Optional<RecordService.LineageFacts> facts = records.lineageFacts(q.name());
      link.send(facts.isEmpty()
          ? new PeerMessage.Lineage(q.name(), Optional.empty(), Optional.empty(), 0)
          : new PeerMessage.Lineage(q.name(), Optional.of(facts.get().lineage()),
              facts.get().countedTime(), facts.get().heldSince()));
    } else if (message instanceof PeerMessage.Lineage l) {
      records.peerLineage(link.nodeId(), l.name(), l.lineage(), l.countedTime())
          .ifPresent(waiting -> records.submit(waiting, Origin.peer(link.nodeId())));
    } else if (message instanceof PeerMessage.RecordsByName r) {
      List<byte[]> out = new ArrayList<>();
      for (String name : r.names()) {
        records.current(name).ifPresent(rec -> out.add(rec.encoded()));
      }
      sendPaged(link, r.requestId(), out, false);
    } else if (message instanceof PeerMessage.RecordPage r) {
      // One RECORDS frame per page: when the records do not fit, the page ends early with
      // more = 1 and the asker goes on after its last name.
      RecordService.NamesPage page = records.names(r.afterName(), r.limit());
      List<byte[]> out = new ArrayList<>(page.names().size());
      int bytes = PeerMessageCodec.RECORDS_OVERHEAD;
      boolean more = page.more();
      for (String name : page.names()) {
        Optional<SignedRecord> rec = records.current(name);
        if (rec.isEmpty()) {
          continue;
        }
        int add = rec.get().encodedLength() + PeerMessageCodec.RECORDS_PER_RECORD_OVERHEAD;
        if (!out.isEmpty() && bytes + add > PeerMessageCodec.MAX_FRAME_BYTES) {
          more = true;
          break;
        }
        out.add(rec.get().encoded());
        bytes += add;
      }
      link.send(new PeerMessage.Records(r.requestId(), out, more));
    }
    // RECORD_REQUEST by digest is answered by CatchUp, which keeps the digest index.
  }

  /**
   * Sends the records in as few RECORDS frames as the frame limit allows; every frame but the
   * last says more = 1 (further frames with the same request id follow).
   */
  private static void sendPaged(PeerLink link, long requestId, List<byte[]> encoded,
      boolean more) {
    List<byte[]> page = new ArrayList<>();
    int bytes = PeerMessageCodec.RECORDS_OVERHEAD;
    for (byte[] r : encoded) {
      int add = r.length + PeerMessageCodec.RECORDS_PER_RECORD_OVERHEAD;
      if (!page.isEmpty() && bytes + add > PeerMessageCodec.MAX_FRAME_BYTES) {
        link.send(new PeerMessage.Records(requestId, page, true));
        page = new ArrayList<>();
        bytes = PeerMessageCodec.RECORDS_OVERHEAD;
      }
      page.add(r);
      bytes += add;
    }
    link.send(new PeerMessage.Records(requestId, page, more));
  }

  /** On the gossip thread: a whole record from a peer, new (validate it) or a copy (prune). */
  private void onPush(PeerLink link, PeerMessage.RecordPush push, byte[] digest) {
    received.incrementAndGet();
    String from = link.nodeId();
    GossipRouter.PushResult<String> result = router.onPush(from, digest, push.hops());
    perform(result.actions(), null);
    refreshTree();
    if (result.arrival() == GossipRouter.Arrival.DUPLICATE) {
      repeats.incrementAndGet();
      return;
    }
    ByteBuffer key = ByteBuffer.wrap(digest);
    validating.put(key, push.hops());
    records.submit(push.record(), Origin.peer(from)).whenComplete((outcome, err) ->
        onGossipThread(() -> submitted(link, key, outcome, err)));
  }

  /**
   * On the gossip thread: the record service decided a pushed record. A stored one, or a verified
   * one that lost, was already forwarded by {@link #recordStored} or {@link #recordLost} (called
   * before the decision completes, and an accepted digest is never forgotten); here the router
   * learns of the other outcomes.
   */
  private void submitted(PeerLink link, ByteBuffer key, SubmitResult outcome, Throwable err) {
    validating.remove(key);
    byte[] digest = key.array();
    if (err != null) {
      LOG.error("submitting a record from peer {} failed", link.nodeId(), err);
      router.rejected(digest);
      return;
    }
    if (outcome.outcome() == SubmitResult.Outcome.DUPLICATE) {
      // The store had it already (catch-up brought it): nothing to forward, but grafts for it
      // can be answered.
      router.accepted(digest, link.nodeId());
      return;
    }
    Optional<RefusalReason> reason = outcome.refusal().map(RefusalReason.Refusal::reason);
    if (reason.isPresent()) {
      if (SENDER_AT_FAULT.contains(reason.get())) {
        // Never valid: not forwarded, and its copies count as duplicates, unvalidated.
        router.rejected(digest);
        invalid.incrementAndGet();
        LOG.debug("peer {} pushed an invalid record: {}", link.nodeId(), outcome);
        link.penalize(PeerScore.Offence.INVALID_RECORD);
      } else {
        // Honest nodes cause these (a rate limit, a record held back during the bootstrap vote,
        // a clock ahead of ours): a later copy may pass, so it is validated again.
        router.forget(digest);
      }
    }
  }

  private void onControl(PeerLink link, GossipMessage message) {
    String from = link.nodeId();
    if (message instanceof GossipMessage.IHave h) {
      ihaveReceived.incrementAndGet();
      router.onIHave(from, h.hops(), h.digests());
      scheduleTick();
    } else if (message instanceof GossipMessage.Graft g) {
      graftReceived.incrementAndGet();
      perform(router.onGraft(from, g.digests()), null);
    } else if (message instanceof GossipMessage.Prune) {
      pruneReceived.incrementAndGet();
      router.onPrune(from);
    }
    refreshTree();
  }

  private void onCommitment(PeerLink link, PeerMessage.CommitmentPush push) {
    Commitment c;
    try {
      c = Commitment.decode(push.commitment());
    } catch (MalformedException e) {
      LOG.debug("peer {} pushed a malformed commitment: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.INVALID_RECORD);
      return;
    }
    records.submitCommitment(c, Origin.peer(link.nodeId())).whenComplete((result, err) -> {
      if (err != null) {
        LOG.error("submitting a commitment from peer {} failed", link.nodeId(), err);
        return;
      }
      if (result.refusal().map(r -> r.reason() == RefusalReason.INSUFFICIENT_POW).orElse(false)) {
        invalid.incrementAndGet();
        LOG.debug("peer {} pushed a commitment without its work", link.nodeId());
        link.penalize(PeerScore.Offence.INVALID_RECORD);
      }
    });
  }

  /** A commitment this node now keeps: push it to every other link, once. */
  @Override
  public void commitmentKept(Commitment commitment, Origin origin) {
    String from = origin instanceof Origin.Peer p ? p.nodeId() : null;
    PeerMessage.CommitmentPush push = new PeerMessage.CommitmentPush(commitment.encode());
    for (PeerLink link : network.links()) {
      if (!link.nodeId().equals(from) && link.send(push)) {
        commitmentsSent.incrementAndGet();
      }
    }
  }

  /** Called on the record writer thread after a record was stored: push it on. */
  @Override
  public void recordStored(SignedRecord record, Origin origin) {
    if (origin instanceof Origin.Voted) {
      return; // a new node's voted record: every peer it asked holds it already
    }
    onGossipThread(() -> {
      namesByDigest.put(ByteBuffer.wrap(record.digest()), record.name());
      decided(record, origin);
    });
  }

  /**
   * Called on the record writer thread for a verified version that lost here (evidence kept, or
   * a contest lost): it goes on like a stored record, so that every node reaches the same
   * evidence and contest outcome.
   */
  @Override
  public void recordLost(SignedRecord record, Origin origin, RefusalReason reason) {
    if (origin instanceof Origin.Voted) {
      return;
    }
    onGossipThread(() -> {
      if (decided(record, origin)) {
        lostForwarded.incrementAndGet();
      }
    });
  }

  /**
   * On the gossip thread: a version the record service decided (stored, or verified and lost)
   * goes on along the tree. Returns whether it was pushed or announced to anyone.
   */
  private boolean decided(SignedRecord record, Origin origin) {
    byte[] digest = record.digest();
    ByteBuffer key = ByteBuffer.wrap(digest);
    List<GossipAction<String>> actions;
    if (origin instanceof Origin.Peer p) {
      // A push being validated, or a record catch-up brought: on to everyone but the sender.
      Integer hops = validating.get(key);
      actions = router.accepted(digest, p.nodeId());
      if (hops != null && hops >= MAX_HOPS) {
        actions = List.of(); // stored, and known to the router, but not forwarded
      }
    } else {
      actions = router.publish(digest);
    }
    if (actions.isEmpty()) {
      return false;
    }
    if (origin instanceof Origin.Peer) {
      actions = fewerAnnouncements(actions);
    }
    recent.put(digest, record.encoded());
    perform(actions, record);
    return true;
  }

  /** Keeps the pushes and at most {@link #RELAY_ANNOUNCE_LINKS} announcements, picked at random. */
  private List<GossipAction<String>> fewerAnnouncements(List<GossipAction<String>> actions) {
    List<GossipAction<String>> announce = new ArrayList<>();
    List<GossipAction<String>> out = new ArrayList<>(actions.size());
    for (GossipAction<String> a : actions) {
      if (a instanceof GossipAction.Send<String> s && s.message() instanceof GossipMessage.IHave) {
        announce.add(a);
      } else {
        out.add(a);
      }
    }
    if (announce.size() <= RELAY_ANNOUNCE_LINKS) {
      return actions;
    }
    java.util.Collections.shuffle(announce, random);
    out.addAll(announce.subList(0, RELAY_ANNOUNCE_LINKS));
    return out;
  }

  /** Fires due graft timers. */
  private void tick() {
    tickTask = null;
    tickAt = Long.MAX_VALUE;
    perform(router.tick(), null);
    refreshTree();
    scheduleTick();
  }

  /** Makes sure a tick runs by the router's next deadline. */
  private void scheduleTick() {
    OptionalLong next = router.nextDeadline();
    if (next.isEmpty() || (tickTask != null && tickAt <= next.getAsLong())) {
      return;
    }
    if (tickTask != null) {
      tickTask.cancel(false);
    }
    tickAt = next.getAsLong();
    long delay = Math.max(0, tickAt - timers.millis());
    try {
      tickTask = thread.schedule(() -> guarded(this::tick), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      tickTask = null; // closing
    }
  }

  /**
   * Sends what the router asked for. {@code record} is the record in hand, if any. Pushes,
   * grafts and prunes go at once (the grafts of one call to a peer in one frame); announcements
   * wait for the next flush of their link's batch.
   */
  private void perform(List<GossipAction<String>> actions, SignedRecord record) {
    Map<String, List<byte[]>> grafts = null;
    for (GossipAction<String> a : actions) {
      if (a instanceof GossipAction.Send<String> s && s.message() instanceof GossipMessage.IHave h) {
        announce(a.peer(), h);
        continue;
      }
      if (a instanceof GossipAction.Send<String> s && s.message() instanceof GossipMessage.Graft g
          && !g.digests().isEmpty()) {
        if (grafts == null) {
          grafts = new LinkedHashMap<>();
        }
        grafts.computeIfAbsent(a.peer(), k -> new ArrayList<>()).addAll(g.digests());
        continue;
      }
      Optional<PeerLink> link = network.link(a.peer());
      if (link.isEmpty()) {
        continue;
      }
      if (a instanceof GossipAction.PushRecord<String> p) {
        byte[] digest = p.digest();
        Optional<byte[]> encoded = record != null && Arrays.equals(record.digest(), digest)
            ? Optional.of(record.encoded()) : byDigest(digest);
        if (encoded.isEmpty()) {
          continue; // forgotten: replaced by a newer version since, which spread on its own
        }
        if (link.get().send(new PeerMessage.RecordPush(p.hops(), encoded.get()))) {
          pushed.incrementAndGet();
        } else {
          unsent.incrementAndGet();
        }
      } else if (a instanceof GossipAction.Send<String> s) {
        GossipMessage m = s.message();
        if (link.get().send(new PeerMessage.TreeControl(m))) {
          if (m instanceof GossipMessage.Graft) {
            graftSent.incrementAndGet();
          } else {
            pruneSent.incrementAndGet();
          }
        }
      }
    }
    if (grafts != null) {
      grafts.forEach(this::sendGrafts);
    }
    if (!actions.isEmpty()) {
      scheduleTick();
    }
  }

  private void sendGrafts(String peer, List<byte[]> digests) {
    Optional<PeerLink> link = network.link(peer);
    if (link.isEmpty()) {
      return;
    }
    for (int i = 0; i < digests.size(); i += GossipMessage.MAX_DIGESTS) {
      List<byte[]> part = digests.subList(i, Math.min(digests.size(), i + GossipMessage.MAX_DIGESTS));
      if (link.get().send(new PeerMessage.TreeControl(new GossipMessage.Graft(part)))) {
        graftSent.incrementAndGet();
      }
    }
  }

  /** Adds an announcement to its link's batch; a full batch goes at once, else at the flush. */
  private void announce(String peer, GossipMessage.IHave h) {
    Announcements batch = announcements.computeIfAbsent(peer, k -> new Announcements());
    for (byte[] d : h.digests()) {
      batch.add(h.hops(), d);
      if (batch.digests.size() >= GossipMessage.MAX_DIGESTS) {
        sendAnnouncements(peer, batch);
        batch.digests.clear();
        batch.hops = 0;
      }
    }
    if (flushTask == null && !batch.digests.isEmpty()) {
      try {
        flushTask = thread.schedule(() -> guarded(this::flushAnnouncements), IHAVE_BATCH_MILLIS,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void flushAnnouncements() {
    flushTask = null;
    announcements.forEach((peer, batch) -> {
      if (!batch.digests.isEmpty()) {
        sendAnnouncements(peer, batch);
      }
    });
    announcements.clear();
  }

  private void sendAnnouncements(String peer, Announcements batch) {
    Optional<PeerLink> link = network.link(peer);
    if (link.isEmpty()) {
      return;
    }
    if (link.get().send(new PeerMessage.TreeControl(
        new GossipMessage.IHave(batch.hops, List.copyOf(batch.digests))))) {
      ihaveSent.incrementAndGet();
      ihaveDigests.addAndGet(batch.digests.size());
    }
  }

  /**
   * Digests gathered for one link. The frame carries one hop count: the largest of its records,
   * so that a receiver never takes the announcing link for a shorter path than it is.
   */
  private static final class Announcements {
    int hops;
    final List<byte[]> digests = new ArrayList<>();

    void add(int recordHops, byte[] digest) {
      hops = Math.max(hops, recordHops);
      digests.add(digest);
    }
  }

  /**
   * The encoding of the record with this digest: one this node forwarded recently (a stored
   * version, or one that lost here), or the current record of a name stored with this digest.
   */
  private Optional<byte[]> byDigest(byte[] digest) {
    Optional<byte[]> forwarded = recent.get(digest);
    if (forwarded.isPresent()) {
      return forwarded;
    }
    String name = namesByDigest.get(ByteBuffer.wrap(digest));
    if (name == null) {
      return Optional.empty();
    }
    return records.current(name).filter(r -> Arrays.equals(r.digest(), digest))
        .map(SignedRecord::encoded);
  }

  private void refreshTree() {
    eager = router.eagerPeers();
    lazy = router.lazyPeers();
  }

  private void onGossipThread(Runnable task) {
    try {
      thread.execute(() -> guarded(task));
    } catch (RejectedExecutionException e) {
      LOG.debug("gossip stopped; dropping a task");
    }
  }

  private static void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.error("gossip task failed", e);
    }
  }

  /** Peers this node pushes to eagerly now (node ids). */
  public Set<String> eagerPeers() {
    return eager;
  }

  public Set<String> lazyPeers() {
    return lazy;
  }

  /** Whole records received from peers, copies included. */
  public long recordsReceived() {
    return received.get();
  }

  /** Whole records received that were copies of one seen before. */
  public long repeatsReceived() {
    return repeats.get();
  }

  public long graftsSent() {
    return graftSent.get();
  }

  /** One line for people: what gossip did since start. */
  public String summary() {
    return received.get() + " records received (" + repeats.get() + " repeats, " + invalid.get()
        + " invalid, " + overLimit.get() + " over a peer's rate limit, " + overflow.get()
        + " dropped while busy), " + pushed.get() + " pushed ("
        + unsent.get() + " dropped by slow links); tree " + eager.size() + " eager / "
        + lazy.size() + " lazy links; IHAVE " + ihaveSent.get() + " sent / " + ihaveReceived.get()
        + " received, GRAFT " + graftSent.get() + " / " + graftReceived.get() + ", PRUNE "
        + pruneSent.get() + " / " + pruneReceived.get() + " (IHAVE frames carried "
        + ihaveDigests.get() + " digests); " + lostForwarded.get() + " losing versions passed "
        + "on; " + commitmentsSent.get() + " commitments pushed";
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}

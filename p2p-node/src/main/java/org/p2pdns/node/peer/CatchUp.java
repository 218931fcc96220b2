package org.p2pdns.node.peer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.sync.KeyRange;
import org.p2pdns.common.sync.ReconcileLimits;
import org.p2pdns.common.sync.ReconcileSession;
import org.p2pdns.common.sync.SyncItemSet;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordListener;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.store.RecordStore.NameDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catch-up: when a link comes up, the two nodes reconcile their stores (range-based set
 * reconciliation over record digests, {@link ReconcileSession}) and each then sends the other
 * the records it lacks, so a node that was down, or is new, gets what it missed with traffic that
 * grows with the difference. The node with the smaller node id starts the session; one session
 * per link at a time. Records arrive in CATCHUP_RECORDS batches, each acknowledged once the
 * receiver's record service has decided all of it, with at most {@link #WINDOW} batches
 * unacknowledged: that paces the sender to the receiver's validation and disk, so the link never
 * queues enough to be closed as SLOW. Layout: docs/protocol.md, 3.8a "Catch-up".
 *
 * <p>All session and item-set state lives on one thread of its own; Netty loops and the record
 * writer only hand it work.
 */
public final class CatchUp implements PeerMessageListener, RecordListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);

  /** Initiator's first reconciliation message. */
  static final int TYPE_START = 0x30;
  /** Every later reconciliation message, both ways. */
  static final int TYPE_STEP = 0x31;
  /** A batch of records the receiver lacks: {@code u16 count, count * (u32 length, record)}. */
  static final int TYPE_RECORDS = 0x32;
  /** Acknowledges one CATCHUP_RECORDS batch (empty body). */
  static final int TYPE_ACK = 0x33;
  /**
   * Answers START while this node is still taking its store by vote (empty body): no session
   * now; this node starts one itself once it is done. Not a violation.
   */
  static final int TYPE_LATER = 0x36;
  /** Most records one RECORD_REQUEST by digest is answered with. */
  private static final int MAX_BY_DIGEST = org.p2pdns.common.peer.PeerMessage.MAX_ITEMS;
  /** A session, or a batch, with no answer from the peer for this long is given up. */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

  /** Records per batch at most. */
  static final int BATCH_RECORDS = 256;
  /** Bytes of records per batch at most: well inside the frame limit. */
  static final int BATCH_BYTES = 256 * 1024;
  /** Batches sent and not yet acknowledged, per link. */
  static final int WINDOW = 8;
  /** Reconciliation messages stay far below the frame limit (1 MiB). */
  static final ReconcileLimits LIMITS = ReconcileLimits.DEFAULT;
  /** Refusals that show the sender sent something no honest node would. */
  private static final Set<RefusalReason> SENDER_AT_FAULT = EnumSet.of(RefusalReason.MALFORMED,
      RefusalReason.BAD_SIGNATURE, RefusalReason.BAD_NAME, RefusalReason.OUTSIDE_SUBTREE,
      RefusalReason.TOO_LARGE, RefusalReason.BAD_RR, RefusalReason.INSUFFICIENT_POW,
      RefusalReason.BAD_LIFETIME);

  private final RecordService records;
  private final String selfId;
  private final ScheduledExecutorService worker;
  private final Duration antiEntropy;
  private final Duration sessionTimeout;
  private final Runnable eachRound;
  private final Random random = new Random();
  /** No sessions while a new node takes its store by vote ({@link Bootstrap}). */
  private volatile boolean paused;
  // Owned by the worker thread.
  private final SyncItemSet items = new SyncItemSet();
  /** Name to the item it stands for in {@link #items}. */
  private final Map<String, Item> byName = new HashMap<>();
  /** Digest to name: what the peer lacks is named by digest. */
  private final Map<ByteBuffer, String> nameByDigest = new HashMap<>();
  private final Map<String, LinkState> links = new HashMap<>();

  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong antiEntropyRounds = new AtomicLong();
  private final AtomicLong sessionsCompleted = new AtomicLong();
  private final AtomicLong sessionsTimedOut = new AtomicLong();
  private final AtomicLong sessionsFailed = new AtomicLong();
  private final AtomicLong recordsSent = new AtomicLong();
  /** Reconciliation messages and bytes, both directions, of every finished session. */
  private final AtomicLong reconcileMessages = new AtomicLong();
  private final AtomicLong reconcileBytes = new AtomicLong();
  private final AtomicLong recordsReceived = new AtomicLong();
  private final AtomicLong recordsStored = new AtomicLong();
  private volatile long peerHas = -1;
  private volatile long firstReceivedNanos;
  private volatile long lastReceivedNanos;

  private record Item(long key, byte[] digest) {}

  /** What the worker knows of one link. */
  private static final class LinkState {
    final PeerLink link;
    ReconcileSession session;
    /** Whether this node started the running session (collisions: docs/protocol.md 3.8a). */
    boolean initiatedHere;
    /** When the peer last moved the session or acknowledged a batch. */
    long lastHeardNanos = System.nanoTime();
    final ArrayDeque<String> toSend = new ArrayDeque<>();
    int unacknowledged;

    LinkState(PeerLink link) {
      this.link = link;
    }
  }

  private CatchUp(RecordService records, String selfId, boolean paused, Duration antiEntropy,
      Runnable eachRound, Duration sessionTimeout) {
    this.sessionTimeout = sessionTimeout;
    this.records = records;
    this.selfId = selfId;
    this.paused = paused;
    this.antiEntropy = antiEntropy;
    this.eachRound = eachRound;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "catch-up");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts catch-up for the node {@code selfId}: registers with the record service and loads the
   * store's digests (on its own thread; sessions wait for the load, since they queue behind it).
   * The caller adds it to the peer network as a listener.
   */
  public static CatchUp start(RecordService records, String selfId) {
    return start(records, selfId, false, Duration.ZERO, () -> { });
  }

  /**
   * As {@link #start(RecordService, String)}, and: {@code paused} runs no session until
   * {@link #resume} (a new node voting on its store); every {@code antiEntropy} (zero: never)
   * it reconciles with one linked peer chosen at random, so that what gossip lost (a full queue,
   * a link that broke mid-push) is repaired without waiting for a new link, and then runs
   * {@code eachRound}.
   */
  public static CatchUp start(RecordService records, String selfId, boolean paused,
      Duration antiEntropy, Runnable eachRound) {
    return start(records, selfId, paused, antiEntropy, eachRound, SESSION_TIMEOUT);
  }

  /** As above, giving up on a silent peer after {@code sessionTimeout}. */
  public static CatchUp start(RecordService records, String selfId, boolean paused,
      Duration antiEntropy, Runnable eachRound, Duration sessionTimeout) {
    CatchUp c = new CatchUp(records, selfId, paused, antiEntropy, eachRound, sessionTimeout);
    // Listener first, then the load: a change stored in between is applied after the load, and
    // applying a version already loaded changes nothing.
    records.addListener(c);
    c.worker.execute(c::loadAll);
    long tick = Math.max(1, sessionTimeout.toMillis() / 6);
    c.worker.scheduleWithFixedDelay(() -> c.guarded(c::expireSessions), tick, tick,
        TimeUnit.MILLISECONDS);
    if (!antiEntropy.isZero() && !antiEntropy.isNegative()) {
      c.worker.scheduleWithFixedDelay(() -> c.guarded(c::antiEntropyRound),
          antiEntropy.toMillis(), antiEntropy.toMillis(), TimeUnit.MILLISECONDS);
    }
    return c;
  }

  /** The vote is over: reconcile with every link now (whatever the id order), as usual after. */
  public void resume() {
    run(() -> {
      paused = false;
      for (LinkState s : links.values()) {
        if (s.session == null && s.link.isOpen()) {
          startSession(s);
        }
      }
    });
  }

  private void startSession(LinkState s) {
    s.session = new ReconcileSession(items, LIMITS);
    s.initiatedHere = true;
    s.lastHeardNanos = System.nanoTime();
    sessions.incrementAndGet();
    s.link.send(new PeerMessage.Reconcile(TYPE_START, s.session.initiate()));
  }

  /** One anti-entropy round: a session with a random linked peer that has none running. */
  private void antiEntropyRound() {
    if (!paused) {
      List<LinkState> idle = new ArrayList<>();
      for (LinkState s : links.values()) {
        if (s.session == null && s.link.isOpen()) {
          idle.add(s);
        }
      }
      if (!idle.isEmpty()) {
        antiEntropyRounds.incrementAndGet();
        startSession(idle.get(random.nextInt(idle.size())));
      }
    }
    eachRound.run();
  }

  /** A peer that stops answering mid-session, or stops acknowledging, frees the link. */
  private void expireSessions() {
    long now = System.nanoTime();
    for (LinkState s : links.values()) {
      boolean waiting = s.session != null || s.unacknowledged > 0;
      if (waiting && now - s.lastHeardNanos > sessionTimeout.toNanos()) {
        LOG.debug("catch-up with {}: no answer in {}; session dropped", s.link.nodeId(),
            sessionTimeout);
        sessionsTimedOut.incrementAndGet();
        s.session = null;
        s.unacknowledged = 0;
        s.toSend.clear();
      }
    }
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("catch-up task failed", e);
    }
  }

  private void loadAll() {
    String after = "";
    for (int pages = 0; pages < 100_000; pages++) {
      List<NameDigest> page = records.digests(after, 4096);
      for (NameDigest nd : page) {
        records.current(nd.name()).ifPresent(this::apply);
      }
      if (page.size() < 4096) {
        break;
      }
      after = page.get(page.size() - 1).name();
    }
    LOG.debug("catch-up loaded {} items", items.size());
  }

  /** Puts the record's item in place of the name's previous one. On the worker. */
  private void apply(SignedRecord r) {
    byte[] digest = r.digest();
    Item old = byName.get(r.name());
    if (old != null) {
      if (Arrays.equals(old.digest, digest)) {
        return;
      }
      items.remove(old.key, old.digest);
      nameByDigest.remove(ByteBuffer.wrap(old.digest));
    }
    Item now = new Item(r.issuedAt(), digest);
    items.add(now.key, now.digest);
    byName.put(r.name(), now);
    nameByDigest.put(ByteBuffer.wrap(digest), r.name());
  }

  @Override
  public void recordStored(SignedRecord record, Origin origin) {
    run(() -> apply(record));
  }

  @Override
  public void onLinkUp(PeerLink link) {
    run(() -> {
      LinkState old = links.put(link.nodeId(), new LinkState(link));
      if (old != null) {
        LOG.debug("catch-up: link to {} replaced", link.nodeId());
      }
      if (!paused && selfId.compareTo(link.nodeId()) < 0) {
        startSession(links.get(link.nodeId()));
      }
    });
  }

  @Override
  public void onLinkDown(PeerLink link) {
    run(() -> {
      LinkState s = links.get(link.nodeId());
      if (s != null && s.link == link) {
        links.remove(link.nodeId());
      }
    });
  }

  @Override
  public void onMessage(PeerLink link, PeerMessage message) {
    if (message instanceof PeerMessage.RecordsByDigest r) {
      run(() -> serveByDigest(link, r));
      return;
    }
    if (!(message instanceof PeerMessage.Reconcile r)) {
      return;
    }
    if (r.type() == TYPE_RECORDS) {
      onRecords(link, r.payload());
      return;
    }
    if (r.type() == NameListing.TYPE_LIST) {
      return; // an answer to a new node's question: Bootstrap's
    }
    if (r.type() == NameListing.TYPE_LIST_REQUEST) {
      run(() -> serveList(link, r.payload()));
      return;
    }
    run(() -> onReconcile(link, r));
  }

  /** A page of (name, digest) of what this node holds, for a new node's vote. */
  private void serveList(PeerLink link, byte[] payload) {
    NameListing.Request req;
    try {
      req = NameListing.decodeRequest(payload);
    } catch (MalformedException e) {
      LOG.debug("peer {} sent a bad list request: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.MALFORMED_FRAME);
      return;
    }
    List<NameDigest> page = records.digests(req.after(), req.limit() + 1);
    List<NameListing.Entry> out = new ArrayList<>(Math.min(page.size(), req.limit()));
    int bytes = 0;
    boolean more = page.size() > req.limit();
    for (NameDigest nd : page.subList(0, Math.min(page.size(), req.limit()))) {
      int add = NameListing.entryBytes(nd.name());
      if (bytes + add > NameListing.MAX_BYTES) {
        more = true;
        break;
      }
      out.add(new NameListing.Entry(nd.name(), nd.digest()));
      bytes += add;
    }
    link.send(new PeerMessage.Reconcile(NameListing.TYPE_LIST, NameListing.encodePage(
        new NameListing.Page(req.requestId(), more, out))));
  }

  /** The records with these digests that this node holds now, in frames under the limit. */
  private void serveByDigest(PeerLink link, PeerMessage.RecordsByDigest r) {
    List<byte[]> page = new ArrayList<>();
    int bytes = PeerMessageCodec.RECORDS_OVERHEAD;
    for (byte[] d : r.digests()) {
      String name = nameByDigest.get(ByteBuffer.wrap(d));
      Optional<SignedRecord> rec = name == null ? Optional.empty() : records.current(name);
      if (rec.isEmpty() || !Arrays.equals(rec.get().digest(), d)) {
        continue; // not held (any more): the asker tries elsewhere
      }
      int add = rec.get().encodedLength() + PeerMessageCodec.RECORDS_PER_RECORD_OVERHEAD;
      if (!page.isEmpty() && (bytes + add > PeerMessageCodec.MAX_FRAME_BYTES
          || page.size() >= MAX_BY_DIGEST)) {
        link.send(new PeerMessage.Records(r.requestId(), page, true));
        page = new ArrayList<>();
        bytes = PeerMessageCodec.RECORDS_OVERHEAD;
      }
      page.add(rec.get().encoded());
      bytes += add;
    }
    link.send(new PeerMessage.Records(r.requestId(), page, false));
  }

  private void onReconcile(PeerLink link, PeerMessage.Reconcile r) {
    LinkState s = links.get(link.nodeId());
    if (s == null || s.link != link) {
      return; // the link went down meanwhile
    }
    try {
      switch (r.type()) {
        case TYPE_START -> {
          if (paused) {
            link.send(new PeerMessage.Reconcile(TYPE_LATER, new byte[0]));
            return;
          }
          if (s.session != null) {
            if (!s.initiatedHere) {
              throw new MalformedException("a second catch-up session while one is running");
            }
            // Both sides started at once: the session of the smaller node id goes on.
            if (selfId.compareTo(link.nodeId()) < 0) {
              return;
            }
          }
          s.session = new ReconcileSession(items, LIMITS);
          s.initiatedHere = false;
          s.lastHeardNanos = System.nanoTime();
          sessions.incrementAndGet();
          step(s, r.payload());
        }
        case TYPE_STEP -> {
          if (s.session == null) {
            throw new MalformedException("catch-up step outside a session");
          }
          s.lastHeardNanos = System.nanoTime();
          step(s, r.payload());
        }
        case TYPE_ACK -> {
          if (s.unacknowledged == 0) {
            throw new MalformedException("catch-up ack for no batch");
          }
          s.unacknowledged--;
          s.lastHeardNanos = System.nanoTime();
          pump(s);
        }
        case TYPE_LATER -> {
          if (s.session == null || !s.initiatedHere) {
            throw new MalformedException("catch-up LATER for no session of ours");
          }
          s.session = null; // the peer starts one itself when it is ready
        }
        default -> throw new MalformedException("unknown reconcile type " + r.type());
      }
    } catch (MalformedException e) {
      sessionsFailed.incrementAndGet();
      s.session = null;
      LOG.debug("catch-up with {} dropped: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.UNEXPECTED_MESSAGE);
    }
  }

  private void step(LinkState s, byte[] payload) throws MalformedException {
    ReconcileSession session = s.session;
    Optional<byte[]> reply = session.receive(payload);
    peerHas = session.remoteTotal();
    reply.ifPresent(b -> s.link.send(new PeerMessage.Reconcile(TYPE_STEP, b)));
    if (session.isDone()) {
      s.session = null;
      sessionsCompleted.incrementAndGet();
      reconcileMessages.addAndGet(session.messagesSent() + session.messagesReceived());
      reconcileBytes.addAndGet(session.bytesSent() + session.bytesReceived());
      queueLacking(s, session);
      pump(s);
    }
  }

  /** Queues the names of every record the peer lacks. */
  private void queueLacking(LinkState s, ReconcileSession session) {
    Set<String> names = new LinkedHashSet<>(s.toSend);
    for (byte[] d : session.remoteLacks()) {
      String name = nameByDigest.get(ByteBuffer.wrap(d));
      if (name != null) {
        names.add(name);
      }
    }
    for (KeyRange range : session.remoteLacksRanges()) {
      int from = items.positionOf(range.lower());
      int to = items.positionOf(range.upper());
      for (byte[] d : items.digests(from, to)) {
        String name = nameByDigest.get(ByteBuffer.wrap(d));
        if (name != null) {
          names.add(name);
        }
      }
    }
    s.toSend.clear();
    s.toSend.addAll(names);
    LOG.debug("catch-up with {}: peer holds {}, lacks {} of ours ({} messages, {} + {} bytes)",
        s.link.nodeId(), session.remoteTotal(), names.size(), session.messagesSent()
            + session.messagesReceived(), session.bytesSent(), session.bytesReceived());
  }

  /** Sends batches while the window allows. */
  private void pump(LinkState s) {
    while (s.unacknowledged < WINDOW && !s.toSend.isEmpty() && s.link.isOpen()) {
      List<byte[]> batch = new ArrayList<>();
      int bytes = 0;
      while (!s.toSend.isEmpty() && batch.size() < BATCH_RECORDS) {
        Optional<SignedRecord> r = records.current(s.toSend.peekFirst());
        if (r.isEmpty()) {
          s.toSend.pollFirst();
          continue;
        }
        int add = r.get().encodedLength() + 4;
        if (!batch.isEmpty() && bytes + add > BATCH_BYTES) {
          break;
        }
        s.toSend.pollFirst();
        batch.add(r.get().encoded());
        bytes += add;
      }
      if (batch.isEmpty()) {
        return;
      }
      if (!s.link.send(new PeerMessage.Reconcile(TYPE_RECORDS, encodeBatch(batch)))) {
        return;
      }
      if (s.unacknowledged == 0) {
        s.lastHeardNanos = System.nanoTime();
      }
      s.unacknowledged++;
      recordsSent.addAndGet(batch.size());
    }
  }

  static byte[] encodeBatch(List<byte[]> batch) {
    WireWriter w = new WireWriter();
    w.u16(batch.size());
    for (byte[] r : batch) {
      w.u32(r.length);
      w.bytes(r);
    }
    return w.toByteArray();
  }

  static List<byte[]> decodeBatch(byte[] payload) throws MalformedException {
    WireReader r = new WireReader(payload);
    int n = r.u16("count");
    if (n == 0 || n > BATCH_RECORDS) {
      throw new MalformedException("catch-up batch of " + n + " records");
    }
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long len = r.u32("record length");
      if (len > r.remaining()) {
        throw new MalformedException("catch-up record length " + len + " past the end");
      }
      out.add(r.bytes((int) len, "record"));
    }
    if (r.remaining() != 0) {
      throw new MalformedException("trailing bytes after a catch-up batch");
    }
    return out;
  }

  /**
   * Submits a batch like gossip does and acknowledges it once every record is decided, so the
   * sender never has more than its window of batches waiting on this node's record service.
   */
  private void onRecords(PeerLink link, byte[] payload) {
    List<byte[]> batch;
    try {
      batch = decodeBatch(payload);
    } catch (MalformedException e) {
      LOG.debug("peer {} sent a bad catch-up batch: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.MALFORMED_FRAME);
      return;
    }
    long now = System.nanoTime();
    if (firstReceivedNanos == 0) {
      firstReceivedNanos = now;
    }
    lastReceivedNanos = now;
    recordsReceived.addAndGet(batch.size());
    Origin origin = Origin.peer(link.nodeId());
    CompletableFuture<?>[] decided = new CompletableFuture<?>[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      decided[i] = records.submit(batch.get(i), origin).whenComplete((result, err) -> {
        if (err != null) {
          LOG.error("submitting a catch-up record from peer {} failed", link.nodeId(), err);
          return;
        }
        if (result.outcome() == SubmitResult.Outcome.STORED) {
          recordsStored.incrementAndGet();
        }
        Optional<RefusalReason> reason = result.refusal().map(RefusalReason.Refusal::reason);
        if (reason.isPresent() && SENDER_AT_FAULT.contains(reason.get())) {
          LOG.debug("peer {} sent an invalid catch-up record: {}", link.nodeId(), result);
          link.penalize(PeerScore.Offence.INVALID_RECORD);
        }
      });
    }
    CompletableFuture.allOf(decided).whenComplete((v, err) ->
        link.send(new PeerMessage.Reconcile(TYPE_ACK, new byte[0])));
  }

  private void run(Runnable task) {
    try {
      worker.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("catch-up task failed", e);
        }
      });
    } catch (RejectedExecutionException e) {
      // Closing: nothing more to catch up.
    }
  }

  /** Reconciliation sessions that ran to the end (either side started them). */
  public long sessionsCompleted() {
    return sessionsCompleted.get();
  }

  /** Sessions (or batch windows) given up because the peer went silent. */
  public long sessionsTimedOut() {
    return sessionsTimedOut.get();
  }

  /** Anti-entropy rounds that started a session. */
  public long antiEntropyRounds() {
    return antiEntropyRounds.get();
  }

  /** One line for people: {@code held N, peer has M, received K, rate R/s}. */
  public String summary() {
    long received = recordsReceived.get();
    long first = firstReceivedNanos;
    double seconds = (lastReceivedNanos - first) / 1e9;
    // One batch alone gives no interval to measure a rate over.
    String rate = received > 0 && seconds > 0 ? Math.round(received / seconds) + "/s" : "-";
    return "held " + records.count() + ", peer has " + (peerHas < 0 ? "?" : peerHas)
        + ", received " + received + " (" + recordsStored.get() + " new), rate " + rate
        + "; sent " + recordsSent.get() + "; sessions " + sessions.get() + " ("
        + sessionsFailed.get() + " dropped, " + sessionsTimedOut.get() + " timed out, "
        + antiEntropyRounds.get() + " anti-entropy, " + reconcileMessages.get() + " messages, "
        + reconcileBytes.get() + " bytes)";
  }

  @Override
  public void close() {
    records.removeListener(this);
    worker.shutdownNow();
  }
}

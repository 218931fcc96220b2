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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.PeerMessage;
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

  /** Records per batch at most. */
  static final int BATCH_RECORDS = 256;
  /** Bytes of records per batch at most: well inside the frame limit. */
  static final int BATCH_BYTES = 256 * 1024;
  /** Batches sent and not yet acknowledged, per link. */
  static final int WINDOW = 2;
  /** Reconciliation messages stay far below the frame limit (1 MiB). */
  static final ReconcileLimits LIMITS = ReconcileLimits.DEFAULT;
  /** Refusals that show the sender sent something no honest node would. */
  private static final Set<RefusalReason> SENDER_AT_FAULT = EnumSet.of(RefusalReason.MALFORMED,
      RefusalReason.BAD_SIGNATURE, RefusalReason.BAD_NAME, RefusalReason.OUTSIDE_SUBTREE,
      RefusalReason.TOO_LARGE, RefusalReason.BAD_RR, RefusalReason.INSUFFICIENT_POW,
      RefusalReason.BAD_LIFETIME);

  private final RecordService records;
  private final String selfId;
  private final ExecutorService worker;
  // Owned by the worker thread.
  private final SyncItemSet items = new SyncItemSet();
  /** Name to the item it stands for in {@link #items}. */
  private final Map<String, Item> byName = new HashMap<>();
  /** Digest to name: what the peer lacks is named by digest. */
  private final Map<ByteBuffer, String> nameByDigest = new HashMap<>();
  private final Map<String, LinkState> links = new HashMap<>();

  private final AtomicLong sessions = new AtomicLong();
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
    final ArrayDeque<String> toSend = new ArrayDeque<>();
    int unacknowledged;

    LinkState(PeerLink link) {
      this.link = link;
    }
  }

  private CatchUp(RecordService records, String selfId) {
    this.records = records;
    this.selfId = selfId;
    this.worker = Executors.newSingleThreadExecutor(r -> {
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
    CatchUp c = new CatchUp(records, selfId);
    // Listener first, then the load: a change stored in between is applied after the load, and
    // applying a version already loaded changes nothing.
    records.addListener(c);
    c.worker.execute(c::loadAll);
    return c;
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
      if (selfId.compareTo(link.nodeId()) < 0) {
        LinkState s = links.get(link.nodeId());
        s.session = new ReconcileSession(items, LIMITS);
        sessions.incrementAndGet();
        link.send(new PeerMessage.Reconcile(TYPE_START, s.session.initiate()));
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
    if (!(message instanceof PeerMessage.Reconcile r)) {
      return;
    }
    if (r.type() == TYPE_RECORDS) {
      onRecords(link, r.payload());
      return;
    }
    run(() -> onReconcile(link, r));
  }

  private void onReconcile(PeerLink link, PeerMessage.Reconcile r) {
    LinkState s = links.get(link.nodeId());
    if (s == null || s.link != link) {
      return; // the link went down meanwhile
    }
    try {
      switch (r.type()) {
        case TYPE_START -> {
          if (s.session != null) {
            throw new MalformedException("a second catch-up session while one is running");
          }
          s.session = new ReconcileSession(items, LIMITS);
          sessions.incrementAndGet();
          step(s, r.payload());
        }
        case TYPE_STEP -> {
          if (s.session == null) {
            throw new MalformedException("catch-up step outside a session");
          }
          step(s, r.payload());
        }
        case TYPE_ACK -> {
          if (s.unacknowledged == 0) {
            throw new MalformedException("catch-up ack for no batch");
          }
          s.unacknowledged--;
          pump(s);
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
        + sessionsFailed.get() + " dropped, " + reconcileMessages.get() + " messages, "
        + reconcileBytes.get() + " bytes)";
  }

  @Override
  public void close() {
    records.removeListener(this);
    worker.shutdownNow();
  }
}

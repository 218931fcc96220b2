package org.p2pdns.node.peer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.RefusalReason.Refusal;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.trust.TrustWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node with an empty store fills it without trusting any single peer (docs/protocol.md
 * 3.8b, DESIGN.md "Poisoning a new node"). It waits for links to several peers; asks each for the
 * list of (name, record digest) it holds; fetches every distinct digest once, from one peer that
 * listed it; checks the records on all cores; and takes each name's record by {@link NameVote}:
 * settled names are stored, the others are handed to {@link ContestedNames}. Peers list in name
 * order, so a name that every asked peer has listed past can be fetched and decided at once: the
 * fetch runs behind the slowest listing instead of after all of them. Until it is done,
 * {@link ContestedNames} holds back every record peers push, and {@link CatchUp} runs no
 * reconciliation; afterwards both run as for any node.
 *
 * <p>All state lives on one thread of its own; signature checks run on a pool of one thread per
 * core.
 */
public final class Bootstrap implements PeerMessageListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

  /** Digests per RECORD_REQUEST. */
  static final int FETCH_CHUNK = 500;
  /** RECORD_REQUESTs outstanding per peer. */
  static final int FETCH_PER_PEER = 4;
  /** Digests requested and not yet decided, plus records not yet stored: bounds memory. */
  static final int MAX_IN_FLIGHT = 8_000;
  /** Most names one peer may list: a liar's list is bounded. */
  static final int MAX_NAMES_PER_PEER = 2_000_000;
  /** Most peers asked. */
  static final int MAX_PEERS = 16;
  /** A request unanswered this long is given up and its digests asked elsewhere. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** A listing that runs this many times as long as the fastest, plus the wait, is cut. */
  static final int STRAGGLER_FACTOR = 4;
  /** With every known node linked, how long no new node must show up before the vote starts. */
  static final Duration QUIET = Duration.ofSeconds(2);
  private static final Set<RefusalReason> SENDER_AT_FAULT = EnumSet.of(RefusalReason.MALFORMED,
      RefusalReason.BAD_SIGNATURE, RefusalReason.BAD_NAME, RefusalReason.OUTSIDE_SUBTREE,
      RefusalReason.TOO_LARGE, RefusalReason.BAD_RR, RefusalReason.INSUFFICIENT_POW,
      RefusalReason.BAD_LIFETIME);

  /**
   * Where the bootstrap stands. LISTING also fetches and decides the names every peer has listed
   * past; FETCHING is what remains once every listing ended.
   */
  public enum Phase { WAITING, LISTING, FETCHING, DONE }

  private final RecordService records;
  private final RecordValidator validator;
  private final ContestedNames contested;
  private final CatchUp catchUp;
  private final TrustWeights trust;
  private final Supplier<List<NodeStatus>> knownNodes;
  private final int wantedPeers;
  private final long deadlineNanos;
  /** node.bootstrap-wait: also the grace a slow voter's listing gets (see {@link #cutStragglers}). */
  private final long waitNanos;
  /** When the first voter's listing ended; 0 while none has. */
  private long firstListDoneNanos;
  private final ScheduledExecutorService worker;
  private final ThreadPoolExecutor verifiers;

  // Owned by the worker thread.
  private final Map<String, PeerLink> links = new LinkedHashMap<>();
  private long lastChangeNanos = System.nanoTime();
  private int lastKnownCount = -1;
  private boolean loggedNoPeer;
  private volatile Phase phase = Phase.WAITING;
  private final Map<String, PeerState> peers = new LinkedHashMap<>();
  /** Name to what peers listed for it, until it is decided. */
  private final TreeMap<String, NameState> names = new TreeMap<>();
  /**
   * Names up to here (inclusive) were listed past by every peer, so their digests are being
   * fetched; null while none is. Only such names are fetched, so that every fetched record can
   * be decided as soon as it is checked (the in-flight bound then cannot fill with records
   * waiting on a slow listing).
   */
  private String admittedUpTo;
  private boolean allAdmitted;
  private final Map<ByteBuffer, DigestState> digests = new HashMap<>();
  private final Map<Long, Fetch> fetches = new HashMap<>();
  private long nextRequestId = 1;
  private int inFlight;
  private int storing;
  private final long startNanos = System.nanoTime();
  private long voteStartNanos;
  private volatile long doneNanos;
  private volatile int peersAsked;
  private volatile long listed;
  private volatile long versionsFetched;
  private volatile long distinctDigests;
  private long distinctSeen;
  private volatile long distinctNames;
  private volatile long settled;
  private volatile long contestedCount;
  private volatile long invalid;
  private volatile long stored;
  /** CPU time the record checks took, all verifier threads together. */
  private final java.util.concurrent.atomic.AtomicLong checkCpuNanos =
      new java.util.concurrent.atomic.AtomicLong();

  /** One peer asked for its listing. */
  private static final class PeerState {
    final PeerLink link;
    long listRequestId = -1;
    long listSentNanos;
    String listAfter = "";
    boolean listDone;
    long listedNames;
    final ArrayDeque<ByteBuffer> toFetch = new ArrayDeque<>();
    /** Digests first assigned to this peer: spreads the transfer over the peers. */
    long assigned;
    int outstanding;
    /** Gave up on this peer for fetching (link down, timeout). */
    boolean dead;

    PeerState(PeerLink link) {
      this.link = link;
    }
  }

  /** What peers listed for one name, and the versions fetched so far. */
  private static final class NameState {
    final Map<String, ByteBuffer> listedBy = new HashMap<>();
    final Map<String, SignedRecord> versions = new HashMap<>();
    int pending;
  }

  /** One distinct digest: who listed it (peer and name), whom it was asked from. */
  private static final class DigestState {
    final List<String[]> listers = new ArrayList<>(2);
    final Set<String> tried = new HashSet<>(2);
    /** Queued at a peer (once, when its first name was admitted). */
    boolean queued;
  }

  private static final class Fetch {
    final long id;
    final String peer;
    final Set<ByteBuffer> remaining;
    long lastFrameNanos = System.nanoTime();
    int verifying;
    boolean last;

    Fetch(long id, String peer, Set<ByteBuffer> remaining) {
      this.id = id;
      this.peer = peer;
      this.remaining = remaining;
    }
  }

  private Bootstrap(RecordService records, ContestedNames contested, CatchUp catchUp,
      TrustWeights trust, Supplier<List<NodeStatus>> knownNodes, int wantedPeers,
      Duration wait) {
    this.records = records;
    this.validator = records.validator();
    this.contested = contested;
    this.catchUp = catchUp;
    this.trust = trust;
    this.knownNodes = knownNodes;
    this.wantedPeers = wantedPeers;
    this.deadlineNanos = System.nanoTime() + wait.toNanos();
    this.waitNanos = wait.toNanos();
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bootstrap");
      t.setDaemon(true);
      return t;
    });
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger n = new AtomicInteger();
    this.verifiers = new ThreadPoolExecutor(cores, cores, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "bootstrap-verify-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Starts the bootstrap of a node whose store is empty. {@code contested} must be the record
   * service's gate, made with bootstrapping on; {@code catchUp} must have been started paused.
   * The caller adds the result to the peer network as a listener.
   *
   * @param wantedPeers links to wait for before the vote
   * @param wait how long to wait for them at most; then the vote runs with the links there are
   */
  public static Bootstrap start(RecordService records, ContestedNames contested,
      CatchUp catchUp, TrustWeights trust, Supplier<List<NodeStatus>> knownNodes,
      int wantedPeers, Duration wait) {
    Bootstrap b = new Bootstrap(records, contested, catchUp, trust, knownNodes,
        Math.max(1, wantedPeers), wait);
    b.worker.scheduleWithFixedDelay(() -> b.guard(b::tick), 250, 250, TimeUnit.MILLISECONDS);
    LOG.info("empty store: waiting for {} peers (at most {}) to take the records by vote",
        b.wantedPeers, wait);
    return b;
  }

  public Phase phase() {
    return phase;
  }

  public boolean done() {
    return phase == Phase.DONE;
  }

  // ---------------------------------------------------------------- peer events (Netty threads)

  @Override
  public void onLinkUp(PeerLink link) {
    run(() -> {
      links.put(link.nodeId(), link);
      lastChangeNanos = System.nanoTime();
    });
  }

  @Override
  public void onLinkDown(PeerLink link) {
    run(() -> {
      if (links.get(link.nodeId()) == link) {
        links.remove(link.nodeId());
      }
      PeerState p = peers.get(link.nodeId());
      if (p != null && p.link == link) {
        peerLost(p, "link down");
      }
    });
  }

  @Override
  public void onMessage(PeerLink link, PeerMessage message) {
    if (phase == Phase.DONE) {
      return;
    }
    if (message instanceof PeerMessage.Reconcile r && r.type() == NameListing.TYPE_LIST) {
      run(() -> onList(link, r.payload()));
    } else if (message instanceof PeerMessage.Records r) {
      run(() -> onRecords(link, r));
    }
  }

  // ---------------------------------------------------------------- waiting

  private void tick() {
    long now = System.nanoTime();
    switch (phase) {
      case WAITING -> maybeStartVote(now);
      case LISTING -> {
        for (PeerState p : new ArrayList<>(peers.values())) {
          if (!p.listDone && now - p.listSentNanos > REQUEST_TIMEOUT.toNanos()) {
            peerLost(p, "no name list within " + REQUEST_TIMEOUT);
          }
        }
        cutStragglers(now);
        expireFetches(now);
      }
      case FETCHING -> expireFetches(now);
      default -> { }
    }
  }

  private void maybeStartVote(long now) {
    List<NodeStatus> known = knownNodes.get();
    if (known.size() != lastKnownCount) {
      lastKnownCount = known.size();
      lastChangeNanos = now;
    }
    int up = links.size();
    boolean allKnownLinked = !known.isEmpty() && known.stream()
        .allMatch(s -> s.state() == NodeStatus.State.CONNECTED);
    String why;
    if (up >= wantedPeers) {
      why = up + " peers linked";
    } else if (up > 0 && allKnownLinked && now - lastChangeNanos >= QUIET.toNanos()) {
      why = "only " + up + " of the " + wantedPeers + " peers wanted, but every known node ("
          + known.size() + ") is linked";
    } else if (up > 0 && now >= deadlineNanos) {
      why = "only " + up + " of the " + wantedPeers + " peers wanted linked at the deadline";
    } else {
      if (now >= deadlineNanos && !loggedNoPeer) {
        loggedNoPeer = true;
        LOG.warn("bootstrap: no peer linked by the deadline; waiting for the first one");
      }
      return;
    }
    if (up < wantedPeers) {
      LOG.warn("bootstrap vote with {}: a hostile peer among few weighs more", why);
    } else {
      LOG.info("bootstrap vote: {}", why);
    }
    startListing();
  }

  // ---------------------------------------------------------------- listing

  private void startListing() {
    phase = Phase.LISTING;
    voteStartNanos = System.nanoTime();
    for (PeerLink link : links.values()) {
      if (peers.size() >= MAX_PEERS) {
        break;
      }
      if (link.isOpen()) {
        PeerState p = new PeerState(link);
        peers.put(link.nodeId(), p);
        requestList(p);
      }
    }
    peersAsked = peers.size();
    if (peers.isEmpty()) {
      phase = Phase.WAITING; // the links went down meanwhile
      return;
    }
    checkListingDone();
  }

  private void requestList(PeerState p) {
    p.listRequestId = nextRequestId++ & 0xffffffffL;
    p.listSentNanos = System.nanoTime();
    NameListing.Request req = new NameListing.Request(p.listRequestId, p.listAfter,
        NameListing.MAX_ENTRIES);
    if (!p.link.send(new PeerMessage.Reconcile(NameListing.TYPE_LIST_REQUEST,
        NameListing.encodeRequest(req)))) {
      peerLost(p, "listing request not sent");
    }
  }

  private void onList(PeerLink link, byte[] payload) {
    PeerState p = peers.get(link.nodeId());
    if (phase != Phase.LISTING || p == null || p.link != link || p.listDone) {
      return; // late, or from a peer not asked: nothing to do with it
    }
    NameListing.Page page;
    try {
      page = NameListing.decodePage(payload, p.listAfter);
      if (page.requestId() != p.listRequestId) {
        throw new MalformedException("list answer to request " + page.requestId()
            + ", expected " + p.listRequestId);
      }
    } catch (MalformedException e) {
      LOG.debug("peer {} sent a bad name list: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.UNEXPECTED_MESSAGE);
      p.listDone = true;
      checkListingDone();
      return;
    }
    for (NameListing.Entry e : page.entries()) {
      if (p.listedNames >= MAX_NAMES_PER_PEER) {
        break;
      }
      NameState ns = names.get(e.name());
      if (ns == null) {
        ns = new NameState();
        names.put(e.name(), ns);
        distinctNames++;
      }
      ns.listedBy.put(link.nodeId(), ByteBuffer.wrap(e.digest()));
      p.listedNames++;
      listed++;
    }
    if (page.more() && p.listedNames < MAX_NAMES_PER_PEER) {
      p.listAfter = page.entries().get(page.entries().size() - 1).name();
      requestList(p);
      admitListedByAll();
    } else {
      p.listDone = true;
      if (firstListDoneNanos == 0) {
        firstListDoneNanos = System.nanoTime();
      }
      LOG.debug("bootstrap: peer {} listed {} names", link.nodeId(), p.listedNames);
      checkListingDone();
    }
  }

  /**
   * Ends the listings that run more than {@link #STRAGGLER_FACTOR} times as long as the first
   * one that ended, plus node.bootstrap-wait: what such a voter listed so far counts, the rest
   * of its names abstain. Without it, a voter that answers each page just inside the request
   * timeout, a name at a time, would hold the vote (and every record peers push meanwhile) back
   * for as long as it liked, since names are decided only once every listing is past them.
   */
  private void cutStragglers(long now) {
    if (firstListDoneNanos == 0) {
      return;
    }
    long fastest = firstListDoneNanos - voteStartNanos;
    if (now - voteStartNanos <= STRAGGLER_FACTOR * fastest + waitNanos) {
      return;
    }
    for (PeerState p : peers.values()) {
      if (!p.listDone) {
        p.listDone = true;
        LOG.info("bootstrap: the listing of peer {} is cut after {} names: it ran more than {} "
            + "times as long as the fastest voter's plus {} s", p.link.nodeId(), p.listedNames,
            STRAGGLER_FACTOR, waitNanos / 1_000_000_000L);
      }
    }
    checkListingDone();
  }

  /**
   * Starts fetching the names every peer has listed past: the smallest position among the
   * listings still running. A name beyond it may yet be listed by a slower peer.
   */
  private void admitListedByAll() {
    String frontier = null;
    for (PeerState p : peers.values()) {
      if (!p.listDone && (frontier == null || p.listAfter.compareTo(frontier) < 0)) {
        frontier = p.listAfter;
      }
    }
    if (frontier == null) {
      admit(null); // every listing ended
    } else if (!frontier.isEmpty()) {
      admit(frontier);
    }
  }

  private void checkListingDone() {
    if (phase != Phase.LISTING) {
      return;
    }
    for (PeerState p : peers.values()) {
      if (!p.listDone) {
        admitListedByAll();
        return;
      }
    }
    admit(null);
    phase = Phase.FETCHING;
    distinctDigests = distinctSeen;
    LOG.info("bootstrap: {} peers listed {} names ({} entries, {} distinct records); {} "
        + "checked so far", peers.size(), distinctNames, listed, distinctSeen, versionsFetched);
    checkDone();
  }

  // ---------------------------------------------------------------- fetching

  /**
   * Queues the digests of the names after {@link #admittedUpTo} up to {@code upTo} (inclusive;
   * null: all names) for fetching: every distinct digest once, to the peer among those that
   * listed it with the least work so far, in name order, so that names complete roughly in order
   * and can be decided and dropped.
   */
  private void admit(String upTo) {
    if (allAdmitted || (upTo != null && admittedUpTo != null
        && upTo.compareTo(admittedUpTo) <= 0)) {
      return;
    }
    java.util.NavigableMap<String, NameState> range;
    if (admittedUpTo == null) {
      range = upTo == null ? names : names.headMap(upTo, true);
    } else {
      range = upTo == null ? names.tailMap(admittedUpTo, false)
          : names.subMap(admittedUpTo, false, upTo, true);
    }
    List<String> ready = new ArrayList<>();
    List<ByteBuffer> unservable = new ArrayList<>();
    for (Map.Entry<String, NameState> e : range.entrySet()) {
      NameState ns = e.getValue();
      Set<ByteBuffer> distinct = new HashSet<>(ns.listedBy.values());
      for (Map.Entry<String, ByteBuffer> l : ns.listedBy.entrySet()) {
        DigestState ds = digests.get(l.getValue());
        if (ds == null) {
          ds = new DigestState();
          digests.put(l.getValue(), ds);
          distinctSeen++;
        }
        ds.listers.add(new String[] {l.getKey(), e.getKey()});
      }
      for (ByteBuffer d : distinct) {
        DigestState ds = digests.get(d);
        if (!ds.queued) {
          ds.queued = true;
          if (!assign(d, ds, true)) {
            unservable.add(d); // every voter that listed it is gone: that version abstains
          }
        }
      }
      // Each distinct digest resolves once for each name it was listed under.
      ns.pending = distinct.size();
      if (ns.pending == 0) {
        ready.add(e.getKey());
      }
    }
    if (upTo == null) {
      allAdmitted = true;
    } else {
      admittedUpTo = upTo;
    }
    for (ByteBuffer d : unservable) {
      resolveDigest(d, null);
    }
    for (String name : ready) {
      NameState ns = names.get(name);
      if (ns != null) {
        decide(name, ns);
      }
    }
    pumpAll();
  }

  /**
   * Queues a digest at the least loaded peer that listed it and was not tried; false if none.
   * {@code fresh}: first assignment, counted as the peer's share of the whole transfer.
   */
  private boolean assign(ByteBuffer digest, DigestState ds, boolean fresh) {
    PeerState best = null;
    for (String[] l : ds.listers) {
      PeerState p = peers.get(l[0]);
      if (p == null || p.dead || ds.tried.contains(l[0])) {
        continue;
      }
      long mine = fresh ? p.assigned : p.toFetch.size();
      long theirs = best == null ? 0 : fresh ? best.assigned : best.toFetch.size();
      if (best == null || mine < theirs) {
        best = p;
      }
    }
    if (best == null) {
      return false;
    }
    ds.tried.add(best.link.nodeId());
    best.toFetch.add(digest);
    if (fresh) {
      best.assigned++;
    }
    return true;
  }

  private void pumpAll() {
    for (PeerState p : peers.values()) {
      pump(p);
    }
  }

  private void pump(PeerState p) {
    while (!p.dead && p.outstanding < FETCH_PER_PEER && !p.toFetch.isEmpty()
        && inFlight < MAX_IN_FLIGHT) {
      List<byte[]> chunk = new ArrayList<>(FETCH_CHUNK);
      Set<ByteBuffer> set = new HashSet<>();
      while (chunk.size() < FETCH_CHUNK && !p.toFetch.isEmpty()) {
        ByteBuffer d = p.toFetch.poll();
        if (set.add(d)) {
          chunk.add(d.array());
        }
      }
      long id = nextRequestId++ & 0xffffffffL;
      fetches.put(id, new Fetch(id, p.link.nodeId(), set));
      p.outstanding++;
      inFlight += chunk.size();
      if (!p.link.send(new PeerMessage.RecordsByDigest(id, chunk))) {
        peerLost(p, "record request not sent");
        return;
      }
    }
  }

  private void onRecords(PeerLink link, PeerMessage.Records m) {
    Fetch f = fetches.get(m.requestId());
    if (f == null || !f.peer.equals(link.nodeId()) || f.last) {
      return; // not ours, or late
    }
    PeerState p = peers.get(f.peer);
    if (p == null || p.link != link) {
      return;
    }
    f.lastFrameNanos = System.nanoTime();
    f.last = !m.more();
    List<byte[]> encoded = m.records();
    // Check the records on every core, in slices, then apply the results here.
    int slices = Math.max(1, Math.min(verifiers.getMaximumPoolSize(), encoded.size() / 32));
    int per = (encoded.size() + slices - 1) / Math.max(1, slices);
    for (int from = 0; from < encoded.size(); from += per) {
      List<byte[]> slice = encoded.subList(from, Math.min(encoded.size(), from + per));
      f.verifying++;
      try {
        verifiers.execute(() -> {
          List<Checked> out = check(slice);
          run(() -> applyChecked(f, p, out));
        });
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
    if (f.verifying == 0) {
      finishFetchIfDone(m.requestId(), f, p);
    }
  }

  private record Checked(byte[] digest, SignedRecord record, Refusal refusal) {}

  /** Decodes and checks records; runs on a verifier thread. */
  private List<Checked> check(List<byte[]> encoded) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory
        .getThreadMXBean();
    long cpu0 = mx.getCurrentThreadCpuTime();
    List<Checked> out = check0(encoded);
    checkCpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
    return out;
  }

  private List<Checked> check0(List<byte[]> encoded) {
    List<Checked> out = new ArrayList<>(encoded.size());
    for (byte[] bytes : encoded) {
      SignedRecord r;
      try {
        r = RecordCodec.decode(bytes);
      } catch (MalformedException e) {
        out.add(new Checked(org.p2pdns.common.crypto.Hashes.sha256(bytes), null,
            RefusalReason.MALFORMED.refusal(e.getMessage())));
        continue;
      }
      Optional<Refusal> problem = validator.check(r);
      out.add(new Checked(r.digest(), problem.isEmpty() ? r : null, problem.orElse(null)));
    }
    return out;
  }

  private void applyChecked(Fetch f, PeerState p, List<Checked> results) {
    f.verifying--;
    if (fetches.get(f.id) != f) {
      return; // the peer was lost meanwhile: its digests were asked elsewhere or gave up
    }
    f.lastFrameNanos = System.nanoTime();
    for (Checked c : results) {
      ByteBuffer key = ByteBuffer.wrap(c.digest());
      if (!f.remaining.remove(key)) {
        LOG.debug("peer {} sent a record it was not asked for", f.peer);
        p.link.penalize(PeerScore.Offence.UNEXPECTED_MESSAGE);
        continue;
      }
      inFlight--;
      versionsFetched++;
      if (c.record() == null) {
        invalid++;
        if (SENDER_AT_FAULT.contains(c.refusal().reason())) {
          LOG.debug("peer {} served an invalid record: {}", f.peer, c.refusal());
          p.link.penalize(PeerScore.Offence.INVALID_RECORD);
        }
        resolveDigest(key, null);
      } else {
        resolveDigest(key, c.record());
      }
    }
    finishFetchIfDone(f.id, f, p);
    pumpAll();
    checkDone();
  }

  private void finishFetchIfDone(long id, Fetch f, PeerState p) {
    if (!f.last || f.verifying > 0) {
      return;
    }
    fetches.remove(id);
    p.outstanding--;
    // What the peer did not send it no longer holds (it changed meanwhile): ask another
    // peer that listed it, else that version abstains.
    retry(f.remaining);
    pumpAll();
    checkDone();
  }

  private void retry(Set<ByteBuffer> remaining) {
    for (ByteBuffer d : remaining) {
      inFlight--;
      DigestState ds = digests.get(d);
      if (ds == null || !assign(d, ds, false)) {
        resolveDigest(d, null);
      }
    }
    remaining.clear();
  }

  /** A digest is fetched (record), or given up (null): each name that listed it learns it. */
  private void resolveDigest(ByteBuffer digest, SignedRecord record) {
    DigestState ds = digests.remove(digest);
    if (ds == null) {
      return;
    }
    Set<String> namesDone = new HashSet<>();
    for (String[] l : ds.listers) {
      String peer = l[0];
      String name = l[1];
      NameState ns = names.get(name);
      if (ns == null) {
        continue;
      }
      if (record != null) {
        if (record.name().equals(name)) {
          ns.versions.put(peer, record);
        } else {
          LOG.debug("peer {} listed a record of {} under {}", peer, record.name(), name);
          PeerState p = peers.get(peer);
          if (p != null) {
            p.link.penalize(PeerScore.Offence.UNEXPECTED_MESSAGE);
          }
        }
      }
      if (namesDone.add(name)) {
        ns.pending--;
        if (ns.pending == 0) {
          decide(name, ns);
        }
      }
    }
  }

  private void decide(String name, NameState ns) {
    names.remove(name);
    NameVote.Outcome outcome = NameVote.decide(ns.versions, trust, validator);
    if (outcome instanceof NameVote.Outcome.Settled s) {
      settled++;
      contested.settledByVote(name);
      store(s.winner());
    } else if (outcome instanceof NameVote.Outcome.Contested c) {
      contestedCount++;
      contested.add(name, ns.versions);
      LOG.info("{} is contested: {} lineages, the strongest holds weight {} of {}", name,
          c.candidates().size(), c.candidates().get(0).weight(), c.totalWeight());
    }
  }

  private void store(NameVote.Candidate winner) {
    storing++;
    inFlight++;
    String by = winner.supporters().iterator().next();
    records.submitChecked(winner.record(), Origin.voted(by)).whenComplete((result, err) ->
        run(() -> {
          storing--;
          inFlight--;
          if (err == null && result.refusal().map(r -> r.reason() == RefusalReason.RATE_LIMITED)
              .orElse(false)) {
            // The writer's queue is full (clients submitting meanwhile): try again shortly
            // rather than leave the name to whichever peer sends it first.
            storing++;
            inFlight++;
            worker.schedule(() -> guard(() -> {
              storing--;
              inFlight--;
              store(winner);
            }), 100, TimeUnit.MILLISECONDS);
            return;
          }
          if (err == null && result.outcome() != SubmitResult.Outcome.REFUSED) {
            stored++;
          } else {
            LOG.info("bootstrap: the voted version of {} was not stored: {}",
                winner.record().name(), err != null ? err : result);
          }
          pumpAll();
          checkDone();
        }));
  }

  private void expireFetches(long now) {
    for (Map.Entry<Long, Fetch> e : new ArrayList<>(fetches.entrySet())) {
      Fetch f = e.getValue();
      if (f.verifying == 0 && now - f.lastFrameNanos > REQUEST_TIMEOUT.toNanos()) {
        PeerState p = peers.get(f.peer);
        if (p != null) {
          LOG.debug("bootstrap: peer {} did not answer a record request in {}", f.peer,
              REQUEST_TIMEOUT);
          peerLost(p, "request timed out");
        }
      }
    }
  }

  /** A peer can no longer help: its listing ends where it is, its fetches go elsewhere. */
  private void peerLost(PeerState p, String why) {
    if (p.dead) {
      return;
    }
    p.dead = true;
    LOG.debug("bootstrap: peer {} lost ({})", p.link.nodeId(), why);
    if (phase != Phase.LISTING && phase != Phase.FETCHING) {
      return;
    }
    Set<ByteBuffer> orphans = new HashSet<>(p.toFetch);
    p.toFetch.clear();
    for (Map.Entry<Long, Fetch> e : new ArrayList<>(fetches.entrySet())) {
      Fetch f = e.getValue();
      if (f.peer.equals(p.link.nodeId())) {
        fetches.remove(e.getKey());
        p.outstanding--;
        orphans.addAll(f.remaining);
        inFlight -= f.remaining.size();
      }
    }
    for (ByteBuffer d : orphans) {
      DigestState ds = digests.get(d);
      if (ds == null || !assign(d, ds, false)) {
        resolveDigest(d, null);
      }
    }
    if (phase == Phase.LISTING && !p.listDone) {
      p.listDone = true; // what it listed so far still counts
      checkListingDone();
    }
    pumpAll();
    checkDone();
  }

  private void checkDone() {
    if (phase != Phase.FETCHING || !names.isEmpty() || storing > 0) {
      return;
    }
    finish();
  }

  private void finish() {
    phase = Phase.DONE;
    doneNanos = System.nanoTime();
    contested.endBootstrap();
    verifiers.shutdown();
    LOG.info("bootstrap done in {} s: {} peers asked, {} names settled ({} stored), {} "
        + "contested, {} invalid versions; catch-up and gossip run as usual from now on",
        String.format("%.1f", (doneNanos - startNanos) / 1e9), peersAsked, settled, stored,
        contestedCount, invalid);
    catchUp.resume();
    worker.shutdown();
  }

  // ---------------------------------------------------------------- status

  /** One line for people. */
  public String summary() {
    long now = System.nanoTime();
    return switch (phase) {
      case WAITING -> "waiting for peers (" + wantedPeers + " wanted, deadline in "
          + Math.max(0, (deadlineNanos - now) / 1_000_000_000L) + " s)";
      case LISTING -> "listing names from " + peersAsked + " peers: " + listed + " entries; "
          + versionsFetched + " records checked, " + stored + " stored, " + contestedCount
          + " contested";
      case FETCHING -> "fetching from " + peersAsked + " peers: " + versionsFetched + " of "
          + distinctDigests + " records checked, " + stored + " stored, " + contestedCount
          + " contested";
      case DONE -> String.format("done in %.1f s (vote %.1f s) from %d peers: %d names "
          + "settled, %d contested, %d invalid versions; %d records checked in %.1f CPU s",
          (doneNanos - startNanos) / 1e9, (doneNanos - voteStartNanos) / 1e9, peersAsked,
          settled, contestedCount, invalid, versionsFetched, checkCpuNanos.get() / 1e9);
    };
  }

  private void guard(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // Our bug. A node stuck holding back every record would be worse than one that gave up
      // the vote: what was decided stays, the rest comes by catch-up.
      LOG.error("bootstrap task failed; the vote ends here", e);
      if (phase != Phase.DONE) {
        finish();
      }
    }
  }

  private void run(Runnable task) {
    try {
      worker.execute(() -> guard(task));
    } catch (RejectedExecutionException e) {
      // Done or closing.
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    verifiers.shutdownNow();
  }
}

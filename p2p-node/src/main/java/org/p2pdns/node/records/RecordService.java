package org.p2pdns.node.records;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RecordValidator.Verdict;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.RefusalReason.Refusal;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.node.ratelimit.OriginLimits;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.node.store.RecordStore.NameDigest;
import org.p2pdns.node.store.StorageException;
import org.p2pdns.node.trust.TrustWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every record takes into the node, from a local client now and from peers later:
 *
 * <ol>
 *   <li>decode the bytes ({@link RecordCodec#decode});
 *   <li>check the record on its own ({@link RecordValidator#check}: signatures, names, limits,
 *       proof of work, times), in parallel on the validator threads;
 *   <li>on the single writer thread: decide against the current version
 *       ({@link RecordValidator#decide}), store it ({@link RecordStore#putAll}, committed to
 *       disk), update the in-memory index, publish a {@link ChangeNotice}, tell the
 *       {@link RecordListener}s;
 *   <li>complete the returned future: the acknowledgement.
 * </ol>
 *
 * <p>One writer means decisions never race: the version a record is decided against is the one
 * it replaces. The writer takes what has queued up (up to {@link #MAX_BATCH}) and commits it in
 * one transaction: a commit costs a disk sync (about 9 ms here), so one record per commit would
 * cap the node near 100 records a second, far too slow to catch up with a network. Reads
 * ({@link #lookup}, {@link #names}, {@link #digests}) come from memory and never wait for the
 * writer.
 */
public final class RecordService implements AutoCloseable {
  /**
   * The trust weight a peer needs for the records it delivers to count as its word on a name's
   * ownership: the weight an operator gives a node it trusts directly (docs/security.md).
   */
  public static final double VOUCH_WEIGHT = 1.0;
  /** Submissions waiting for validation, and for the writer, before new ones are turned away. */
  public static final int MAX_PENDING = 10_000;
  /** Most records decided and committed together in one transaction. */
  public static final int MAX_BATCH = 500;

  private static final Logger log = LoggerFactory.getLogger(RecordService.class);
  private static final Duration STORAGE_LOG_INTERVAL = Duration.ofMinutes(1);

  private final RecordStore store;
  private final RecordValidator validator;
  private final ChangeFeed changeFeed;
  private final Clock clock;
  /** Limits by origin (owner key, name), whichever peer or client a record comes from. */
  private final OriginLimits limits;

  private final ConcurrentHashMap<String, SignedRecord> current = new ConcurrentHashMap<>();
  /** The same names as {@link #current}, sorted: for listing and reconciliation in name order. */
  private final ConcurrentSkipListSet<String> names = new ConcurrentSkipListSet<>();
  private final ConcurrentHashMap<String, SignedRecord> evidence = new ConcurrentHashMap<>();
  private final List<RecordListener> listeners = new CopyOnWriteArrayList<>();
  private volatile RecordGate gate = RecordGate.OPEN;

  private final ThreadPoolExecutor validators;
  private final BlockingQueue<PendingWrite> writeQueue = new LinkedBlockingQueue<>(MAX_PENDING);
  private final Thread writer;
  private volatile boolean closing;

  private final AtomicLong storedCount = new AtomicLong();
  private final AtomicLong duplicateCount = new AtomicLong();
  private final AtomicLong refusedCount = new AtomicLong();
  private final Map<RefusalReason, AtomicLong> refusedByReason = new java.util.EnumMap<>(
      RefusalReason.class);
  private volatile long lastStorageErrorLog = Long.MIN_VALUE;

  private final OwnershipRules ownership;
  /** Commitments kept since start; every {@link #PRUNE_EVERY}th prunes the expired ones. */
  private final AtomicLong commitmentsKept = new AtomicLong();
  private static final int PRUNE_EVERY = 1024;

  private RecordService(RecordStore store, RecordValidator validator, ChangeFeed changeFeed,
      Clock clock, OriginLimits limits, OwnershipHistory history, TrustWeights trust) {
    this.store = store;
    this.validator = validator;
    this.changeFeed = changeFeed;
    this.clock = clock;
    this.limits = limits;
    for (RefusalReason r : RefusalReason.values()) {
      refusedByReason.put(r, new AtomicLong());
    }
    this.ownership = new OwnershipRules(validator, history, trust, VOUCH_WEIGHT, clock);
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.validators = new ThreadPoolExecutor(cores, cores, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(MAX_PENDING), threads("record-validator"));
    this.writer = new Thread(this::writeLoop, "record-writer");
    writer.setDaemon(true);
  }

  /**
   * Loads every stored record into memory and starts the validator and writer threads.
   *
   * @param changeFeed told of every stored change (the node's PUB socket)
   */
  public static RecordService start(RecordStore store, RecordValidator validator,
      ChangeFeed changeFeed, Clock clock) throws StorageException {
    return start(store, validator, changeFeed, clock, OriginLimits.standard(clock),
        TrustWeights.none());
  }

  /** As {@link #start(RecordStore, RecordValidator, ChangeFeed, Clock)}, with these limits. */
  public static RecordService start(RecordStore store, RecordValidator validator,
      ChangeFeed changeFeed, Clock clock, OriginLimits limits) throws StorageException {
    return start(store, validator, changeFeed, clock, limits, TrustWeights.none());
  }

  /**
   * As {@link #start(RecordStore, RecordValidator, ChangeFeed, Clock)}, with the ownership
   * history in the store's database file and {@code trust} to weigh peers that deliver another
   * lineage of a name after the contest window (docs/protocol.md 1.11).
   */
  public static RecordService start(RecordStore store, RecordValidator validator,
      ChangeFeed changeFeed, Clock clock, TrustWeights trust) throws StorageException {
    return start(store, validator, changeFeed, clock, OriginLimits.standard(clock), trust);
  }

  /** As above, with these limits by origin and this trust. */
  public static RecordService start(RecordStore store, RecordValidator validator,
      ChangeFeed changeFeed, Clock clock, OriginLimits limits, TrustWeights trust)
      throws StorageException {
    RecordStore.Contents contents = store.loadAll();
    OwnershipHistory history = OwnershipHistory.open(store.file());
    RecordService service;
    try {
      service = new RecordService(store, validator, changeFeed, clock, limits, history, trust);
    } catch (RuntimeException e) {
      history.close();
      throw e;
    }
    for (SignedRecord r : contents.records()) {
      service.current.put(r.name(), r);
      service.names.add(r.name());
    }
    service.evidence.putAll(contents.evidence());
    service.forgetOldCommitments();
    if (contents.skippedRows() > 0) {
      log.error("{} rows of {} could not be read and were skipped (see the errors above)",
          contents.skippedRows(), store.file());
    }
    log.info("loaded {} records and {} pieces of equivocation evidence from {}",
        contents.records().size(), contents.evidence().size(), store.file());
    service.writer.start();
    return service;
  }

  public RecordValidator validator() {
    return validator;
  }

  /**
   * Puts {@code gate} in front of the writer: records it holds back are refused (RATE_LIMITED,
   * with its reason: not the sender's fault, try again later) and lookups of names it holds back
   * answer what it says. The bootstrap of a new node sets it before any peer link comes up.
   */
  public void setGate(RecordGate gate) {
    this.gate = gate;
  }

  /** Tells {@code listener} of every record stored from now on. */
  public void addListener(RecordListener listener) {
    listeners.add(listener);
  }

  public void removeListener(RecordListener listener) {
    listeners.remove(listener);
  }

  /**
   * Validates and stores an encoded signed record. Never blocks: the future completes once the
   * record is committed to disk (STORED), found to be held already (DUPLICATE), or refused (with
   * the reason, MALFORMED for bytes that are not a record).
   */
  public CompletableFuture<SubmitResult> submit(byte[] encoded, Origin origin) {
    byte[] bytes = encoded.clone();
    return enqueue(result -> {
      SignedRecord record;
      try {
        record = RecordCodec.decode(bytes);
      } catch (MalformedException e) {
        finish(result, SubmitResult.refused(RefusalReason.MALFORMED, e.getMessage()));
        return;
      }
      checkThenWrite(record, origin, result);
    });
  }

  /** Validates and stores a record already decoded (by the peer layer, say). As {@link #submit}. */
  public CompletableFuture<SubmitResult> submit(SignedRecord record, Origin origin) {
    return enqueue(result -> checkThenWrite(record, origin, result));
  }

  /**
   * Stores a record the caller has already checked with this service's validator ({@link
   * RecordValidator#check}) and decided to take (a new node's vote among its peers): skips the
   * signature checks, which would otherwise run twice on every record of a whole-store
   * transfer, and the gate, which holds the name back until exactly this decision. The writer
   * still decides it against the stored version ({@link RecordValidator#decide}).
   */
  public CompletableFuture<SubmitResult> submitChecked(SignedRecord record, Origin origin) {
    CompletableFuture<SubmitResult> result = new CompletableFuture<>();
    if (closing || !writeQueue.offer(new PendingWrite(record, origin, result))) {
      finish(result, busy());
    }
    return result;
  }

  private interface Step {
    void run(CompletableFuture<SubmitResult> result);
  }

  private CompletableFuture<SubmitResult> enqueue(Step step) {
    CompletableFuture<SubmitResult> result = new CompletableFuture<>();
    try {
      validators.execute(() -> {
        try {
          step.run(result);
        } catch (RuntimeException e) {
          internalError(result, e);
        }
      });
    } catch (RejectedExecutionException e) {
      finish(result, busy());
    }
    return result;
  }

  private void checkThenWrite(SignedRecord record, Origin origin,
      CompletableFuture<SubmitResult> result) {
    // Exactly the bytes already held were validated when they were stored: skip the signature
    // checks, which matters when many peers gossip the same record.
    if (record.equals(current.get(record.name()))) {
      finish(result, SubmitResult.DUPLICATE);
      return;
    }
    Optional<Refusal> problem = validator.check(record);
    if (problem.isPresent()) {
      finish(result, SubmitResult.refused(problem.get()));
      return;
    }
    Optional<String> heldBack = gate.holdBack(record, origin);
    if (heldBack.isPresent()) {
      finish(result, SubmitResult.refused(RefusalReason.RATE_LIMITED, heldBack.get()));
      return;
    }
    // Only what would replace the held version counts against its origin: a replayed old
    // version (anyone can replay one) must not spend its owner's budget.
    SignedRecord held = current.get(record.name());
    if (held == null || record.serial() > held.serial()) {
      Optional<String> over = limits.admit(record.name(), record.signerKey(), held != null);
      if (over.isPresent()) {
        finish(result, SubmitResult.refused(RefusalReason.RATE_LIMITED, over.get()));
        return;
      }
    }
    if (closing || !writeQueue.offer(new PendingWrite(record, origin, result))) {
      finish(result, busy());
    }
  }

  /** A checked record waiting for the writer. */
  private record PendingWrite(SignedRecord record, Origin origin,
      CompletableFuture<SubmitResult> result) {}

  private record Refused(PendingWrite write, SubmitResult outcome) {}

  /** The writer thread: takes what has queued up and writes it as one batch. */
  private void writeLoop() {
    List<PendingWrite> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        PendingWrite first = writeQueue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && writeQueue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        writeQueue.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        for (PendingWrite w : batch) {
          if (!w.result().isDone()) {
            internalError(w.result(), e);
          }
        }
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Decides each record of the batch against the version it would replace (the index, or a
   * version earlier in the same batch), commits every accepted record and every new piece of
   * evidence in one transaction, and only then updates the index and tells anyone.
   */
  private void writeBatch(List<PendingWrite> batch) {
    Map<String, SignedRecord> staged = new HashMap<>();
    Map<String, SignedRecord> stagedEvidence = new HashMap<>();
    // What the writer decided to store, in the order it decided.
    List<PendingWrite> accepted = new ArrayList<>();
    // Refusals that left evidence (or a contest note) to store: answered after the commit, so
    // that what they report is on disk by then.
    List<Refused> refusedWithEvidence = new ArrayList<>();
    // Verified versions that lost (new evidence, a contest lost): the listeners pass them on.
    List<Refused> lost = new ArrayList<>();
    OwnershipRules.Batch history = ownership.batch();
    for (PendingWrite w : batch) {
      SignedRecord incoming = w.record();
      String name = incoming.name();
      SignedRecord before = staged.containsKey(name) ? staged.get(name) : current.get(name);
      Verdict verdict = history.review(incoming, Optional.ofNullable(before),
          validator.decide(incoming, Optional.ofNullable(before)), w.origin());
      if (verdict instanceof Verdict.Duplicate) {
        finish(w.result(), SubmitResult.DUPLICATE);
      } else if (verdict instanceof Verdict.Refuse refuse) {
        Optional<SignedRecord> ev = refuse.evidence()
            .filter(e -> isNewEvidence(e, stagedEvidence));
        ev.ifPresent(e -> stagedEvidence.put(name, e));
        SubmitResult outcome = SubmitResult.refused(refuse.refusal());
        boolean lostHere = ev.isPresent()
            || refuse.refusal().reason() == RefusalReason.CONTEST_LOST;
        if (lostHere) {
          // Answered after the listeners heard of it, so that whoever waits for the answer
          // (gossip, for the record's hop count) sees the version passed on first.
          refusedWithEvidence.add(new Refused(w, outcome));
          lost.add(new Refused(w, outcome));
        } else {
          finish(w.result(), outcome);
        }
      } else {
        Optional<SignedRecord> ev = ((Verdict.Accept) verdict).evidence()
            .filter(e -> isNewEvidence(e, stagedEvidence));
        ev.ifPresent(e -> stagedEvidence.put(name, e));
        staged.put(name, incoming);
        accepted.add(w);
      }
    }
    if (accepted.isEmpty() && stagedEvidence.isEmpty() && !history.changes().isEmpty()) {
      // Only contest outcomes to note: nothing rides on them, a failure is logged only.
      try {
        store.putAll(List.of(), List.of(), OwnershipHistory.writes(history.changes()));
        ownership.history().kept(history.changes());
      } catch (StorageException e) {
        logStorageFailure(e);
        // The contest notes are not on disk: the losing versions are not passed on either
        // (they are told only once what they report is committed; the next copy tries again).
        lost.clear();
      }
    }
    if (!accepted.isEmpty() || !stagedEvidence.isEmpty()) {
      List<SignedRecord> toStore = new ArrayList<>(accepted.size());
      for (PendingWrite w : accepted) {
        toStore.add(w.record());
      }
      try {
        // The history in the same transaction: a record on disk always has its held-since
        // times, and the batch costs one disk sync.
        store.putAll(toStore, List.copyOf(stagedEvidence.values()),
            OwnershipHistory.writes(history.changes()));
        ownership.history().kept(history.changes());
      } catch (StorageException e) {
        logStorageFailure(e);
        // The batch is one transaction: none of it is stored, every record in it is refused.
        for (PendingWrite w : accepted) {
          finish(w.result(), SubmitResult.refused(RefusalReason.STORAGE, e.getMessage()));
        }
        refusedWithEvidence.forEach(r -> finish(r.write().result(), r.outcome()));
        return;
      }
    }
    evidence.putAll(stagedEvidence);
    for (SignedRecord ev : stagedEvidence.values()) {
      log.info("{}: the owner signed two versions of serial {}; kept the one with the lower "
          + "digest and the other as evidence", ev.name(), ev.serial());
    }
    for (PendingWrite w : accepted) {
      SignedRecord r = w.record();
      current.put(r.name(), r);
      names.add(r.name());
      changeFeed.publish(new ChangeNotice(r.name(), r.serial()));
      for (RecordListener l : listeners) {
        try {
          l.recordStored(r, w.origin());
        } catch (RuntimeException e) {
          log.error("record listener {} failed on {}", l, r, e);
        }
      }
      finish(w.result(), SubmitResult.STORED);
    }
    for (Refused r : lost) {
      tellLost(r.write(), r.outcome().refusal().orElseThrow().reason());
    }
    refusedWithEvidence.forEach(r -> finish(r.write().result(), r.outcome()));
  }

  /**
   * Tells the listeners of a verified version that lost (its evidence, or its contest note, is
   * committed by now), so that it spreads like a stored one: other nodes need it to reach the same
   * evidence and contest outcome. Counted against its origin like a record that would replace
   * the held one (an update of its signer's, or a claim of the name), so that nobody can make
   * the network pass on losing versions faster than it takes records.
   */
  private void tellLost(PendingWrite w, RefusalReason reason) {
    SignedRecord r = w.record();
    boolean update = reason != RefusalReason.CONTEST_LOST;
    Optional<String> over = limits.admit(r.name(), r.signerKey(), update);
    if (over.isPresent()) {
      log.debug("{}: not passing on a losing version ({}): {}", r.name(), reason, over.get());
      return;
    }
    for (RecordListener l : listeners) {
      try {
        l.recordLost(r, w.origin(), reason);
      } catch (RuntimeException e) {
        log.error("record listener {} failed on the losing version {}", l, r, e);
      }
    }
  }

  /** One piece of evidence per name and serial: a second one proves nothing new. */
  private boolean isNewEvidence(SignedRecord candidate, Map<String, SignedRecord> staged) {
    SignedRecord held = staged.containsKey(candidate.name()) ? staged.get(candidate.name())
        : evidence.get(candidate.name());
    return held == null || held.serial() != candidate.serial();
  }

  private void logStorageFailure(StorageException e) {
    long now = clock.millis();
    if (lastStorageErrorLog == Long.MIN_VALUE
        || now - lastStorageErrorLog >= STORAGE_LOG_INTERVAL.toMillis()) {
      lastStorageErrorLog = now;
      // Not a bug of ours but the machine's state: the message says what, no stack needed.
      log.error("storage failure; records are refused until it is fixed, reads go on: {}",
          e.getMessage());
    } else {
      log.debug("storage failure: {}", e.getMessage());
    }
  }

  private static SubmitResult busy() {
    return SubmitResult.refused(RefusalReason.RATE_LIMITED, "the node has " + MAX_PENDING
        + " submissions waiting, or is shutting down; try again later");
  }

  private void internalError(CompletableFuture<SubmitResult> result, RuntimeException e) {
    log.error("bug while handling a submitted record", e);
    finish(result, SubmitResult.refused(RefusalReason.STORAGE, "internal error in the node: "
        + e));
  }

  private void finish(CompletableFuture<SubmitResult> result, SubmitResult outcome) {
    if (outcome.refusal().isPresent() && log.isDebugEnabled()) {
      // Anyone can send refusable records: DEBUG only, never above.
      log.debug("refused: {}", outcome.refusal().get());
    }
    switch (outcome.outcome()) {
      case STORED -> storedCount.incrementAndGet();
      case DUPLICATE -> duplicateCount.incrementAndGet();
      case REFUSED -> {
        refusedCount.incrementAndGet();
        refusedByReason.get(outcome.refusal().get().reason()).incrementAndGet();
      }
      default -> throw new IllegalStateException();
    }
    result.complete(outcome);
  }

  /**
   * What the node holds for {@code name} (lower case, no trailing dot): FOUND for a live record,
   * EXPIRED once its expiry has passed, REVOKED for a tombstone, NOT_FOUND otherwise.
   */
  public LookupResult lookup(String name) {
    SignedRecord r = current.get(name);
    if (r == null) {
      return gate.lookup(name).orElse(LookupResult.NOT_FOUND);
    }
    String evidenceNote = evidenceDetail(r);
    if (r.kind() == SignedRecord.Kind.TOMBSTONE) {
      return new LookupResult(LookupStatus.REVOKED, Optional.of(r), join("revoked by its owner "
          + "at serial " + r.serial(), evidenceNote));
    }
    if (r.expiresAt() < clock.instant().getEpochSecond()) {
      return new LookupResult(LookupStatus.EXPIRED, Optional.of(r), join("expired at "
          + Instant.ofEpochSecond(r.expiresAt()), evidenceNote));
    }
    return new LookupResult(LookupStatus.FOUND, Optional.of(r), evidenceNote);
  }

  private String evidenceDetail(SignedRecord r) {
    String out = "";
    SignedRecord ev = evidence.get(r.name());
    if (ev != null) {
      out = "equivocation evidence held: the owner also signed a different version of serial "
          + ev.serial() + " (digest " + ev.digestHex() + ")";
    }
    Optional<String> pending = ownership.pendingTransfer(r);
    if (pending.isPresent()) {
      out = join(out, pending.get());
    }
    Optional<String> contest = ownership.history().contest(r.name());
    if (contest.isPresent()) {
      out = join(out, "contest: " + contest.get());
    }
    return out;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
  }

  /**
   * Takes a claim's commitment (docs/protocol.md 1.5a) from a client or a peer: kept when its
   * proof of work holds and this node witnesses it live (its time within the clock skew of this
   * node's clock), then handed to the listeners to spread. DUPLICATE when already kept.
   */
  public CompletableFuture<SubmitResult> submitCommitment(Commitment c, Origin origin) {
    CompletableFuture<SubmitResult> result = new CompletableFuture<>();
    try {
      validators.execute(() -> {
        try {
          result.complete(keepCommitment(c, origin));
        } catch (RuntimeException e) {
          log.error("bug while handling a commitment", e);
          result.complete(SubmitResult.refused(RefusalReason.STORAGE, "internal error in the "
              + "node: " + e));
        }
      });
    } catch (RejectedExecutionException e) {
      result.complete(busy());
    }
    return result;
  }

  private SubmitResult keepCommitment(Commitment c, Origin origin) {
    long now = clock.instant().getEpochSecond();
    long skew = validator.params().clockSkew().toSeconds();
    if (Math.abs(now - c.committedAt()) > skew) {
      return finishCommitment(SubmitResult.refused(RefusalReason.CLOCK_SKEW, "commitment time "
          + c.committedAt() + " is not within the clock skew of " + skew + " s of this node's "
          + "clock (" + now + "): not witnessed live"));
    }
    if (!c.powValid(validator.params().networkId(),
        Ownership.commitmentPowBits(validator.params()))) {
      return finishCommitment(SubmitResult.refused(RefusalReason.INSUFFICIENT_POW,
          "commitment proof of work has fewer than "
          + Ownership.commitmentPowBits(validator.params()) + " zero bits"));
    }
    OwnershipHistory history = ownership.history();
    try {
      if (history.witnessed(c.hash(), c.committedAt()).isPresent()) {
        return finishCommitment(SubmitResult.DUPLICATE);
      }
      if (history.commitmentCount() >= OwnershipHistory.MAX_COMMITMENTS) {
        history.forgetCommitmentsBefore(now
            - Ownership.commitmentLifetime(validator.params()).toSeconds());
        if (history.commitmentCount() >= OwnershipHistory.MAX_COMMITMENTS) {
          return finishCommitment(SubmitResult.refused(RefusalReason.RATE_LIMITED,
              "this node keeps " + OwnershipHistory.MAX_COMMITMENTS + " commitments already"));
        }
      }
      if (!history.keepCommitment(c, now)) {
        return finishCommitment(SubmitResult.DUPLICATE);
      }
      if (commitmentsKept.incrementAndGet() % PRUNE_EVERY == 0) {
        forgetOldCommitments();
      }
    } catch (StorageException e) {
      logStorageFailure(e);
      return finishCommitment(SubmitResult.refused(RefusalReason.STORAGE, e.getMessage()));
    }
    for (RecordListener l : listeners) {
      try {
        l.commitmentKept(c, origin);
      } catch (RuntimeException e) {
        log.error("record listener {} failed on {}", l, c, e);
      }
    }
    return finishCommitment(SubmitResult.STORED);
  }

  private static SubmitResult finishCommitment(SubmitResult r) {
    if (r.refusal().isPresent() && log.isDebugEnabled()) {
      log.debug("commitment refused: {}", r.refusal().get());
    }
    return r;
  }

  /** A name's current lineage as this node sees it: what a peer's LINEAGE_QUERY is told. */
  public record LineageFacts(byte[] lineage, Optional<Long> countedTime, long heldSince) {}

  /** This node's view of the current lineage of {@code name}, if it holds a record of it. */
  public Optional<LineageFacts> lineageFacts(String name) {
    SignedRecord r = current.get(name);
    if (r == null) {
      return Optional.empty();
    }
    Optional<OwnershipHistory.LineageRow> row = ownership.lineageRow(r);
    return Optional.of(new LineageFacts(RecordValidator.lineageId(r),
        row.map(OwnershipHistory.LineageRow::rankTime).map(Optional::ofNullable)
            .orElse(Optional.empty()), row.map(OwnershipHistory.LineageRow::heldSince).orElse(0L)));
  }

  /** Who asks a trusted peer for its view of a lineage (the peer layer). */
  public void setEvidenceAsker(EvidenceAsker asker) {
    ownership.setAsker(asker);
  }

  /**
   * What a peer answered about a name's lineage: kept as evidence of the commitment time it
   * counts; returns a record of that peer waiting for this answer, to be submitted again.
   */
  public Optional<SignedRecord> peerLineage(String peerId, String name, Optional<byte[]> lineage,
      Optional<Long> countedTime) {
    return ownership.takeEvidence(peerId, name, lineage, countedTime);
  }

  /** Whether this node witnessed the commitment live and still keeps it. */
  public boolean witnessedCommitment(byte[] hash, long committedAt) {
    return ownership.history().witnessed(hash, committedAt).isPresent();
  }

  /** Forgets commitments too old to be revealed any more; called now and then. */
  public void forgetOldCommitments() {
    try {
      ownership.history().forgetCommitmentsBefore(clock.instant().getEpochSecond()
          - Ownership.commitmentLifetime(validator.params()).toSeconds());
    } catch (StorageException e) {
      logStorageFailure(e);
    }
  }

  /** The current record of {@code name}, whatever its state. */
  public Optional<SignedRecord> current(String name) {
    return Optional.ofNullable(current.get(name));
  }

  /** The equivocation evidence held for {@code name}, if any. */
  public Optional<SignedRecord> evidence(String name) {
    return Optional.ofNullable(evidence.get(name));
  }

  /** How many names the node holds a record for (live, expired or revoked). */
  public int count() {
    return current.size();
  }

  /** A page of held names in order. */
  public record NamesPage(List<String> names, boolean more) {
    public NamesPage {
      names = List.copyOf(names);
    }
  }

  /** Up to {@code limit} held names after {@code after} (exclusive; "" from the start). */
  public NamesPage names(String after, int limit) {
    List<String> out = new ArrayList<>(Math.min(limit, 1024));
    Iterator<String> it = names.tailSet(after, false).iterator();
    while (out.size() < limit && it.hasNext()) {
      out.add(it.next());
    }
    return new NamesPage(out, it.hasNext());
  }

  /**
   * Up to {@code limit} held names after {@code after} (exclusive) with their records' digests,
   * in name order, from memory: what set reconciliation with a peer compares.
   */
  public List<NameDigest> digests(String after, int limit) {
    List<NameDigest> out = new ArrayList<>(Math.min(limit, 1024));
    Iterator<String> it = names.tailSet(after, false).iterator();
    while (out.size() < limit && it.hasNext()) {
      SignedRecord r = current.get(it.next());
      if (r != null) {
        out.add(new NameDigest(r.name(), r.digest()));
      }
    }
    return out;
  }

  public long storedCount() {
    return storedCount.get();
  }

  public long duplicateCount() {
    return duplicateCount.get();
  }

  public long refusedCount() {
    return refusedCount.get();
  }

  /** Refusals since start by reason, those that happened only ("BAD_SIGNATURE 3, ..."). */
  public String refusalsByReason() {
    StringBuilder sb = new StringBuilder();
    refusedByReason.forEach((reason, n) -> {
      if (n.get() > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(reason).append(' ').append(n.get());
      }
    });
    return sb.length() == 0 ? "none" : sb.toString();
  }

  /** How many refusals of {@code reason} since start. */
  public long refusedCount(RefusalReason reason) {
    return refusedByReason.get(reason).get();
  }

  /**
   * Stops taking submissions and lets the ones already taken finish (bounded wait), so every
   * record that was accepted for writing is committed before the store closes.
   */
  @Override
  public void close() {
    validators.shutdown();
    awaitQuietly(validators, "validator");
    closing = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
      if (writer.isAlive()) {
        log.warn("record writer still busy after 10 s; stopping it");
        writer.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      writer.interrupt();
    }
    for (PendingWrite w; (w = writeQueue.poll()) != null; ) {
      finish(w.result(), busy());
    }
    ownership.history().close();
  }

  private static void awaitQuietly(ThreadPoolExecutor pool, String what) {
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("record {} threads still busy after 10 s; stopping them", what);
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

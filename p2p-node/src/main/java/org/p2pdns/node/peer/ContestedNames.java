package org.p2pdns.node.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.records.LookupResult;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordGate;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.trust.TrustWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate in front of a new node's record service (docs/protocol.md 3.8b). While the node takes
 * its store by vote ({@link #bootstrapping}), it holds back every record a peer sends: one hostile
 * peer must not fill an empty store before the others are heard. Afterwards it holds back only
 * the names the vote left contested; for those it keeps each peer's latest version as a vote
 * (bounded), answers lookups with CONTESTED and the candidates, and settles a name as soon as
 * trusted evidence gives one lineage the majority: a version from a peer with trust weight, or a
 * change of trust ({@link #recheckAll}). Thread-safe: the record service calls it from its
 * validator threads.
 */
public final class ContestedNames implements RecordGate {
  private static final Logger LOG = LoggerFactory.getLogger(ContestedNames.class);
  /** Most contested names held; beyond it new disputes are not tracked (logged). */
  public static final int MAX_NAMES = 100_000;
  /** Most peers whose votes are kept per name; a peer with trust weight always gets in. */
  static final int MAX_VOTERS = 64;

  private final RecordService records;
  private final RecordValidator validator;
  private final TrustWeights trust;
  private final VoteTable table;
  private volatile boolean bootstrapping;
  private final ConcurrentHashMap<String, Contest> contested = new ConcurrentHashMap<>();
  private final AtomicLong settledLater = new AtomicLong();
  private final AtomicLong heldBack = new AtomicLong();

  /** One contested name: each voter's version. Guarded by itself. */
  private static final class Contest {
    final Map<String, SignedRecord> versionByPeer = new HashMap<>();
    /** A settled winner is being written: further votes change nothing. */
    boolean settling;
  }

  /**
   * @param table where the votes on contested names and the vote's state are kept across
   *     restarts; the contested names stored there are loaded now
   * @param bootstrapping whether a vote runs (every peer record is held back until it ends)
   */
  public ContestedNames(RecordService records, TrustWeights trust, VoteTable table,
      boolean bootstrapping) throws java.sql.SQLException {
    this.records = records;
    this.validator = records.validator();
    this.trust = trust;
    this.table = table;
    this.bootstrapping = bootstrapping;
    table.loadContested().forEach((name, votes) -> {
      Contest c = new Contest();
      c.versionByPeer.putAll(votes);
      contested.put(name, c);
    });
    if (!contested.isEmpty()) {
      LOG.info("{} names still contested from before the restart", contested.size());
    }
  }

  /** Whether records from peers are held back because the store is still being voted in. */
  public boolean bootstrapping() {
    return bootstrapping;
  }

  /** The vote is over: from now on only contested names are held back. */
  void endBootstrap() {
    bootstrapping = false;
    table.setEnded(true);
  }

  /** The vote settled a name that was contested before a restart: no longer contested. */
  void settledByVote(String name) {
    if (contested.remove(name) != null) {
      table.forget(name);
    }
  }

  /** Marks a name contested with the votes that left it so. */
  void add(String name, Map<String, SignedRecord> versionByPeer) {
    if (contested.size() >= MAX_NAMES && !contested.containsKey(name)) {
      LOG.warn("{} names contested already; {} is not tracked and stays unresolved", MAX_NAMES,
          name);
      return;
    }
    Contest c = new Contest();
    c.versionByPeer.putAll(versionByPeer);
    contested.put(name, c);
    table.forget(name);
    versionByPeer.forEach((peer, version) -> table.putVote(name, peer, version));
  }

  public int count() {
    return contested.size();
  }

  public boolean isContested(String name) {
    return contested.containsKey(name);
  }

  /** Contested names settled after the vote, by trusted evidence. */
  public long settledLater() {
    return settledLater.get();
  }

  /** The current vote on a contested name, if it is contested. */
  public Optional<NameVote.Outcome> outcome(String name) {
    Contest c = contested.get(name);
    if (c == null) {
      return Optional.empty();
    }
    synchronized (c) {
      return Optional.of(NameVote.decide(c.versionByPeer, trust, validator));
    }
  }

  @Override
  public Optional<String> holdBack(SignedRecord record, Origin origin) {
    Contest c = contested.get(record.name());
    if (c != null) {
      heldBack.incrementAndGet();
      if (origin instanceof Origin.Peer p) {
        vote(record.name(), c, p.nodeId(), record);
      }
      return Optional.of(record.name() + " is contested on this node: its peers disagree on "
          + "its owner and no trusted peer has settled it yet");
    }
    if (bootstrapping && origin instanceof Origin.Peer) {
      heldBack.incrementAndGet();
      return Optional.of("this node is new and still takes its store from its peers by vote");
    }
    return Optional.empty();
  }

  /** A peer's version of a contested name: its vote now, then a new decision if it weighs. */
  void vote(String name, String peer, SignedRecord version) {
    Contest c = contested.get(name);
    if (c != null) {
      vote(name, c, peer, version);
    }
  }

  private void vote(String name, Contest c, String peer, SignedRecord version) {
    double w = NameVote.weightOf(trust, peer);
    synchronized (c) {
      if (c.settling) {
        return;
      }
      SignedRecord before = c.versionByPeer.get(peer);
      if (before == null && c.versionByPeer.size() >= MAX_VOTERS && w == 0) {
        return;
      }
      // A peer votes with the newest version it showed of one lineage; a different lineage
      // replaces its earlier vote (it changed its mind or was corrected).
      boolean sameLineage = before != null && java.util.Arrays.equals(
          before.content().claimKey(), version.content().claimKey());
      SignedRecord now = sameLineage ? NameVote.newer(version, before, validator) : version;
      c.versionByPeer.put(peer, now);
      if (now != before) {
        table.putVote(name, peer, now);
      }
      if (w > 0) {
        settleIfDecided(name, c);
      }
    }
  }

  /** Decides every contested name again (trust may have changed). */
  public void recheckAll() {
    for (Map.Entry<String, Contest> e : contested.entrySet()) {
      synchronized (e.getValue()) {
        if (!e.getValue().settling) {
          settleIfDecided(e.getKey(), e.getValue());
        }
      }
    }
  }

  /** Under the contest's lock. */
  private void settleIfDecided(String name, Contest c) {
    NameVote.Outcome outcome = NameVote.decide(c.versionByPeer, trust, validator);
    if (!(outcome instanceof NameVote.Outcome.Settled s)) {
      return;
    }
    c.settling = true;
    SignedRecord winner = s.winner().record();
    String by = s.winner().supporters().iterator().next();
    records.submitChecked(winner, Origin.voted(by)).whenComplete((result, err) -> {
      if (err == null && result.refusal().map(r -> r.reason() == RefusalReason.RATE_LIMITED)
          .orElse(false)) {
        synchronized (c) {
          c.settling = false; // the writer is full: stay contested, try again next round
        }
        return;
      }
      if (contested.remove(name, c)) {
        table.forget(name);
      }
      if (err != null || result.outcome() == SubmitResult.Outcome.REFUSED) {
        LOG.info("{}: the settled version could not be stored ({}); the name is open to the "
            + "record rules again", name, err != null ? err : result);
        return;
      }
      settledLater.incrementAndGet();
      LOG.info("{} settled: the lineage of key {} holds weight {} of {} ({} peers)", name,
          s.winner().lineage(), s.winner().weight(), s.totalWeight(),
          s.winner().supporters().size());
    });
  }

  @Override
  public Optional<LookupResult> lookup(String name) {
    if (!contested.containsKey(name)) {
      return Optional.empty();
    }
    return Optional.of(new LookupResult(LookupStatus.CONTESTED, Optional.empty(),
        describe(name).orElse("contested")));
  }

  /** For people: the candidates of a contested name, strongest first. */
  public Optional<String> describe(String name) {
    Optional<NameVote.Outcome> o = outcome(name);
    if (o.isEmpty()) {
      return Optional.empty();
    }
    List<NameVote.Candidate> candidates = o.get() instanceof NameVote.Outcome.Contested c
        ? c.candidates() : o.get() instanceof NameVote.Outcome.Settled s ? List.of(s.winner())
        : List.of();
    StringBuilder sb = new StringBuilder("contested: peers disagree on the owner and no "
        + "lineage holds more than half of the trust weight; " + candidates.size()
        + " candidates:");
    for (NameVote.Candidate cand : candidates) {
      sb.append(" [owner key ").append(org.p2pdns.common.crypto.Ed25519Keys.toHex(
          cand.record().ownerKey())).append(" serial ").append(cand.record().serial())
          .append(" digest ").append(cand.record().digestHex(), 0, 16).append(", ")
          .append(cand.supporters().size()).append(" peers, weight ")
          .append(String.format("%.2f", cand.weight())).append("]");
    }
    return Optional.of(sb.toString());
  }

  /** Up to {@code limit} contested names in order, each with its candidates. */
  public Map<String, String> describeAll(int limit) {
    Map<String, String> out = new TreeMap<>();
    List<String> names = new ArrayList<>(contested.keySet());
    names.sort(null);
    for (String n : names.subList(0, Math.min(limit, names.size()))) {
      describe(n).ifPresent(d -> out.put(n, d));
    }
    return out;
  }

  /** Records held back so far (from peers while bootstrapping, for contested names since). */
  public long heldBack() {
    return heldBack.get();
  }
}

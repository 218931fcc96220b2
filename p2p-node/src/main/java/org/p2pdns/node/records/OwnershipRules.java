package org.p2pdns.node.records;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.ClaimTerms;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Handover;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RecordValidator.Verdict;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.records.OwnershipHistory.Change;
import org.p2pdns.node.records.OwnershipHistory.LineageRow;
import org.p2pdns.node.trust.TrustWeights;

/**
 * The ownership rules that depend on this node's history (docs/protocol.md 1.11), applied on top
 * of the pure verdict of {@link RecordValidator#decide}:
 *
 * <ul>
 *   <li><b>contest</b>: another lineage of a name that is not lapsed replaces the one held when
 *       it ranks first ({@link Ownership.Rank}: a witnessed commitment time, earlier first) and
 *       this node has held the current lineage for at most the contest window;
 *   <li><b>finality</b>: after the window, another lineage is refused whatever time it says,
 *       unless a trusted peer (weight at least {@code vouchWeight}) delivers it and it ranks
 *       first: that is how the two halves of a partition agree again;
 *   <li><b>recovery</b>: a recovery link cancels an owner-signed hand-over only while this node
 *       has held that hand-over for at most the transfer delay.
 * </ul>
 *
 * Used by the record writer thread only, one {@link Batch} per write batch.
 */
final class OwnershipRules {
  private static final HexFormat HEX = HexFormat.of();

  private final RecordValidator validator;
  private final NetworkParams params;
  private final byte[] networkId;
  private final OwnershipHistory history;
  private final TrustWeights trust;
  private final double vouchWeight;
  private final Clock clock;
  /** Peer id, name and lineage id to the commitment time that trusted peer counts (LINEAGE). */
  private final Map<String, Optional<Long>> evidence = boundedMap(4096);
  /** Peer id and name to a record from that trusted peer waiting for its LINEAGE answer. */
  private final Map<String, SignedRecord> parked = boundedMap(1024);
  private volatile EvidenceAsker asker = (peer, name) -> { };

  private static <V> Map<String, V> boundedMap(int max) {
    return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    });
  }

  void setAsker(EvidenceAsker a) {
    asker = a;
  }

  /**
   * Keeps what a peer said of a name's current lineage, and returns the record parked for that
   * peer and name if it belongs to that lineage (to be decided again, now with the evidence).
   */
  Optional<SignedRecord> takeEvidence(String peerId, String name, Optional<byte[]> lineage,
      Optional<Long> countedTime) {
    if (lineage.isEmpty()) {
      return Optional.empty();
    }
    evidence.put(peerId + " " + name + " " + HEX.formatHex(lineage.get()), countedTime);
    SignedRecord waiting = parked.get(peerId + " " + name);
    if (waiting != null && java.util.Arrays.equals(RecordValidator.lineageId(waiting),
        lineage.get())) {
      parked.remove(peerId + " " + name);
      return Optional.of(waiting);
    }
    return Optional.empty();
  }

  private Optional<Optional<Long>> evidenceFor(Origin origin, SignedRecord r) {
    if (!(origin instanceof Origin.Peer p)) {
      return Optional.empty();
    }
    return Optional.ofNullable(evidence.get(p.nodeId() + " " + r.name() + " "
        + HEX.formatHex(RecordValidator.lineageId(r))));
  }

  private boolean witnessedHere(SignedRecord r) {
    Optional<ClaimTerms.Reveal> reveal = r.content().terms().reveal();
    return reveal.isPresent() && history.witnessed(Commitment.revealedBy(networkId, r)
        .orElseThrow(), reveal.get().committedAt()).isPresent();
  }

  /** This node's view of the current lineage of a name, for a peer that asks (LINEAGE). */
  Optional<LineageRow> lineageRow(SignedRecord current) {
    return history.lineage(current.name(), RecordValidator.lineageId(current));
  }

  OwnershipRules(RecordValidator validator, OwnershipHistory history, TrustWeights trust,
      double vouchWeight, Clock clock) {
    this.validator = validator;
    this.params = validator.params();
    this.networkId = params.networkId();
    this.history = history;
    this.trust = trust;
    this.vouchWeight = vouchWeight;
    this.clock = clock;
  }

  OwnershipHistory history() {
    return history;
  }

  /** The history changes of one write batch, and what they say before they are written. */
  final class Batch {
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, LineageRow> lineages = new HashMap<>();
    private final Map<String, Long> links = new HashMap<>();

    List<Change> changes() {
      return changes;
    }

    private Optional<LineageRow> lineage(String name, byte[] id) {
      LineageRow pending = lineages.get(name + " " + HEX.formatHex(id));
      return pending != null ? Optional.of(pending) : history.lineage(name, id);
    }

    private Optional<Long> linkHeldSince(String name, byte[] signature) {
      Long pending = links.get(name + " " + HEX.formatHex(signature));
      return pending != null ? Optional.of(pending) : history.linkHeldSince(name, signature);
    }

    private void noteStored(SignedRecord r, Origin origin, long now) {
      noteStored(r, origin, now, false);
    }

    /** @param afterLapse the name had lapsed: the lineage's window starts again, from now */
    private void noteStored(SignedRecord r, Origin origin, long now, boolean afterLapse) {
      byte[] id = RecordValidator.lineageId(r);
      if (afterLapse || lineage(r.name(), id).isEmpty()) {
        Long rankTime = knownTime(r, origin);
        lineages.put(r.name() + " " + HEX.formatHex(id), new LineageRow(now, rankTime));
        changes.add(new Change.Lineage(r.name(), id, now, rankTime, afterLapse));
      }
      for (Handover h : r.handovers()) {
        if (linkHeldSince(r.name(), h.signature()).isEmpty()) {
          links.put(r.name() + " " + HEX.formatHex(h.signature()), now);
          changes.add(new Change.Link(r.name(), h.signature(), now));
        }
      }
    }

    private void noteContest(String name, String note, long now) {
      changes.add(new Change.Contest(name, note, now));
    }

    /**
     * The final verdict on {@code incoming} given the pure one, and the history it leaves when
     * it stands (kept in this batch until {@link OwnershipHistory#record}).
     *
     * @param before the version it is decided against (stored, or earlier in the batch)
     */
    Verdict review(SignedRecord incoming, Optional<SignedRecord> before, Verdict verdict,
        Origin origin) {
      long now = clock.instant().getEpochSecond();
      if (before.isEmpty() || lapsed(before.get(), now)) {
        if (verdict instanceof Verdict.Accept) {
          noteStored(incoming, origin, now, before.isPresent());
        }
        return verdict;
      }
      SignedRecord held = before.get();
      if (!RecordValidator.sameLineage(incoming, held)) {
        return contest(incoming, held, verdict, origin, now);
      }
      if (verdict instanceof Verdict.Accept) {
        Optional<String> late = lateRecovery(incoming, held, now);
        if (late.isPresent()) {
          return new Verdict.Refuse(RefusalReason.NOT_OWNER.refusal(late.get()), Optional.empty());
        }
        noteStored(incoming, origin, now);
      }
      return verdict;
    }

    private Verdict contest(SignedRecord incoming, SignedRecord held, Verdict verdict,
        Origin origin, long now) {
      if (!(verdict instanceof Verdict.Refuse)) {
        throw new IllegalStateException("decide accepted another lineage of a live name");
      }
      if (held.kind() == SignedRecord.Kind.TOMBSTONE) {
        return verdict; // revoked: nobody claims it before the tombstone lapses
      }
      if (vouched(origin) && incoming.content().terms().reveal().isPresent()
          && !witnessedHere(incoming) && evidenceFor(origin, incoming).isEmpty()) {
        // A trusted peer's word counts with the commitment time that peer itself counts, not
        // with the time the record states: ask it, decide again when it answers.
        String peer = ((Origin.Peer) origin).nodeId();
        parked.put(peer + " " + incoming.name(), incoming);
        asker.ask(peer, incoming.name());
        return new Verdict.Refuse(RefusalReason.NOT_OWNER.refusal(held.name() + " is held "
            + "here by another claim; asked peer " + peer + " which commitment time it counts "
            + "for this one"), Optional.empty());
      }
      LineageRow heldRow = lineage(held.name(), RecordValidator.lineageId(held))
          .orElse(new LineageRow(0, null));
      Ownership.Rank heldRank = rank(held, heldRow.rankTime());
      Ownership.Rank incomingRank = rank(incoming, knownTime(incoming, origin));
      String who = "the claim by key " + shortKey(incoming.content().claimKey()) + " ("
          + incomingRank.describe() + ")";
      String holder = "the claim by key " + shortKey(held.content().claimKey()) + " ("
          + heldRank.describe() + ")";
      long window = Ownership.contestWindow(params).toSeconds();
      boolean inWindow = now - heldRow.heldSince() <= window;
      boolean vouched = vouched(origin);
      // Only a claim whose commitment time this node knows may contest within the window; a
      // plain claim, or one revealing a commitment nobody here witnessed, takes nothing.
      boolean contender = vouched || (inWindow && incomingRank.knownTime() != null);
      if (!contender) {
        // Not noted in the history: anyone can send such claims, and a note costs a disk write.
        return verdict;
      }
      if (incomingRank.compareTo(heldRank) > 0) {
        String note = who + " lost the contest for " + held.name() + " to " + holder
            + ", which ranks first";
        noteContest(held.name(), note + " (decided " + Instant.ofEpochSecond(now) + ")", now);
        return new Verdict.Refuse(RefusalReason.CONTEST_LOST.refusal(note), Optional.empty());
      }
      String note = holder + " lost the contest for " + held.name() + " to " + who
          + ", which ranks first" + (inWindow ? "" : " (delivered by a trusted peer after the "
          + "contest window: the other side of a partition)") + " (decided "
          + Instant.ofEpochSecond(now) + ")";
      noteContest(held.name(), note, now);
      noteStored(incoming, origin, now);
      return new Verdict.Accept(Optional.empty());
    }

    /** Why a recovery comes too late here, if it overrides a hand-over final at this node. */
    private Optional<String> lateRecovery(SignedRecord incoming, SignedRecord held, long now) {
      List<Handover> a = incoming.handovers();
      List<Handover> b = held.handovers();
      int k = 0;
      while (k < a.size() && k < b.size() && a.get(k).equals(b.get(k))) {
        k++;
      }
      if (k >= a.size() || k >= b.size() || !validator.isRecoveryLink(incoming, k)
          || validator.isRecoveryLink(held, k)) {
        return Optional.empty();
      }
      long delay = Ownership.transferDelay(params).toSeconds();
      for (int i = k; i < b.size(); i++) {
        long since = linkHeldSince(held.name(), b.get(i).signature()).orElse(0L);
        if (now - since > delay) {
          return Optional.of("the hand-over of " + held.name() + " to key "
              + shortKey(b.get(i).toKey()) + " at serial " + b.get(i).serial() + " is final "
              + "here: it was held since " + Instant.ofEpochSecond(since) + ", longer than the "
              + "transfer delay of " + delay + " s, so the recovery key can no longer cancel it");
        }
      }
      return Optional.empty();
    }
  }

  Batch batch() {
    return new Batch();
  }

  private boolean lapsed(SignedRecord r, long now) {
    return r.expiresAt() + params.gracePeriod().toSeconds() < now;
  }

  private boolean vouched(Origin origin) {
    return origin instanceof Origin.Peer p && trust.weightOf(p.nodeId()) >= vouchWeight;
  }

  /**
   * The commitment time this node counts for a lineage it has not stored before: the revealed
   * commitment's time if this node witnessed that commitment live, or the time a trusted peer
   * that delivered the record counts for it (its LINEAGE answer); none otherwise.
   */
  private Long knownTime(SignedRecord r, Origin origin) {
    Optional<ClaimTerms.Reveal> reveal = r.content().terms().reveal();
    if (reveal.isEmpty()) {
      return null;
    }
    if (witnessedHere(r)) {
      return reveal.get().committedAt();
    }
    if (vouched(origin)) {
      return evidenceFor(origin, r).flatMap(t -> t).orElse(null);
    }
    return null;
  }

  private static Ownership.Rank rank(SignedRecord r, Long knownTime) {
    return new Ownership.Rank(r.content().terms().reveal().isPresent(), knownTime,
        RecordValidator.lineageId(r));
  }

  /** For {@code show}: a hand-over this node holds that the recovery key may still cancel. */
  Optional<String> pendingTransfer(SignedRecord r) {
    Optional<byte[]> recovery = r.content().terms().recoveryKey();
    List<Handover> chain = r.handovers();
    if (recovery.isEmpty() || chain.isEmpty() || validator.isRecoveryLink(r, chain.size() - 1)) {
      return Optional.empty();
    }
    Handover last = chain.get(chain.size() - 1);
    Optional<Long> since = history.linkHeldSince(r.name(), last.signature());
    long until = since.orElse(0L) + Ownership.transferDelay(params).toSeconds();
    if (since.isEmpty() || until < clock.instant().getEpochSecond()) {
      return Optional.empty();
    }
    return Optional.of("hand-over to key " + shortKey(last.toKey()) + " at serial "
        + last.serial() + " is pending until " + Instant.ofEpochSecond(until)
        + " (this node's view): until then the recovery key " + shortKey(recovery.get())
        + " can cancel it");
  }

  private static String shortKey(byte[] key) {
    return Ed25519Keys.toHex(key);
  }
}

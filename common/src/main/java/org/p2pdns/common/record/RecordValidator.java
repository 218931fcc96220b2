package org.p2pdns.common.record;

import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.name.DomainNames;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.RefusalReason.Refusal;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The record rules of docs/protocol.md, applied the same way by every node. {@link #check} looks
 * at a record alone (rules 1-3 and 6: signatures, names, limits, proof of work, times);
 * {@link #decide} compares it with the version the node holds (rules 4-6: ownership, serials,
 * equivocation, revocation). Pure: the clock is injected, nothing is stored here.
 */
public final class RecordValidator {
  /** Types that never appear in a signed record: meta types, and what the network synthesizes. */
  private static final Set<Integer> FORBIDDEN_TYPES = Set.of(Type.SOA, Type.OPT, Type.TSIG,
      Type.TKEY, Type.AXFR, Type.IXFR, Type.ANY, Type.MAILA, Type.MAILB, Type.RRSIG, Type.NSEC,
      Type.NSEC3, Type.NSEC3PARAM, Type.DNSKEY);

  private final NetworkParams params;
  private final byte[] networkId;
  private final Clock clock;

  public RecordValidator(NetworkParams params, Clock clock) {
    this.params = params;
    this.networkId = params.networkId();
    this.clock = clock;
  }

  public NetworkParams params() {
    return params;
  }

  /** The outcome of comparing an incoming record with the stored one. */
  public sealed interface Verdict {
    /** Store the incoming record; {@code evidence} is set when it wins an equivocation. */
    record Accept(Optional<SignedRecord> evidence) implements Verdict {}

    /** Exactly the stored record: nothing to do, nothing to forward. */
    record Duplicate() implements Verdict {}

    /** Keep the stored record; {@code evidence} is set when the incoming one lost an equivocation. */
    record Refuse(Refusal refusal, Optional<SignedRecord> evidence) implements Verdict {}
  }

  /** Rules that need only the record itself and the clock. Empty when the record passes. */
  public Optional<Refusal> check(SignedRecord r) {
    long now = clock.instant().getEpochSecond();
    if (r.encodedLength() > params.maxRecordBytes()) {
      return refuse(RefusalReason.TOO_LARGE, "record of " + r.encodedLength()
          + " bytes exceeds network.max-record-bytes " + params.maxRecordBytes());
    }
    if (r.rrs().size() > params.maxRrs()) {
      return refuse(RefusalReason.TOO_LARGE, r.rrs().size()
          + " resource records exceed network.max-rrs " + params.maxRrs());
    }
    Optional<String> nameProblem = DomainNames.registrableProblem(r.name(), params.suffixes());
    if (nameProblem.isPresent()) {
      return refuse(RefusalReason.BAD_NAME, nameProblem.get());
    }
    Optional<Refusal> rrProblem = checkRrs(r);
    if (rrProblem.isPresent()) {
      return rrProblem;
    }
    if (r.issuedAt() > now + params.clockSkew().toSeconds()) {
      return refuse(RefusalReason.CLOCK_SKEW, "issued at " + r.issuedAt() + ", "
          + (r.issuedAt() - now) + " s ahead of this node's clock (allowed skew "
          + params.clockSkew().toSeconds() + " s)");
    }
    // Once expiry > issue, the true difference fits in an unsigned long: compare it unsigned so
    // that times far apart cannot wrap around into a short lifetime.
    if (r.expiresAt() <= r.issuedAt() || Long.compareUnsigned(r.expiresAt() - r.issuedAt(),
        params.recordLifetime().toSeconds()) > 0) {
      return refuse(RefusalReason.BAD_LIFETIME, "expiry " + r.expiresAt() + " must lie after issue "
          + r.issuedAt() + " by at most " + params.recordLifetime().toSeconds() + " s");
    }
    if (r.expiresAt() + params.gracePeriod().toSeconds() < now) {
      return refuse(RefusalReason.EXPIRED, "expired at " + r.expiresAt());
    }
    if (!ProofOfWork.verify(networkId, r.name(), r.content().claimKey(), r.content().powNonce(),
        params.powBits())) {
      return refuse(RefusalReason.INSUFFICIENT_POW, "proof of work has fewer than "
          + params.powBits() + " zero bits");
    }
    Optional<ClaimTerms.Reveal> reveal = r.content().terms().reveal();
    if (reveal.isPresent() && r.issuedAt() - reveal.get().committedAt()
        < Ownership.revealDelay(params).toSeconds()) {
      return refuse(RefusalReason.EARLY_REVEAL, "issued at " + r.issuedAt() + ", less than the "
          + "reveal delay of " + Ownership.revealDelay(params).toSeconds() + " s after its "
          + "commitment at " + reveal.get().committedAt());
    }
    byte[] from = r.content().claimKey();
    boolean lastIsRecovery = false;
    for (Handover h : r.handovers()) {
      byte[] msg = RecordCodec.handoverMessage(networkId, r.name(), from, h.toKey(), h.serial());
      lastIsRecovery = false;
      if (!Ed25519Keys.verify(from, msg, h.signature())) {
        lastIsRecovery = isRecoveryLink(r, from, h);
        if (!lastIsRecovery) {
          return refuse(RefusalReason.BAD_SIGNATURE, "handover at serial " + h.serial()
              + " is signed neither by the key it hands over from nor by the recovery key");
        }
      }
      from = h.toKey();
    }
    byte[] signer = lastIsRecovery && r.content().handsOver()
        ? r.content().terms().recoveryKey().orElseThrow() : r.signerKey();
    byte[] msg = RecordCodec.signingMessage(networkId, RecordCodec.encodeBody(r.content()));
    if (!Ed25519Keys.verify(signer, msg, r.signature())) {
      return refuse(RefusalReason.BAD_SIGNATURE, "the record's signature does not verify with "
          + "the owner key " + Ed25519Keys.toHex(signer) + " on this network");
    }
    return Optional.empty();
  }

  /** Whether {@code h}, handing {@code r}'s name on from {@code from}, is signed by the lineage's
   * recovery key (a recovery link, docs/protocol.md 1.5b). */
  private boolean isRecoveryLink(SignedRecord r, byte[] from, Handover h) {
    Optional<byte[]> recovery = r.content().terms().recoveryKey();
    return recovery.isPresent() && Ed25519Keys.verify(recovery.get(),
        RecordCodec.recoveryMessage(networkId, r.name(), from, h.toKey(), h.serial()),
        h.signature());
  }

  /** Whether link {@code index} of {@code r}'s chain is a recovery link. */
  public boolean isRecoveryLink(SignedRecord r, int index) {
    List<Handover> chain = r.handovers();
    byte[] from = index == 0 ? r.content().claimKey() : chain.get(index - 1).toKey();
    return isRecoveryLink(r, from, chain.get(index));
  }

  /**
   * Whether two versions belong to one lineage: one claim key and the same claim terms (revealed
   * commitment, recovery key). Versions of different lineages compete for the name.
   */
  public static boolean sameLineage(SignedRecord a, SignedRecord b) {
    return Arrays.equals(a.content().claimKey(), b.content().claimKey())
        && a.content().terms().equals(b.content().terms());
  }

  /**
   * A lineage's identity, the tie-break of a contest: SHA-256 over a context, the claim key and
   * the claim terms as encoded in the record (1.11).
   */
  public static byte[] lineageId(SignedRecord r) {
    org.p2pdns.common.wire.WireWriter w = new org.p2pdns.common.wire.WireWriter(128)
        .bytes("p2pdns-lineage-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .string16(r.name()).bytes(r.content().claimKey());
    ClaimTerms t = r.content().terms();
    w.u8((t.reveal().isPresent() ? RecordCodec.TERMS_REVEAL : 0)
        | (t.recoveryKey().isPresent() ? RecordCodec.TERMS_RECOVERY : 0));
    t.reveal().ifPresent(v -> w.i64(v.committedAt()).bytes(v.salt()));
    t.recoveryKey().ifPresent(w::bytes);
    return org.p2pdns.common.crypto.Hashes.sha256(w.toByteArray());
  }

  private Optional<Refusal> checkRrs(SignedRecord r) {
    Map<Name, Boolean> hasCname = new HashMap<>();
    Map<Name, Integer> counts = new HashMap<>();
    for (Record rr : r.rrs()) {
      String owner = DomainNames.normalize(rr.getName().toString());
      Optional<String> p = DomainNames.subtreeProblem(owner, r.name());
      if (p.isPresent()) {
        return refuse(RefusalReason.OUTSIDE_SUBTREE, p.get());
      }
      int type = rr.getType();
      if (FORBIDDEN_TYPES.contains(type)) {
        return refuse(RefusalReason.BAD_RR, Type.string(type) + " records cannot be published"
            + " (" + rr.getName() + ")");
      }
      if (rr.getTTL() > Integer.MAX_VALUE) {
        return refuse(RefusalReason.BAD_RR, "TTL of " + rr + " exceeds 2^31-1");
      }
      counts.merge(rr.getName(), 1, Integer::sum);
      if (type == Type.CNAME) {
        hasCname.put(rr.getName(), true);
      }
    }
    for (Map.Entry<Name, Boolean> e : hasCname.entrySet()) {
      if (counts.get(e.getKey()) > 1) {
        return refuse(RefusalReason.BAD_RR, e.getKey() + " has a CNAME and other data "
            + "(RFC 1034 3.6.2)");
      }
    }
    return Optional.empty();
  }

  /**
   * Compares a record that passed {@link #check} with the stored version of its name. Every
   * node reaches the same verdict whatever order it sees the versions in (docs/protocol.md 1.10).
   *
   * @param stored the node's current record for the name, if any
   */
  public Verdict decide(SignedRecord incoming, Optional<SignedRecord> stored) {
    if (stored.isEmpty()) {
      return new Verdict.Accept(Optional.empty());
    }
    SignedRecord s = stored.get();
    long now = clock.instant().getEpochSecond();
    if (s.expiresAt() + params.gracePeriod().toSeconds() < now) {
      if (sameLineage(s, incoming) && incoming.serial() > 1) {
        // Renewal comes before expiry plus grace; after it, a later version of the lapsed
        // lineage (however its issue time is dated) does not bring the name back: claim it anew
        // (serial 1, as a node that dropped the lapsed record would take it).
        return new Verdict.Refuse(RefusalReason.EXPIRED.refusal(s.name() + " lapsed at "
            + (s.expiresAt() + params.gracePeriod().toSeconds()) + "; a lapsed name is not "
            + "renewed, it is claimed anew (a new claim with its own proof of work)"),
            Optional.empty());
      }
      // Past expiry plus grace the name is free again, for a new claim by anyone.
      return new Verdict.Accept(Optional.empty());
    }
    if (!sameLineage(s, incoming)) {
      if (s.kind() == SignedRecord.Kind.TOMBSTONE) {
        return new Verdict.Refuse(RefusalReason.REVOKED.refusal(s.name()
            + " was revoked; it can be claimed again after " + (s.expiresAt()
            + params.gracePeriod().toSeconds())), Optional.empty());
      }
      return new Verdict.Refuse(RefusalReason.NOT_OWNER.refusal(s.name() + " is held by key "
          + Ed25519Keys.toHex(s.ownerKey()) + " (another claim)"), Optional.empty());
    }
    // One lineage (one claim key; the nonce is not part of it, so a claim signed twice is an
    // equivocation like any other). Compare the hand-over chains from where they part.
    List<Handover> held = s.handovers();
    List<Handover> next = incoming.handovers();
    int k = 0;
    while (k < held.size() && k < next.size() && held.get(k).equals(next.get(k))) {
      k++;
    }
    boolean heldLinks = k < held.size();
    boolean nextLinks = k < next.size();
    if (heldLinks && nextLinks) {
      // One key handed the name on twice: the earlier link wins (then the lower key, then the
      // lower signature), so that the key's later, contradicting act counts for nothing.
      // A recovery link overrides an owner-signed one whatever its serial: that is what makes
      // a stolen owner key unable to keep the name (1.5b).
      boolean nextRecovery = isRecoveryLink(incoming, k);
      boolean heldRecovery = isRecoveryLink(s, k);
      if (nextRecovery != heldRecovery) {
        // Not an equivocation: two different keys signed the two links. No evidence to keep.
        return nextRecovery ? new Verdict.Accept(Optional.empty())
            : new Verdict.Refuse(RefusalReason.NOT_OWNER.refusal("the recovery key of "
                + s.name() + " overrode the hand-over at serial " + next.get(k).serial()
                + "; it is held by key " + Ed25519Keys.toHex(s.ownerKey())), Optional.empty());
      }
      boolean incomingWins = compareLinks(next.get(k), held.get(k)) < 0;
      return fork(incoming, s, incomingWins, held.get(k).serial() == next.get(k).serial());
    }
    if (nextLinks && next.get(k).serial() <= s.serial()) {
      // The key that signed the stored version had handed the name on at or before its serial.
      return fork(incoming, s, true, next.get(k).serial() == s.serial());
    }
    if (heldLinks && held.get(k).serial() <= incoming.serial()) {
      return fork(incoming, s, false, held.get(k).serial() == incoming.serial());
    }
    // The same chain, or one continues the other after the other's serial: serials decide.
    boolean incomingRevokes = incoming.kind() == SignedRecord.Kind.TOMBSTONE;
    boolean storedRevokes = s.kind() == SignedRecord.Kind.TOMBSTONE;
    if (incoming.serial() < s.serial()) {
      if (incomingRevokes) {
        // The owner revoked the name before it signed the stored version. A revocation is
        // final: what the key signed after it counts for nothing, on every node.
        return new Verdict.Accept(Optional.of(s));
      }
      return new Verdict.Refuse(RefusalReason.STALE_SERIAL.refusal("serial " + incoming.serial()
          + " is older than the stored serial " + s.serial()), Optional.empty());
    }
    if (incoming.serial() == s.serial()) {
      if (incoming.equals(s)) {
        return new Verdict.Duplicate();
      }
      // Two versions with one serial, both validly signed by the owner: a revocation wins over
      // data, else every node keeps the one with the lower digest, so all converge whatever
      // order they saw them in.
      if (incomingRevokes != storedRevokes ? incomingRevokes
          : Arrays.compareUnsigned(incoming.digest(), s.digest()) < 0) {
        return new Verdict.Accept(Optional.of(s));
      }
      return new Verdict.Refuse(RefusalReason.EQUIVOCATION.refusal("serial " + incoming.serial()
          + " was already signed with other content; the stored version wins"),
          Optional.of(incoming));
    }
    if (storedRevokes) {
      return new Verdict.Refuse(RefusalReason.REVOKED.refusal(s.name() + " was revoked"),
          Optional.empty());
    }
    if (incomingRevokes && incoming.expiresAt() < s.expiresAt()) {
      return new Verdict.Refuse(RefusalReason.BAD_LIFETIME.refusal("a revocation must live at "
          + "least as long as the version it replaces (until " + s.expiresAt() + ")"),
          Optional.empty());
    }
    return new Verdict.Accept(Optional.empty());
  }

  /**
   * A lineage that forked: one key signed two versions that contradict each other. The loser is
   * kept as evidence by the winner's side.
   *
   * @param sameSerial whether both contradicting acts carry one serial (an equivocation proper);
   *     otherwise the losing version was signed by a key after it had handed the name on
   */
  private static Verdict fork(SignedRecord incoming, SignedRecord stored, boolean incomingWins,
      boolean sameSerial) {
    if (incomingWins) {
      return new Verdict.Accept(Optional.of(stored));
    }
    Refusal refusal = sameSerial
        ? RefusalReason.EQUIVOCATION.refusal("the key in charge signed two different versions "
            + "at one serial; the network keeps the version that leaves " + stored.name()
            + " with key " + Ed25519Keys.toHex(stored.ownerKey()))
        : RefusalReason.NOT_OWNER.refusal(stored.name() + " was handed on before serial "
            + incoming.serial() + "; it is held by key " + Ed25519Keys.toHex(stored.ownerKey()));
    return new Verdict.Refuse(refusal, Optional.of(incoming));
  }

  /** Orders two links that hand a name on from one key: earlier serial, then key, then signature. */
  private static int compareLinks(Handover a, Handover b) {
    int c = Long.compare(a.serial(), b.serial());
    if (c == 0) {
      c = Arrays.compareUnsigned(a.toKey(), b.toKey());
    }
    return c != 0 ? c : Arrays.compareUnsigned(a.signature(), b.signature());
  }

  private static Optional<Refusal> refuse(RefusalReason reason, String message) {
    return Optional.of(reason.refusal(message));
  }
}

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
    if (r.expiresAt() <= r.issuedAt()
        || r.expiresAt() - r.issuedAt() > params.recordLifetime().toSeconds()) {
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
    byte[] from = r.content().claimKey();
    for (Handover h : r.handovers()) {
      byte[] msg = RecordCodec.handoverMessage(networkId, r.name(), from, h.toKey(), h.serial());
      if (!Ed25519Keys.verify(from, msg, h.signature())) {
        return refuse(RefusalReason.BAD_SIGNATURE, "handover at serial " + h.serial()
            + " is not signed by the key it hands over from");
      }
      from = h.toKey();
    }
    byte[] msg = RecordCodec.signingMessage(networkId, RecordCodec.encodeBody(r.content()));
    if (!Ed25519Keys.verify(r.signerKey(), msg, r.signature())) {
      return refuse(RefusalReason.BAD_SIGNATURE, "the record's signature does not verify with "
          + "the owner key " + Ed25519Keys.toHex(r.signerKey()) + " on this network");
    }
    return Optional.empty();
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
   * Compares a record that passed {@link #check} with the stored version of its name.
   *
   * @param stored the node's current record for the name, if any
   */
  public Verdict decide(SignedRecord incoming, Optional<SignedRecord> stored) {
    if (stored.isEmpty()) {
      return new Verdict.Accept(Optional.empty());
    }
    SignedRecord s = stored.get();
    long now = clock.instant().getEpochSecond();
    boolean lapsed = s.expiresAt() + params.gracePeriod().toSeconds() < now;
    boolean sameLineage = Arrays.equals(s.content().claimKey(), incoming.content().claimKey())
        && s.content().powNonce() == incoming.content().powNonce()
        && extendsChain(s.handovers(), incoming.handovers(), s.serial());
    if (!sameLineage) {
      if (lapsed) {
        // Past expiry plus grace the name is free again: a new claim, with its own proof of work.
        return new Verdict.Accept(Optional.empty());
      }
      if (s.kind() == SignedRecord.Kind.TOMBSTONE) {
        return new Verdict.Refuse(RefusalReason.REVOKED.refusal(s.name()
            + " was revoked; it can be claimed again after " + (s.expiresAt()
            + params.gracePeriod().toSeconds())), Optional.empty());
      }
      return new Verdict.Refuse(RefusalReason.NOT_OWNER.refusal(s.name() + " is held by key "
          + Ed25519Keys.toHex(s.ownerKey())), Optional.empty());
    }
    if (incoming.serial() < s.serial()) {
      return new Verdict.Refuse(RefusalReason.STALE_SERIAL.refusal("serial " + incoming.serial()
          + " is older than the stored serial " + s.serial()), Optional.empty());
    }
    if (incoming.serial() == s.serial()) {
      if (incoming.equals(s)) {
        return new Verdict.Duplicate();
      }
      // Two versions with one serial, both validly signed by the owner: every node keeps the one
      // with the lower digest, so all converge whatever order they saw them in.
      if (Arrays.compareUnsigned(incoming.digest(), s.digest()) < 0) {
        return new Verdict.Accept(Optional.of(s));
      }
      return new Verdict.Refuse(RefusalReason.EQUIVOCATION.refusal("serial " + incoming.serial()
          + " was already signed with other content; the stored version wins"),
          Optional.of(incoming));
    }
    if (s.kind() == SignedRecord.Kind.TOMBSTONE) {
      return new Verdict.Refuse(RefusalReason.REVOKED.refusal(s.name() + " was revoked"),
          Optional.empty());
    }
    if (incoming.kind() == SignedRecord.Kind.TOMBSTONE && incoming.expiresAt() < s.expiresAt()) {
      return new Verdict.Refuse(RefusalReason.BAD_LIFETIME.refusal("a revocation must live at "
          + "least as long as the version it replaces (until " + s.expiresAt() + ")"),
          Optional.empty());
    }
    return new Verdict.Accept(Optional.empty());
  }

  /** Whether {@code next} is {@code held} plus links that all start after {@code heldSerial}. */
  private static boolean extendsChain(List<Handover> held, List<Handover> next, long heldSerial) {
    if (next.size() < held.size()) {
      return false;
    }
    for (int i = 0; i < held.size(); i++) {
      if (!held.get(i).equals(next.get(i))) {
        return false;
      }
    }
    for (int i = held.size(); i < next.size(); i++) {
      if (next.get(i).serial() <= heldSerial) {
        return false;
      }
    }
    return true;
  }

  private static Optional<Refusal> refuse(RefusalReason reason, String message) {
    return Optional.of(reason.refusal(message));
  }
}

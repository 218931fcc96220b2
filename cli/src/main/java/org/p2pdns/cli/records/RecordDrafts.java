package org.p2pdns.cli.records;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.p2pdns.cli.CliException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.ClaimTerms;
import org.p2pdns.common.record.Handover;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.SignedRecord;
import org.xbill.DNS.Record;

/**
 * The next version of a name's record for each command: a claim (serial 1), an update, a renewal,
 * a transfer, a revocation. Issue times come from the injected clock; expiries never exceed the
 * network's record lifetime.
 */
public final class RecordDrafts {
  private final NetworkParams params;
  private final Clock clock;

  public RecordDrafts(NetworkParams params, Clock clock) {
    this.params = params;
    this.clock = clock;
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }

  /** The lifetime to use: the one asked for, at most the network's; the network's by default. */
  public Duration lifetime(Optional<Duration> requested) throws CliException {
    Duration max = params.recordLifetime();
    if (requested.isEmpty()) {
      return max;
    }
    Duration d = requested.get();
    if (d.toSeconds() < 1) {
      throw CliException.usage("--lifetime must be at least 1s");
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  /** Whether {@code requested} is longer than the network allows (so it was capped). */
  public boolean exceedsNetwork(Optional<Duration> requested) {
    return requested.isPresent() && requested.get().compareTo(params.recordLifetime()) > 0;
  }

  /** A new name: serial 1, no handovers; the nonce is filled in after mining. */
  public RecordContent claim(String name, byte[] ownerKey, long powNonce, List<Record> rrs,
      Duration lifetime) {
    return claim(name, ownerKey, powNonce, rrs, lifetime, ClaimTerms.NONE);
  }

  /** A new name with claim terms (the commitment it reveals, a recovery key). */
  public RecordContent claim(String name, byte[] ownerKey, long powNonce, List<Record> rrs,
      Duration lifetime, ClaimTerms terms) {
    long now = now();
    return new RecordContent(SignedRecord.Kind.DATA, name, 1, now, now + lifetime.toSeconds(),
        ownerKey, powNonce, List.of(), rrs, terms);
  }

  /** {@code claim} with another nonce: mining changes nothing else. */
  public static RecordContent withNonce(RecordContent c, long nonce) {
    return new RecordContent(c.kind(), c.name(), c.serial(), c.issuedAt(), c.expiresAt(),
        c.claimKey(), nonce, c.handovers(), c.rrs(), c.terms());
  }

  /** {@code claim} issued now (after the reveal delay), with the same lifetime as drafted. */
  public RecordContent reissued(RecordContent c) {
    long now = now();
    return new RecordContent(c.kind(), c.name(), c.serial(), now,
        now + (c.expiresAt() - c.issuedAt()), c.claimKey(), c.powNonce(), c.handovers(), c.rrs(),
        c.terms());
  }

  /**
   * A recovery: the first {@code keep} links of the chain, then {@code chain}'s last link (signed
   * by the recovery key) at {@code serial}; signed by the recovery key.
   */
  public RecordContent recovery(SignedRecord current, List<Handover> chain, long serial) {
    RecordContent c = current.content();
    long now = now();
    long expires = Math.max(current.expiresAt(), now + 1);
    return new RecordContent(SignedRecord.Kind.DATA, c.name(), serial, now, expires,
        c.claimKey(), c.powNonce(), chain, c.rrs(), c.terms());
  }

  /** New resource records; the expiry stays unless a lifetime is given. */
  public RecordContent update(SignedRecord current, List<Record> rrs, Optional<Duration> lifetime)
      throws CliException {
    long now = now();
    long expires = lifetime.isPresent() ? now + lifetime(lifetime).toSeconds()
        : current.expiresAt();
    if (expires <= now) {
      throw CliException.usage(current.name() + " expired at " + Times.iso(current.expiresAt())
          + ": give --lifetime, or renew it");
    }
    return next(current, SignedRecord.Kind.DATA, now, expires, current.handovers(), rrs);
  }

  /** The same resource records with a new expiry, {@code lifetime} from now. */
  public RecordContent renew(SignedRecord current, Duration lifetime) {
    long now = now();
    return next(current, SignedRecord.Kind.DATA, now, now + lifetime.toSeconds(),
        current.handovers(), current.rrs());
  }

  /** The version that carries the extended ownership chain; signed by the current owner. */
  public RecordContent transfer(SignedRecord current, List<Handover> chain) throws CliException {
    long now = now();
    if (current.expiresAt() <= now) {
      throw CliException.usage(current.name() + " expired at " + Times.iso(current.expiresAt())
          + ": renew it before transferring it");
    }
    return next(current, SignedRecord.Kind.DATA, now, current.expiresAt(), chain, current.rrs());
  }

  /**
   * A tombstone that lives the network's full lifetime from now, so it outlives every earlier
   * version (each expired at most one lifetime after its own, earlier, issue).
   */
  public RecordContent revoke(SignedRecord current) throws CliException {
    long now = now();
    long expires = now + params.recordLifetime().toSeconds();
    if (expires < current.expiresAt()) {
      throw CliException.usage("the current version of " + current.name() + " expires at "
          + Times.iso(current.expiresAt()) + ", after the longest revocation this network allows"
          + " from now; is this machine's clock behind?");
    }
    return next(current, SignedRecord.Kind.TOMBSTONE, now, expires, current.handovers(),
        List.of());
  }

  private static RecordContent next(SignedRecord current, SignedRecord.Kind kind, long issued,
      long expires, List<Handover> handovers, List<Record> rrs) {
    RecordContent c = current.content();
    return new RecordContent(kind, c.name(), c.serial() + 1, issued, expires, c.claimKey(),
        c.powNonce(), handovers, rrs, c.terms());
  }
}

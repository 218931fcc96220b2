package org.p2pdns.common.testing;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import java.util.Optional;
import org.p2pdns.common.record.ClaimTerms;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Handover;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.ProofOfWork;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * A test network with cheap proof of work and helpers that make real signed records. Shared with
 * the other modules' tests through the common test-jar.
 */
public final class TestNetwork {
  public static final int TEST_POW_BITS = 6;

  private final NetworkParams params;
  private final RecordSigner signer;

  public TestNetwork() {
    this(NetworkParams.defaults().withPowBits(TEST_POW_BITS));
  }

  public TestNetwork(NetworkParams params) {
    this.params = params;
    this.signer = new RecordSigner(params.networkId());
  }

  public NetworkParams params() {
    return params;
  }

  public byte[] networkId() {
    return params.networkId();
  }

  public RecordSigner signer() {
    return signer;
  }

  /** A clock fixed at {@code epochSecond}. */
  public static Clock fixedClock(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  /** Parses zone-file lines relative to {@code origin} (e.g. "www 300 IN A 192.0.2.1"). */
  public static List<Record> rrs(String origin, String... lines) {
    String text = "$TTL 300\n" + String.join("\n", lines) + "\n";
    List<Record> out = new ArrayList<>();
    try (Master m = new Master(new java.io.ByteArrayInputStream(text.getBytes()),
        Name.fromString(origin.endsWith(".") ? origin : origin + "."))) {
      Record r;
      while ((r = m.nextRecord()) != null) {
        out.add(r);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    return out;
  }

  public long mine(String name, byte[] claimKey) {
    try {
      return ProofOfWork.mine(networkId(), name, claimKey, params.powBits(), 1, n -> {},
          new AtomicBoolean());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A fresh claim of {@code name} by {@code key}, serial 1, issued at {@code now}. */
  public SignedRecord claim(Ed25519Keys.KeyPair key, String name, long now, List<Record> rrs) {
    long nonce = mine(name, key.publicKey());
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, name, 1, now,
        now + Duration.ofDays(30).toSeconds(), key.publicKey(), nonce, List.of(), rrs);
    return signer.sign(c, key);
  }

  /** The next version of {@code prev} with other resource records, signed by {@code key}. */
  public SignedRecord update(SignedRecord prev, Ed25519Keys.KeyPair key, long now,
      List<Record> rrs) {
    RecordContent p = prev.content();
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, p.name(), p.serial() + 1, now,
        now + Duration.ofDays(30).toSeconds(), p.claimKey(), p.powNonce(), p.handovers(), rrs,
        p.terms());
    return signer.sign(c, key);
  }

  /** The version of {@code prev} that hands it from {@code owner} to {@code to}. */
  public SignedRecord transfer(SignedRecord prev, Ed25519Keys.KeyPair owner, byte[] to, long now) {
    RecordContent p = prev.content();
    long serial = p.serial() + 1;
    List<Handover> chain = signer.extendChain(prev, owner, to, serial);
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, p.name(), serial, now,
        now + Duration.ofDays(30).toSeconds(), p.claimKey(), p.powNonce(), chain, p.rrs(),
        p.terms());
    return signer.sign(c, owner);
  }

  /** The first step of a committed claim: what {@link #committedClaim} will reveal. */
  public Commitment commitment(Ed25519Keys.KeyPair key, String name, byte[] salt,
      long committedAt) {
    byte[] hash = Commitment.hashOf(networkId(), name, key.publicKey(), salt, committedAt);
    try {
      return Commitment.make(networkId(), hash, committedAt, Ownership.commitmentPowBits(params),
          1, n -> {}, new AtomicBoolean());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A claim that reveals the commitment made at {@code committedAt} with {@code salt}, issued at
   * {@code now} (at least the reveal delay later), naming {@code recoveryKey} if not null.
   */
  public SignedRecord committedClaim(Ed25519Keys.KeyPair key, String name, byte[] salt,
      long committedAt, long now, List<Record> rrs, byte[] recoveryKey) {
    ClaimTerms terms = ClaimTerms.of(Optional.of(new ClaimTerms.Reveal(committedAt, salt)),
        Optional.ofNullable(recoveryKey));
    return claimWithTerms(key, name, now, rrs, terms);
  }

  /** A serial-1 claim with the given terms (no commitment check: for tests of the rules). */
  public SignedRecord claimWithTerms(Ed25519Keys.KeyPair key, String name, long now,
      List<Record> rrs, ClaimTerms terms) {
    long nonce = mine(name, key.publicKey());
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, name, 1, now,
        now + Duration.ofDays(30).toSeconds(), key.publicKey(), nonce, List.of(), rrs, terms);
    return signer.sign(c, key);
  }

  /** A version with the same content as {@code prev} but the given serial, signed by the owner. */
  public SignedRecord withSerial(SignedRecord prev, Ed25519Keys.KeyPair owner, long serial,
      long now) {
    RecordContent p = prev.content();
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, p.name(), serial, now,
        now + Duration.ofDays(30).toSeconds(), p.claimKey(), p.powNonce(), p.handovers(), p.rrs(),
        p.terms());
    return signer.sign(c, owner);
  }

  /**
   * A recovery of {@code current}: keeps the first {@code keep} links of its chain, then the
   * recovery key hands the name to {@code to} at {@code serial}; signed by the recovery key.
   */
  public SignedRecord recover(SignedRecord current, int keep, Ed25519Keys.KeyPair recoveryKey,
      byte[] to, long serial, long now) {
    RecordContent p = current.content();
    List<Handover> chain = signer.recoveryChain(current, keep, recoveryKey, to, serial);
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, p.name(), serial, now,
        now + Duration.ofDays(30).toSeconds(), p.claimKey(), p.powNonce(), chain, p.rrs(),
        p.terms());
    return signer.sign(c, recoveryKey);
  }
}

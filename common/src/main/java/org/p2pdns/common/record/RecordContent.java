package org.p2pdns.common.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Record;

/**
 * The signed part of a record. The compact constructor checks the format (lengths, ranges) and
 * puts the resource records into canonical order; the network's rules are checked by
 * {@link RecordValidator}.
 *
 * @param kind data or revocation
 * @param name the registered name, lower case, no trailing dot
 * @param serial grows with every version, from 1
 * @param issuedAt issue time, Unix seconds
 * @param expiresAt expiry time, Unix seconds
 * @param claimKey the key that claimed the name and mined its proof of work
 * @param powNonce the proof-of-work nonce, bound to the name and the claim key
 * @param handovers the ownership chain from the claim key to the current owner
 * @param rrs the resource records of the name's subtree, class IN
 * @param terms the commitment the claim revealed and its recovery key, fixed for the lineage
 */
public record RecordContent(
    SignedRecord.Kind kind,
    String name,
    long serial,
    long issuedAt,
    long expiresAt,
    byte[] claimKey,
    long powNonce,
    List<Handover> handovers,
    List<Record> rrs,
    ClaimTerms terms) {

  public static final int MAX_HANDOVERS = 255;

  /** A version of a plain claim's lineage: no commitment, no recovery key. */
  public RecordContent(SignedRecord.Kind kind, String name, long serial, long issuedAt,
      long expiresAt, byte[] claimKey, long powNonce, List<Handover> handovers, List<Record> rrs) {
    this(kind, name, serial, issuedAt, expiresAt, claimKey, powNonce, handovers, rrs,
        ClaimTerms.NONE);
  }

  public RecordContent {
    java.util.Objects.requireNonNull(terms, "terms");
    if (serial < 1) {
      throw new IllegalArgumentException("serial must be at least 1");
    }
    if (claimKey.length != Ed25519Keys.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("claim key must be 32 bytes");
    }
    if (handovers.size() > MAX_HANDOVERS) {
      throw new IllegalArgumentException("more than " + MAX_HANDOVERS + " handovers");
    }
    long last = 0;
    for (Handover h : handovers) {
      if (h.serial() <= last || h.serial() > serial) {
        throw new IllegalArgumentException("handover serials must grow and not exceed the serial");
      }
      last = h.serial();
    }
    if (kind == SignedRecord.Kind.TOMBSTONE && !rrs.isEmpty()) {
      throw new IllegalArgumentException("a revocation holds no resource records");
    }
    for (Record r : rrs) {
      if (r.getDClass() != DClass.IN) {
        throw new IllegalArgumentException("resource records must be class IN: " + r);
      }
    }
    claimKey = claimKey.clone();
    handovers = List.copyOf(handovers);
    rrs = canonicalOrder(rrs);
  }

  /** Sorts by canonical wire bytes and drops exact duplicates. */
  static List<Record> canonicalOrder(List<Record> rrs) {
    List<byte[]> wires = new ArrayList<>(rrs.size());
    List<Record> sorted = new ArrayList<>(rrs);
    sorted.sort((a, b) -> Arrays.compareUnsigned(a.toWireCanonical(), b.toWireCanonical()));
    List<Record> out = new ArrayList<>(sorted.size());
    for (Record r : sorted) {
      byte[] w = r.toWireCanonical();
      if (wires.isEmpty() || !Arrays.equals(wires.get(wires.size() - 1), w)) {
        wires.add(w);
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public byte[] claimKey() {
    return claimKey.clone();
  }

  /** The same content with other claim terms. */
  public RecordContent withTerms(ClaimTerms t) {
    return new RecordContent(kind, name, serial, issuedAt, expiresAt, claimKey, powNonce,
        handovers, rrs, t);
  }

  /** Whether this version hands the name on (its last link carries its serial). */
  public boolean handsOver() {
    return !handovers.isEmpty() && handovers.get(handovers.size() - 1).serial() == serial;
  }

  /** The end of the ownership chain. */
  public byte[] ownerKey() {
    return handovers.isEmpty() ? claimKey.clone() : handovers.get(handovers.size() - 1).toKey();
  }

  /**
   * The key that signs this version: the owner, except in the version that hands the name over,
   * which the previous owner signs.
   */
  public byte[] signerKey() {
    int n = handovers.size();
    if (n > 0 && handovers.get(n - 1).serial() == serial) {
      return n == 1 ? claimKey.clone() : handovers.get(n - 2).toKey();
    }
    return ownerKey();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordContent c && Arrays.equals(RecordCodec.encodeBody(this),
        RecordCodec.encodeBody(c));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(RecordCodec.encodeBody(this));
  }

  @Override
  public String toString() {
    return "RecordContent[" + kind + " " + name + " serial=" + serial + "]";
  }
}

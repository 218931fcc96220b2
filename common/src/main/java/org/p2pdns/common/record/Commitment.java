package org.p2pdns.common.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * The first step of a claim (docs/protocol.md 1.5a): a hash that hides the name, the claim key
 * and a salt, with the time it was made and a small proof of work. Nodes keep the commitments
 * they witness live (commitment time within the clock skew of their clock when it arrives); the
 * claim that later reveals it ranks by that time in a contest for the name.
 *
 * @param hash {@link #hashOf}
 * @param committedAt Unix seconds; part of the hash, so it cannot be changed afterwards
 * @param nonce proof of work over hash and time ({@link #powMaterial})
 */
public record Commitment(byte[] hash, long committedAt, long nonce) {
  public static final int VERSION = 1;
  public static final int ENCODED_BYTES = 1 + 32 + 8 + 8;
  private static final byte[] HASH_CONTEXT = "p2pdns-commit-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] POW_CONTEXT =
      "p2pdns-commit-pow-v1".getBytes(StandardCharsets.US_ASCII);
  /** The name under which a commitment's work is hashed: never a registrable name. */
  static final String POW_NAME = "#commitment";

  public Commitment {
    if (hash.length != Hashes.SHA256_BYTES) {
      throw new IllegalArgumentException("commitment hash must be 32 bytes");
    }
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /** The hash a claim of {@code name} by {@code claimKey} commits to. */
  public static byte[] hashOf(byte[] networkId, String name, byte[] claimKey, byte[] salt,
      long committedAt) {
    return Hashes.sha256(new WireWriter(160).bytes(HASH_CONTEXT).bytes(networkId).string16(name)
        .bytes(claimKey).bytes(salt).i64(committedAt).toByteArray());
  }

  /** The hash the claim {@code r} says it committed to, if it reveals a commitment. */
  public static java.util.Optional<byte[]> revealedBy(byte[] networkId, SignedRecord r) {
    return r.content().terms().reveal().map(v -> hashOf(networkId, r.name(),
        r.content().claimKey(), v.salt(), v.committedAt()));
  }

  /** What the proof of work binds: the hash and the time (in the claim key's place, 1.7). */
  public static byte[] powMaterial(byte[] hash, long committedAt) {
    return Hashes.sha256(new WireWriter(64).bytes(POW_CONTEXT).bytes(hash).i64(committedAt)
        .toByteArray());
  }

  public boolean powValid(byte[] networkId, int bits) {
    return ProofOfWork.verify(networkId, POW_NAME, powMaterial(hash, committedAt), nonce, bits);
  }

  /** Makes a commitment with its proof of work ({@code bits} zero bits). */
  public static Commitment make(byte[] networkId, byte[] hash, long committedAt, int bits,
      int threads, LongConsumer progress, AtomicBoolean cancel) throws InterruptedException {
    long nonce = ProofOfWork.mine(networkId, POW_NAME, powMaterial(hash, committedAt), bits,
        threads, progress, cancel);
    return new Commitment(hash, committedAt, nonce);
  }

  public byte[] encode() {
    return new WireWriter(ENCODED_BYTES).u8(VERSION).bytes(hash).i64(committedAt).i64(nonce)
        .toByteArray();
  }

  public static Commitment decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    int v = r.u8("commitment version");
    if (v != VERSION) {
      throw new MalformedException("unknown commitment version " + v);
    }
    byte[] h = r.bytes(Hashes.SHA256_BYTES, "commitment hash");
    long at = r.i64("commitment time");
    long nonce = r.i64("commitment nonce");
    r.expectEnd("commitment");
    return new Commitment(h, at, nonce);
  }

  public String hashHex() {
    return HexFormat.of().formatHex(hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Commitment c && Arrays.equals(hash, c.hash)
        && committedAt == c.committedAt && nonce == c.nonce;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "Commitment[" + hashHex().substring(0, 16) + "… at " + committedAt + "]";
  }
}

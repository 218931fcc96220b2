package org.p2pdns.bench.load;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.ProofOfWork;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.WireWriter;

/**
 * Makes the benchmark's signed records: one owner key per name (derived from a seed, so a run can
 * be repeated), proof of work of the network's difficulty, signed. Spread over a pool of threads
 * because signing is the expensive part (Bouncy Castle Ed25519, both cores).
 */
public final class BenchRecordMaker {
  /** Nonces tried per name before giving up: 64 times the expected count at the 20-bit maximum. */
  private static final long MAX_NONCES = 1L << 26;

  private final NetworkParams params;
  private final byte[] networkId;
  private final RecordSigner signer;
  private final BenchNames names;
  private final long seed;
  private final long issuedAt;
  private final long expiresAt;

  /**
   * @param issuedAt Unix seconds; records expire 30 days later, or at the network's lifetime if
   *     that is shorter
   */
  public BenchRecordMaker(NetworkParams params, BenchNames names, long seed, long issuedAt) {
    if (params.powBits() > 20) {
      throw new IllegalArgumentException("network.pow-bits " + params.powBits() + " is too "
          + "expensive for a benchmark of many names; run the node with a few bits (e.g. 4)");
    }
    if (!params.suffixes().contains(names.suffix())) {
      throw new IllegalArgumentException("suffix '" + names.suffix() + "' is not one of the "
          + "network's suffixes " + params.suffixes());
    }
    this.params = params;
    this.networkId = params.networkId();
    this.signer = new RecordSigner(networkId);
    this.names = names;
    this.seed = seed;
    this.issuedAt = issuedAt;
    long lifetime = Math.min(Duration.ofDays(30).toSeconds(), params.recordLifetime().toSeconds());
    this.expiresAt = issuedAt + lifetime;
  }

  /** The owner key of name {@code i}: SHA-256 of the seed and the index as the private key. */
  public Ed25519Keys.KeyPair ownerKey(int i) {
    byte[] material = new WireWriter(32)
        .bytes("p2pdns-bench-owner".getBytes(StandardCharsets.US_ASCII)).i64(seed).i64(i)
        .toByteArray();
    return Ed25519Keys.fromPrivate(Hashes.sha256(material));
  }

  /** The signed claim of name {@code i}: serial 1, its benchmark resource records. */
  public SignedRecord make(int i) {
    String name = names.name(i);
    Ed25519Keys.KeyPair key = ownerKey(i);
    byte[] pub = key.publicKey();
    long nonce = mine(name, pub);
    RecordContent content = new RecordContent(SignedRecord.Kind.DATA, name, 1, issuedAt,
        expiresAt, pub, nonce, List.of(), names.rrs(i));
    return signer.sign(content, key);
  }

  /**
   * Every name's record, index order, made on {@code threads} threads. Single-threaded search per
   * name: at a benchmark's few bits a nonce takes microseconds, and the parallelism is across names.
   */
  public List<SignedRecord> makeAll(int threads) throws InterruptedException {
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
    try {
      return pool.submit(() -> IntStream.rangeClosed(1, names.count()).parallel()
          .mapToObj(this::make).collect(Collectors.toList())).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("making records failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private long mine(String name, byte[] claimKey) {
    for (long nonce = 0; nonce < MAX_NONCES; nonce++) {
      if (ProofOfWork.verify(networkId, name, claimKey, nonce, params.powBits())) {
        return nonce;
      }
    }
    throw new IllegalStateException("no proof of work of " + params.powBits() + " bits for "
        + name + " in " + MAX_NONCES + " nonces");
  }
}

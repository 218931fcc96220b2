package org.p2pdns.common.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.wire.WireWriter;

/**
 * Hashcash for new names: SHA-256 over a context, the network id, the name, the claim key and a
 * nonce must start with the network's number of zero bits. Bound to the name and the claim key,
 * so work done for one claim is worth nothing for another.
 */
public final class ProofOfWork {
  private static final byte[] CONTEXT = "p2pdns-pow-v1".getBytes(StandardCharsets.US_ASCII);

  private ProofOfWork() {}

  private static byte[] prefix(byte[] networkId, String name, byte[] claimKey) {
    return new WireWriter(128).bytes(CONTEXT).bytes(networkId).string16(name).bytes(claimKey)
        .toByteArray();
  }

  public static byte[] hash(byte[] networkId, String name, byte[] claimKey, long nonce) {
    MessageDigest md = Hashes.sha256();
    md.update(prefix(networkId, name, claimKey));
    md.update(longBytes(nonce));
    return md.digest();
  }

  public static boolean verify(byte[] networkId, String name, byte[] claimKey, long nonce,
      int bits) {
    return Hashes.leadingZeroBits(hash(networkId, name, claimKey, nonce)) >= bits;
  }

  /**
   * Searches nonces on {@code threads} threads until one has {@code bits} zero bits.
   *
   * @param progress called now and then with the number of hashes tried so far
   * @param cancel set to stop; the search then throws {@link InterruptedException}
   */
  public static long mine(byte[] networkId, String name, byte[] claimKey, int bits, int threads,
      LongConsumer progress, AtomicBoolean cancel) throws InterruptedException {
    byte[] prefix = prefix(networkId, name, claimKey);
    AtomicLong found = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong tried = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long start = ThreadLocalRandom.current().nextLong();
    Thread[] workers = new Thread[Math.max(1, threads)];
    for (int t = 0; t < workers.length; t++) {
      final long first = start + t;
      final int step = workers.length;
      workers[t] = new Thread(() -> {
        try {
          MessageDigest md = MessageDigest.getInstance("SHA-256");
          md.update(prefix);
          MessageDigest base = (MessageDigest) md.clone();
          byte[] nb = new byte[8];
          long n = first;
          int local = 0;
          while (!done.get() && !cancel.get() && !stop.get()) {
            MessageDigest m = (MessageDigest) base.clone();
            for (int i = 0; i < 8; i++) {
              nb[i] = (byte) (n >>> (56 - 8 * i));
            }
            m.update(nb);
            if (Hashes.leadingZeroBits(m.digest()) >= bits) {
              if (done.compareAndSet(false, true)) {
                found.set(n);
              }
              break;
            }
            n += step;
            if (++local == 4096) {
              tried.addAndGet(local);
              local = 0;
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException("SHA-256 unavailable", e);
        }
      }, "pow-" + t);
      workers[t].setDaemon(true);
      workers[t].start();
    }
    try {
      while (!done.get() && !cancel.get()) {
        workers[0].join(200);
        progress.accept(tried.get());
      }
      for (Thread w : workers) {
        w.join();
      }
    } finally {
      // An interrupted (or failing) caller must not leave the workers hashing on their own.
      stop.set(true);
    }
    if (!done.get()) {
      throw new InterruptedException("proof of work cancelled");
    }
    return found.get();
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return b;
  }
}

package org.p2pdns.common.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.p2pdns.common.record.RecordFixtures.ALICE;
import static org.p2pdns.common.record.RecordFixtures.BOB;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.common.crypto.Hashes;
import org.p2pdns.common.network.NetworkParams;

class ProofOfWorkTest {
  private static final byte[] NETWORK = NetworkParams.defaults().networkId();
  private static final byte[] OTHER_NETWORK = NetworkParams.defaults().withPowBits(8).networkId();
  private static final String NAME = "example.p2p";

  /** The first nonce from 0 with {@code bits} zero bits: deterministic for fixed inputs. */
  private static long firstNonce(int bits) {
    for (long n = 0; n < 10_000_000L; n++) {
      if (ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), n, bits)) {
        return n;
      }
    }
    throw new AssertionError("no nonce found");
  }

  @Test
  void minedNonceVerifies() throws Exception {
    AtomicLong lastProgress = new AtomicLong(-1);
    long nonce = ProofOfWork.mine(NETWORK, NAME, ALICE.publicKey(), 14, 2, lastProgress::set,
        new AtomicBoolean());
    assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), nonce, 14)).isTrue();
    assertThat(Hashes.leadingZeroBits(ProofOfWork.hash(NETWORK, NAME, ALICE.publicKey(), nonce)))
        .isGreaterThanOrEqualTo(14);
  }

  @Test
  void workIsBoundToNameKeyAndNetwork() {
    int bits = 12;
    long nonce = firstNonce(bits);
    assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), nonce, bits)).isTrue();
    assertThat(ProofOfWork.verify(NETWORK, "other.p2p", ALICE.publicKey(), nonce, bits)).isFalse();
    assertThat(ProofOfWork.verify(NETWORK, NAME, BOB.publicKey(), nonce, bits)).isFalse();
    assertThat(ProofOfWork.verify(OTHER_NETWORK, NAME, ALICE.publicKey(), nonce, bits)).isFalse();
    assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), nonce + 1, bits)).isFalse();
  }

  @Test
  void hashIsSha256OfTheDocumentedPreimage() {
    long nonce = 0x0102030405060708L;
    byte[] preimage = RecordCodecTest.concat("p2pdns-pow-v1".getBytes(StandardCharsets.US_ASCII),
        NETWORK, new byte[] {0, 11}, NAME.getBytes(StandardCharsets.US_ASCII), ALICE.publicKey(),
        new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThat(ProofOfWork.hash(NETWORK, NAME, ALICE.publicKey(), nonce))
        .isEqualTo(Hashes.sha256(preimage));
  }

  @Test
  void zeroBitsAcceptsAnyNonce() throws Exception {
    for (long n : List.of(0L, -1L, Long.MIN_VALUE, 12345L)) {
      assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), n, 0)).isTrue();
    }
    long nonce = ProofOfWork.mine(NETWORK, NAME, ALICE.publicKey(), 0, 1, n -> {},
        new AtomicBoolean());
    assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), nonce, 0)).isTrue();
  }

  @Test
  void moreBitsThanTheHashHasNeverVerify() {
    assertThat(ProofOfWork.verify(NETWORK, NAME, ALICE.publicKey(), 0, 257)).isFalse();
  }

  @Test
  @Timeout(20)
  void cancelStopsTheSearchAndReportsProgress() throws Exception {
    AtomicBoolean cancel = new AtomicBoolean();
    AtomicLong progress = new AtomicLong();
    CompletableFuture<Long> search = CompletableFuture.supplyAsync(() -> {
      try {
        // 60 bits: never found in this test's lifetime.
        return ProofOfWork.mine(NETWORK, NAME, ALICE.publicKey(), 60, 2, progress::set, cancel);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (progress.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(progress.get()).as("hashes tried so far").isPositive();
    cancel.set(true);
    assertThatThrownBy(() -> search.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(InterruptedException.class)
        .hasRootCauseMessage("proof of work cancelled");
    assertThat(awaitNoMiners()).as("mining threads left running").isZero();
  }

  @Test
  @Timeout(20)
  void interruptingTheCallerStopsTheMiners() throws Exception {
    AtomicBoolean started = new AtomicBoolean();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        ProofOfWork.mine(NETWORK, NAME, ALICE.publicKey(), 60, 2, n -> started.set(true),
            new AtomicBoolean());
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    caller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!started.get() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    caller.interrupt();
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    assertThat(awaitNoMiners()).as("mining threads left running").isZero();
  }

  /** Waits up to 5 s for the "pow-" worker threads to end; returns how many are still alive. */
  private static long awaitNoMiners() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long alive;
    do {
      alive = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("pow-") && t.isAlive()).count();
      if (alive > 0) {
        Thread.sleep(10);
      }
    } while (alive > 0 && System.nanoTime() < deadline);
    return alive;
  }
}

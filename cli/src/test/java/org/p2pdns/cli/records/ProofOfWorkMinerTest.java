package org.p2pdns.cli.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.ProofOfWork;
import org.p2pdns.common.testing.TestNetwork;

class ProofOfWorkMinerTest {
  private final TestNetwork net = new TestNetwork();
  private final byte[] key = Ed25519Keys.generate().publicKey();

  @Test
  void minesAValidNonceAndSaysWhatItDoes() throws Exception {
    StringWriter err = new StringWriter();
    long nonce = new ProofOfWorkMiner(new PrintWriter(err, true), false, Clock.systemUTC())
        .mine(net.networkId(), "example.p2p", key, 10);

    assertThat(ProofOfWork.verify(net.networkId(), "example.p2p", key, nonce, 10)).isTrue();
    assertThat(err.toString()).startsWith("mining proof of work for example.p2p: 10 bits "
        + "(about 1.0k hashes) on ").contains("proof of work found in ").doesNotContain("\r");
  }

  @Test
  void progressLinesGiveCountRateAndElapsedTime() {
    assertThat(ProofOfWorkMiner.line(12_345_678, 2_000))
        .isEqualTo("  12.3M hashes, 6.2M hashes/s, 2.0 s");
    assertThat(ProofOfWorkMiner.count(999)).isEqualTo("999");
    assertThat(ProofOfWorkMiner.count(16_777_216)).isEqualTo("16.8M");
    assertThat(ProofOfWorkMiner.count(2.5e9)).isEqualTo("2.5G");
  }
}

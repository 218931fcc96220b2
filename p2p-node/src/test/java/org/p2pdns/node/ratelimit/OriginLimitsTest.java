package org.p2pdns.node.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.testing.MutableClock;

/** Token buckets by name (claims) and by signing key (updates), with an injected clock. */
class OriginLimitsTest {
  private final MutableClock clock = new MutableClock(1_795_000_000L);
  private final OriginLimits limits = OriginLimits.standard(clock);
  private final byte[] key = new byte[32];
  private final byte[] otherKey = new byte[32];

  {
    otherKey[0] = 1;
  }

  @Test
  void updatesOfOneKeyPassInABurstThenAtTheRefillRate() {
    for (int i = 0; i < OriginLimits.UPDATE_BURST; i++) {
      assertThat(limits.admit("a.p2p", key, true)).as("update " + i).isEmpty();
    }
    assertThat(limits.admit("b.p2p", key, true)).get().asString()
        .contains("made more than " + OriginLimits.UPDATE_BURST + " updates");
    // Another owner is not affected; neither are claims of new names by the same key.
    assertThat(limits.admit("c.p2p", otherKey, true)).isEmpty();
    assertThat(limits.admit("new.p2p", key, false)).isEmpty();
    clock.advance(Duration.ofSeconds(OriginLimits.UPDATE_EVERY_SECONDS));
    assertThat(limits.admit("a.p2p", key, true)).isEmpty();
    assertThat(limits.admit("a.p2p", key, true)).isPresent();
  }

  @Test
  void claimsOfOneNameAreLimitedWhateverTheKeys() {
    for (int i = 0; i < OriginLimits.CLAIM_BURST; i++) {
      byte[] k = new byte[32];
      k[1] = (byte) i;
      assertThat(limits.admit("contested.p2p", k, false)).isEmpty();
    }
    assertThat(limits.admit("contested.p2p", otherKey, false)).get().asString()
        .contains("contested.p2p was claimed");
    assertThat(limits.admit("other.p2p", otherKey, false)).isEmpty();
  }

  @Test
  void theMemoryOfOriginsIsBounded() {
    for (int i = 0; i < OriginLimits.MAX_TRACKED + 1000; i++) {
      limits.admit("n" + i + ".p2p", key, false);
    }
    assertThat(limits.tracked()).isLessThanOrEqualTo(OriginLimits.MAX_TRACKED + 1);
  }
}

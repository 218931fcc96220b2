package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.testing.MutableClock;

/** Bans with an expiry that doubles for a repeat offender, in bounded memory. */
class DecayingPeerScoreTest {
  private final MutableClock clock = new MutableClock(1_795_000_000L);
  private final DecayingPeerScore score = new DecayingPeerScore(clock, Duration.ofMinutes(1),
      -100, Duration.ofMinutes(10));

  private void offend(String id, int times) {
    for (int i = 0; i < times; i++) {
      score.penalize(id, PeerScore.Offence.INVALID_RECORD);
    }
  }

  @Test
  void aBanLastsItsTimeAndARepeatOffenderIsBannedLongerEachTime() {
    offend("x", 9);
    assertThat(score.refused("x")).isFalse();
    assertThat(score.bannedUntil("x")).isZero();
    offend("x", 1);
    long t0 = clock.millis();
    assertThat(score.bannedUntil("x")).isEqualTo(t0 + Duration.ofMinutes(10).toMillis());
    // More offences while banned do not stretch the ban.
    offend("x", 5);
    assertThat(score.bannedUntil("x")).isEqualTo(t0 + Duration.ofMinutes(10).toMillis());
    clock.advance(Duration.ofMinutes(10));
    assertThat(score.refused("x")).isFalse();
    // The score recovered only 10 points: two more offences ban it again, for 20 minutes.
    offend("x", 1);
    assertThat(score.refused("x")).isTrue();
    assertThat(score.bannedUntil("x")).isEqualTo(clock.millis()
        + Duration.ofMinutes(20).toMillis());
    assertThat(score.score("never-seen")).isZero();
    assertThat(score.refused("never-seen")).isFalse();
  }

  @Test
  void aStoredScoreAtTheLimitBansAgainAfterARestart() {
    score.seed("y", -120);
    assertThat(score.bannedUntil("y")).isEqualTo(clock.millis()
        + Duration.ofMinutes(10).toMillis());
    score.seed("z", -50);
    assertThat(score.refused("z")).isFalse();
    assertThat(score.score("z")).isEqualTo(-50);
  }

  @Test
  void freshNodeIdsCannotGrowTheMemoryWithoutBound() {
    for (int i = 0; i < DecayingPeerScore.MAX_TRACKED + 500; i++) {
      score.penalize("id" + i, PeerScore.Offence.MALFORMED_FRAME);
    }
    assertThat(score.tracked()).isLessThanOrEqualTo(DecayingPeerScore.MAX_TRACKED);
    // A banned node is kept over one that merely lost a few points.
    offend("banned", 10);
    for (int i = 0; i < 1000; i++) {
      score.penalize("more" + i, PeerScore.Offence.MALFORMED_FRAME);
    }
    assertThat(score.refused("banned")).isTrue();
    assertThat(score.tracked()).isLessThanOrEqualTo(DecayingPeerScore.MAX_TRACKED);
  }
}

package org.p2pdns.node.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.Ownership;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.MutableClock;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.store.RecordStore;

/** Commitment intake and the ownership history one node keeps, across a restart. */
class OwnershipHistoryTest {
  private static final long NOW = 1_790_000_000L;
  private static final TestNetwork NET = new TestNetwork();
  private static final long SKEW = NET.params().clockSkew().toSeconds();
  private static final long REVEAL = Ownership.revealDelay(NET.params()).toSeconds();
  private static final long WINDOW = Ownership.contestWindow(NET.params()).toSeconds();

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(NOW);
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<Commitment> spread = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private RecordService service() throws Exception {
    RecordStore store = RecordStore.open(dir.resolve("node.db"), clock);
    open.add(store);
    RecordService s = RecordService.start(store, new RecordValidator(NET.params(), clock),
        n -> { }, clock);
    open.add(s);
    s.addListener(new RecordListener() {
      @Override
      public void recordStored(SignedRecord record, Origin origin) {}

      @Override
      public void commitmentKept(Commitment c, Origin origin) {
        spread.add(c);
      }
    });
    return s;
  }

  private void restart() throws Exception {
    closeAll();
    open.clear();
  }

  private static SubmitResult commit(RecordService s, Commitment c) throws Exception {
    return s.submitCommitment(c, Origin.CLIENT).get(10, TimeUnit.SECONDS);
  }

  private static byte[] salt(int b) {
    byte[] s = new byte[16];
    java.util.Arrays.fill(s, (byte) b);
    return s;
  }

  @Test
  void onlyLiveCommitmentsWithTheirWorkAreKeptAndSpreadOnce() throws Exception {
    RecordService s = service();
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    Commitment live = NET.commitment(key, "a.p2p", salt(1), NOW - SKEW);
    assertThat(commit(s, live)).isEqualTo(SubmitResult.STORED);
    assertThat(commit(s, live)).isEqualTo(SubmitResult.DUPLICATE);
    assertThat(spread).containsExactly(live);

    Commitment old = NET.commitment(key, "a.p2p", salt(2), NOW - SKEW - 1);
    Commitment ahead = NET.commitment(key, "a.p2p", salt(3), NOW + SKEW + 1);
    assertThat(commit(s, old).refusal().orElseThrow().reason())
        .isEqualTo(RefusalReason.CLOCK_SKEW);
    assertThat(commit(s, ahead).refusal().orElseThrow().reason())
        .isEqualTo(RefusalReason.CLOCK_SKEW);
    // Without its work: a nonce that misses the bits (found within a bounded search).
    int bits = Ownership.commitmentPowBits(NET.params());
    assertThat(bits).isPositive();
    Commitment lazy = null;
    for (long n = 0; n < 1000 && lazy == null; n++) {
      Commitment c = new Commitment(live.hash(), NOW, n);
      if (!c.powValid(NET.networkId(), bits)) {
        lazy = c;
      }
    }
    assertThat(commit(s, lazy).refusal().orElseThrow().reason())
        .isEqualTo(RefusalReason.INSUFFICIENT_POW);
    assertThat(spread).containsExactly(live);
    assertThat(s.witnessedCommitment(old.hash(), old.committedAt())).isFalse();
    assertThat(s.witnessedCommitment(live.hash(), live.committedAt())).isTrue();
  }

  @Test
  void witnessedCommitmentsAndHeldSinceTimesSurviveARestart() throws Exception {
    RecordService s = service();
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
    Ed25519Keys.KeyPair rival = Ed25519Keys.generate();
    // The rival commits first (witnessed), the owner second; the owner reveals first.
    Commitment early = NET.commitment(rival, "kept.p2p", salt(4), NOW);
    commit(s, early);
    clock.advance(Duration.ofSeconds(1));
    Commitment mine = NET.commitment(owner, "kept.p2p", salt(5), NOW + 1);
    commit(s, mine);
    clock.advance(Duration.ofSeconds(REVEAL));
    SignedRecord claim = NET.committedClaim(owner, "kept.p2p", salt(5), NOW + 1,
        clock.instant().getEpochSecond(), TestNetwork.rrs("kept.p2p", "@ 300 IN A 192.0.2.1"),
        null);
    assertThat(s.submit(claim.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS))
        .isEqualTo(SubmitResult.STORED);

    restart();
    RecordService again = service();
    assertThat(again.witnessedCommitment(early.hash(), early.committedAt())).isTrue();
    assertThat(again.current("kept.p2p")).contains(claim);
    // Past the window (counted from the first store, before the restart), the rival's real,
    // earlier commitment comes too late.
    clock.advance(Duration.ofSeconds(WINDOW + 1));
    SignedRecord late = NET.committedClaim(rival, "kept.p2p", salt(4), NOW,
        clock.instant().getEpochSecond(), TestNetwork.rrs("kept.p2p", "@ 300 IN A 192.0.2.66"),
        null);
    SubmitResult r = again.submit(late.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
    assertThat(r.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.NOT_OWNER);
    assertThat(again.current("kept.p2p")).contains(claim);
  }

  @Test
  void withinTheWindowTheEarlierWitnessedCommitmentWinsAndTheNoteSaysSo() throws Exception {
    RecordService s = service();
    Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
    Ed25519Keys.KeyPair rival = Ed25519Keys.generate();
    Commitment early = NET.commitment(rival, "race.p2p", salt(6), NOW);
    commit(s, early);
    Commitment mine = NET.commitment(owner, "race.p2p", salt(7), NOW + 1);
    clock.advance(Duration.ofSeconds(1));
    commit(s, mine);
    clock.advance(Duration.ofSeconds(REVEAL));
    long now = clock.instant().getEpochSecond();
    SignedRecord claim = NET.committedClaim(owner, "race.p2p", salt(7), NOW + 1, now,
        TestNetwork.rrs("race.p2p", "@ 300 IN A 192.0.2.1"), null);
    SignedRecord rivals = NET.committedClaim(rival, "race.p2p", salt(6), NOW, now,
        TestNetwork.rrs("race.p2p", "@ 300 IN A 192.0.2.2"), null);
    s.submit(claim.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
    assertThat(s.submit(rivals.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS))
        .isEqualTo(SubmitResult.STORED);
    assertThat(s.lookup("race.p2p").detail()).contains("lost the contest");
    SubmitResult back = s.submit(claim.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
    assertThat(back.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.CONTEST_LOST);
    restart();
    assertThat(service().lookup("race.p2p").detail()).contains("lost the contest");
  }
}

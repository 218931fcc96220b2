package org.p2pdns.node.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.common.testing.MutableClock;

class RecordServiceTest {
  private static final long NOW = 1_790_000_000L;
  private static final TestNetwork NET = new TestNetwork();
  private static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();
  private static final Ed25519Keys.KeyPair STRANGER = Ed25519Keys.generate();

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(NOW);
  private final List<ChangeNotice> notices = new CopyOnWriteArrayList<>();
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private RecordService service(String sub) throws Exception {
    return service(sub, 0);
  }

  private RecordService service(String sub, long maxDbBytes) throws Exception {
    RecordStore store = RecordStore.open(dir.resolve(sub + ".db"), clock, maxDbBytes);
    open.add(store);
    RecordService s = RecordService.start(store, new RecordValidator(NET.params(), clock),
        notices::add, clock);
    open.add(s);
    s.addListener((r, origin) -> heard.add(r.name() + "#" + r.serial() + " from " + origin));
    return s;
  }

  private static SubmitResult submit(RecordService s, SignedRecord r) throws Exception {
    return s.submit(r.encoded(), Origin.CLIENT).get(10, TimeUnit.SECONDS);
  }

  private static SignedRecord claim(String name, String ip) {
    return NET.claim(OWNER, name, NOW, TestNetwork.rrs(name, "@ 300 IN A " + ip));
  }

  private static RefusalReason reason(SubmitResult r) {
    assertThat(r.outcome()).as(r.toString()).isEqualTo(SubmitResult.Outcome.REFUSED);
    return r.refusal().orElseThrow().reason();
  }

  @Test
  void acceptsAClaimStoresItAndTellsTheFeedAndTheListenersOnce() throws Exception {
    RecordService s = service("a");
    SignedRecord r = claim("example.p2p", "192.0.2.1");

    assertThat(submit(s, r)).isEqualTo(SubmitResult.STORED);

    LookupResult found = s.lookup("example.p2p");
    assertThat(found.status()).isEqualTo(LookupStatus.FOUND);
    assertThat(found.record()).contains(r);
    assertThat(notices).containsExactly(new ChangeNotice("example.p2p", 1));
    assertThat(heard).containsExactly("example.p2p#1 from Client[]");
    assertThat(s.lookup("other.p2p").status()).isEqualTo(LookupStatus.NOT_FOUND);

    // The same bytes again change nothing and tell nobody.
    assertThat(submit(s, r)).isEqualTo(SubmitResult.DUPLICATE);
    assertThat(notices).hasSize(1);
    assertThat(heard).hasSize(1);
    assertThat(s.storedCount()).isEqualTo(1);
    assertThat(s.duplicateCount()).isEqualTo(1);
  }

  @Test
  void aPeersRecordReachesListenersWithItsOrigin() throws Exception {
    RecordService s = service("a");
    SignedRecord r = claim("example.p2p", "192.0.2.1");
    SubmitResult result = s.submit(r, Origin.peer("ab".repeat(32))).get(10, TimeUnit.SECONDS);
    assertThat(result).isEqualTo(SubmitResult.STORED);
    assertThat(heard).containsExactly("example.p2p#1 from Peer[nodeId=" + "ab".repeat(32) + "]");
  }

  @Test
  void updatesMoveForwardAndStaleSerialsAreRefused() throws Exception {
    RecordService s = service("a");
    SignedRecord v1 = claim("example.p2p", "192.0.2.1");
    SignedRecord v2 = NET.update(v1, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.2"));
    assertThat(submit(s, v1)).isEqualTo(SubmitResult.STORED);
    assertThat(submit(s, v2)).isEqualTo(SubmitResult.STORED);
    assertThat(reason(submit(s, v1))).isEqualTo(RefusalReason.STALE_SERIAL);
    assertThat(s.lookup("example.p2p").record()).contains(v2);
    assertThat(notices).containsExactly(new ChangeNotice("example.p2p", 1),
        new ChangeNotice("example.p2p", 2));
    assertThat(heard).hasSize(2);
  }

  @Test
  void anotherKeyCannotTakeAHeldName() throws Exception {
    RecordService s = service("a");
    assertThat(submit(s, claim("example.p2p", "192.0.2.1"))).isEqualTo(SubmitResult.STORED);
    SignedRecord theft = NET.claim(STRANGER, "example.p2p", NOW,
        TestNetwork.rrs("example.p2p", "@ 300 IN A 203.0.113.66"));
    assertThat(reason(submit(s, theft))).isEqualTo(RefusalReason.NOT_OWNER);
    assertThat(s.lookup("example.p2p").record().orElseThrow().ownerKey())
        .isEqualTo(OWNER.publicKey());
    assertThat(heard).hasSize(1);
  }

  @Test
  void garbageAndBadSignaturesAreRefusedWithTheirReasons() throws Exception {
    RecordService s = service("a");
    SubmitResult garbage = s.submit(new byte[] {1, 2, 3}, Origin.CLIENT).get(10,
        TimeUnit.SECONDS);
    assertThat(reason(garbage)).isEqualTo(RefusalReason.MALFORMED);

    byte[] bytes = claim("example.p2p", "192.0.2.1").encoded();
    bytes[bytes.length - 1] ^= 1; // the last byte belongs to the signature
    SubmitResult forged = s.submit(bytes, Origin.CLIENT).get(10, TimeUnit.SECONDS);
    assertThat(reason(forged)).isEqualTo(RefusalReason.BAD_SIGNATURE);
    assertThat(s.count()).isZero();
    assertThat(s.refusedCount()).isEqualTo(2);
    assertThat(notices).isEmpty();
  }

  @Test
  void aRevocationIsStoredAndRefusesEveryLaterVersion() throws Exception {
    RecordService s = service("a");
    SignedRecord v1 = claim("example.p2p", "192.0.2.1");
    RecordContent c = v1.content();
    SignedRecord tombstone = NET.signer().sign(new RecordContent(SignedRecord.Kind.TOMBSTONE,
        c.name(), 2, NOW, c.expiresAt(), c.claimKey(), c.powNonce(), c.handovers(), List.of()),
        OWNER);
    SignedRecord v3 = NET.update(tombstone, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.3"));

    assertThat(submit(s, v1)).isEqualTo(SubmitResult.STORED);
    assertThat(submit(s, tombstone)).isEqualTo(SubmitResult.STORED);
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.REVOKED);
    assertThat(s.lookup("example.p2p").record()).contains(tombstone);
    assertThat(reason(submit(s, v3))).isEqualTo(RefusalReason.REVOKED);
    // Another key's claim: the name stays revoked until the tombstone lapses.
    assertThat(reason(submit(s, NET.claim(org.p2pdns.common.crypto.Ed25519Keys.generate(),
        "example.p2p", NOW, TestNetwork.rrs("example.p2p", "@ 300 IN A 192.0.2.9")))))
        .isEqualTo(RefusalReason.REVOKED);
    // The same key's fresh claim (serial 1) is older than the tombstone (serial 2).
    assertThat(reason(submit(s, claim("example.p2p", "192.0.2.9"))))
        .isEqualTo(RefusalReason.STALE_SERIAL);
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.REVOKED);
    assertThat(notices).extracting(ChangeNotice::serial).containsExactly(1L, 2L);
  }

  @Test
  void equivocationEndsTheSameInBothOrdersWithEvidenceKept() throws Exception {
    SignedRecord v1 = claim("example.p2p", "192.0.2.1");
    SignedRecord x = NET.update(v1, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.10"));
    SignedRecord y = NET.update(v1, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.20"));
    SignedRecord winner = java.util.Arrays.compareUnsigned(x.digest(), y.digest()) < 0 ? x : y;
    SignedRecord loser = winner == x ? y : x;

    RecordService first = service("winner-first");
    submit(first, v1);
    assertThat(submit(first, winner)).isEqualTo(SubmitResult.STORED);
    assertThat(reason(submit(first, loser))).isEqualTo(RefusalReason.EQUIVOCATION);

    RecordService second = service("loser-first");
    submit(second, v1);
    assertThat(submit(second, loser)).isEqualTo(SubmitResult.STORED);
    assertThat(submit(second, winner)).isEqualTo(SubmitResult.STORED);

    for (RecordService s : List.of(first, second)) {
      assertThat(s.lookup("example.p2p").record()).contains(winner);
      assertThat(s.evidence("example.p2p")).contains(loser);
      assertThat(s.lookup("example.p2p").detail()).contains("equivocation");
    }
    // And on disk, for both.
    for (String db : List.of("winner-first.db", "loser-first.db")) {
      try (RecordStore store = RecordStore.open(dir.resolve(db), clock)) {
        assertThat(store.get("example.p2p")).contains(winner);
        assertThat(store.evidence("example.p2p")).contains(loser);
      }
    }
  }

  @Test
  void aRecordPastItsExpiryIsReportedExpired() throws Exception {
    RecordService s = service("a");
    SignedRecord r = claim("example.p2p", "192.0.2.1");
    submit(s, r);
    clock.advance(Duration.ofSeconds(r.expiresAt() - NOW - 1));
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.FOUND);
    clock.advance(Duration.ofSeconds(2));
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.EXPIRED);
    assertThat(s.lookup("example.p2p").record()).contains(r);
    assertThat(s.lookup("example.p2p").detail()).startsWith("expired at ");
  }

  @Test
  void recordsSurviveARestartOfTheService() throws Exception {
    RecordService s = service("a");
    SignedRecord r = claim("example.p2p", "192.0.2.1");
    submit(s, r);
    s.close();
    RecordStore store = RecordStore.open(dir.resolve("a.db"), clock);
    open.add(store);
    RecordService again = RecordService.start(store, new RecordValidator(NET.params(), clock),
        notices::add, clock);
    open.add(again);
    assertThat(again.lookup("example.p2p").record()).contains(r);
    assertThat(again.names("", 10).names()).containsExactly("example.p2p");
  }

  @Test
  void namesAndDigestsComeInNameOrderPageByPage() throws Exception {
    RecordService s = service("a");
    for (String n : List.of("delta", "alpha", "charlie", "bravo")) {
      submit(s, claim(n + ".p2p", "192.0.2.1"));
    }
    RecordService.NamesPage p1 = s.names("", 3);
    assertThat(p1.names()).containsExactly("alpha.p2p", "bravo.p2p", "charlie.p2p");
    assertThat(p1.more()).isTrue();
    RecordService.NamesPage p2 = s.names("charlie.p2p", 3);
    assertThat(p2.names()).containsExactly("delta.p2p");
    assertThat(p2.more()).isFalse();
    assertThat(s.digests("bravo.p2p", 10)).extracting(RecordStore.NameDigest::name)
        .containsExactly("charlie.p2p", "delta.p2p");
    assertThat(s.digests("", 1).get(0).digest())
        .isEqualTo(s.current("alpha.p2p").orElseThrow().digest());
  }

  @Test
  void aFullDatabaseGivesAStorageRefusalAndReadsGoOn() throws Exception {
    RecordService s = service("full", 48 * 1024);
    String big = "x".repeat(250);
    List<SignedRecord> stored = new ArrayList<>();
    SubmitResult refused = null;
    for (int i = 0; i < 500 && refused == null; i++) {
      String name = "name" + i + ".p2p";
      SignedRecord r = NET.claim(OWNER, name, NOW, TestNetwork.rrs(name,
          "@ 300 IN TXT \"" + big + "\"", "a 300 IN TXT \"" + big + "\"",
          "b 300 IN TXT \"" + big + "\""));
      SubmitResult result = submit(s, r);
      if (result.outcome() == SubmitResult.Outcome.STORED) {
        stored.add(r);
      } else {
        refused = result;
        assertThat(s.lookup(name).status()).isEqualTo(LookupStatus.NOT_FOUND);
      }
    }
    assertThat(refused).isNotNull();
    assertThat(reason(refused)).isEqualTo(RefusalReason.STORAGE);
    assertThat(refused.refusal().orElseThrow().message()).contains("full");
    assertThat(stored).isNotEmpty();
    for (SignedRecord r : stored) {
      assertThat(s.lookup(r.name()).record()).contains(r);
    }
    assertThat(s.count()).isEqualTo(stored.size());
    assertThat(notices).hasSize(stored.size());
    assertThat(heard).hasSize(stored.size());
  }

  @Test
  void manySubmissionsAtOnceAreAllStored() throws Exception {
    RecordService s = service("a");
    List<SignedRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(claim("n" + i + ".p2p", "192.0.2.1"));
    }
    List<java.util.concurrent.CompletableFuture<SubmitResult>> futures = new ArrayList<>();
    for (SignedRecord r : records) {
      futures.add(s.submit(r.encoded(), Origin.CLIENT));
    }
    for (var f : futures) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(SubmitResult.STORED);
    }
    assertThat(s.count()).isEqualTo(40);
    assertThat(heard).hasSize(40);
    assertThat(Optional.of(notices.size())).contains(40);
  }

  @Test
  void versionsOfOneNameSubmittedTogetherEndWithTheLatest() throws Exception {
    RecordService s = service("a");
    SignedRecord v1 = claim("example.p2p", "192.0.2.1");
    SignedRecord v2 = NET.update(v1, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.2"));
    SignedRecord v3 = NET.update(v2, OWNER, NOW, TestNetwork.rrs("example.p2p",
        "@ 300 IN A 192.0.2.3"));
    var f1 = s.submit(v1.encoded(), Origin.CLIENT);
    var f2 = s.submit(v2.encoded(), Origin.CLIENT);
    var f3 = s.submit(v3.encoded(), Origin.CLIENT);
    List<SubmitResult> results = List.of(f1.get(10, TimeUnit.SECONDS),
        f2.get(10, TimeUnit.SECONDS), f3.get(10, TimeUnit.SECONDS));
    // Whatever order the validators finish in, v3 ends up held and the others either went
    // before it or were refused as stale; every stored one was announced once.
    assertThat(f3.get()).isEqualTo(SubmitResult.STORED);
    assertThat(s.lookup("example.p2p").record()).contains(v3);
    long stored = results.stream().filter(r -> r == SubmitResult.STORED).count();
    assertThat(notices).hasSize((int) stored);
    assertThat(notices.get(notices.size() - 1)).isEqualTo(new ChangeNotice("example.p2p", 3));
    for (SubmitResult r : results) {
      if (r.outcome() == SubmitResult.Outcome.REFUSED) {
        assertThat(r.refusal().orElseThrow().reason()).isEqualTo(RefusalReason.STALE_SERIAL);
      }
    }
    try (RecordStore reopened = RecordStore.open(dir.resolve("a.db"), clock)) {
      assertThat(reopened.get("example.p2p")).contains(v3);
    }
  }

  @Test
  void aNameLapsedPastExpiryAndGraceCanBeClaimedAgainByAnotherKey() throws Exception {
    RecordService s = service("a");
    SignedRecord old = claim("example.p2p", "192.0.2.1");
    submit(s, old);
    clock.advance(Duration.ofSeconds(old.expiresAt() - NOW)
        .plus(NET.params().gracePeriod()).plusSeconds(10));
    long later = clock.instant().getEpochSecond();
    SignedRecord fresh = NET.claim(STRANGER, "example.p2p", later,
        TestNetwork.rrs("example.p2p", "@ 300 IN A 203.0.113.7"));
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.EXPIRED);
    assertThat(submit(s, fresh)).isEqualTo(SubmitResult.STORED);
    assertThat(s.lookup("example.p2p").status()).isEqualTo(LookupStatus.FOUND);
    assertThat(s.lookup("example.p2p").record().orElseThrow().ownerKey())
        .isEqualTo(STRANGER.publicKey());
  }
}

package org.p2pdns.common.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GossipRouterTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    long now;

    @Override
    public long millis() {
      return now;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final Random rnd = new Random(7);

  private byte[] digest() {
    byte[] d = new byte[32];
    rnd.nextBytes(d);
    return d;
  }

  private GossipRouter<String> router(String... peers) {
    GossipRouter<String> r = new GossipRouter<>(GossipConfig.DEFAULT, clock);
    for (String p : peers) {
      r.peerUp(p);
    }
    return r;
  }

  private static Set<String> pushTargets(List<GossipAction<String>> actions) {
    Set<String> out = new HashSet<>();
    for (GossipAction<String> a : actions) {
      if (a instanceof GossipAction.PushRecord) {
        out.add(a.peer());
      }
    }
    return out;
  }

  private static Set<String> announceTargets(List<GossipAction<String>> actions) {
    Set<String> out = new HashSet<>();
    for (GossipAction<String> a : actions) {
      if (a instanceof GossipAction.Send<String> s && s.message() instanceof GossipMessage.IHave) {
        out.add(a.peer());
      }
    }
    return out;
  }

  @Test
  void atMostEightPeersAreEagerAndTheRestGetAnnouncements() {
    String[] peers = new String[12];
    for (int i = 0; i < 12; i++) {
      peers[i] = "p" + i;
    }
    GossipRouter<String> r = router(peers);
    assertThat(r.eagerPeers()).hasSize(8);
    assertThat(r.lazyPeers()).hasSize(4);
    List<GossipAction<String>> out = r.publish(digest());
    assertThat(pushTargets(out)).isEqualTo(r.eagerPeers());
    assertThat(announceTargets(out)).isEqualTo(r.lazyPeers());
  }

  @Test
  void aNewRecordIsForwardedOnlyAfterValidationAndNotBackToItsSender() {
    GossipRouter<String> r = router("a", "b", "c");
    byte[] d = digest();
    GossipRouter.PushResult<String> first = r.onPush("a", d, 1);
    assertThat(first.arrival()).isEqualTo(GossipRouter.Arrival.NEW);
    assertThat(first.actions()).isEmpty();
    assertThat(pushTargets(r.accepted(d, "a"))).containsExactlyInAnyOrder("b", "c");
    // Accepting twice forwards nothing more.
    assertThat(r.accepted(d, "a")).isEmpty();
  }

  @Test
  void aDuplicateIsNotForwardedAndPrunesItsLink() {
    GossipRouter<String> r = router("a", "b", "c");
    byte[] d = digest();
    r.onPush("a", d, 1);
    r.accepted(d, "a");
    GossipRouter.PushResult<String> again = r.onPush("b", d, 1);
    assertThat(again.arrival()).isEqualTo(GossipRouter.Arrival.DUPLICATE);
    assertThat(pushTargets(again.actions())).isEmpty();
    assertThat(again.actions()).containsExactly(new GossipAction.Send<>("b", new GossipMessage.Prune()));
    assertThat(r.payloadsReceived()).isEqualTo(2);
    assertThat(r.lazyPeers()).contains("b");
    assertThat(r.duplicatesReceived()).isEqualTo(1);
    // The next record is announced to b, not pushed.
    List<GossipAction<String>> out = r.publish(digest());
    assertThat(pushTargets(out)).containsExactlyInAnyOrder("a", "c");
    assertThat(announceTargets(out)).containsExactly("b");
  }

  @Test
  void aRejectedRecordGoesNowhereAndItsCopiesAreNotValidatedAgain() {
    GossipRouter<String> r = router("a", "b");
    byte[] d = digest();
    assertThat(r.onPush("a", d, 1).arrival()).isEqualTo(GossipRouter.Arrival.NEW);
    r.rejected(d);
    assertThat(r.onPush("b", d, 1).arrival()).isEqualTo(GossipRouter.Arrival.DUPLICATE);
    assertThat(r.onGraft("b", List.of(d))).isEmpty();
  }

  @Test
  void aForgottenRefusalIsValidatedAgainButAnAcceptedRecordIsNotForgotten() {
    GossipRouter<String> r = router("a", "b");
    byte[] d = digest();
    r.onPush("a", d, 1);
    r.rejected(d);
    r.forget(d);
    GossipRouter.PushResult<String> again = r.onPush("b", d, 1);
    assertThat(again.arrival()).isEqualTo(GossipRouter.Arrival.NEW);
    assertThat(again.actions()).isEmpty(); // no PRUNE for a copy worth validating
    r.accepted(d, "b");
    r.forget(d);
    assertThat(r.onPush("a", d, 1).arrival()).isEqualTo(GossipRouter.Arrival.DUPLICATE);
  }

  @Test
  void anAnnouncedRecordThatDoesNotArriveIsGraftedAfterTheTimeout() {
    GossipRouter<String> r = router("a", "b");
    r.onPrune("b");
    byte[] d = digest();
    r.onIHave("b", 1, List.of(d));
    assertThat(r.nextDeadline()).hasValue(clock.now + GossipConfig.DEFAULT.graftTimeout().toMillis());
    clock.now += GossipConfig.DEFAULT.graftTimeout().toMillis() - 1;
    assertThat(r.tick()).isEmpty();
    clock.now += 1;
    List<GossipAction<String>> out = r.tick();
    assertThat(out).hasSize(1);
    GossipAction.Send<String> graft = (GossipAction.Send<String>) out.get(0);
    assertThat(graft.peer()).isEqualTo("b");
    assertThat(((GossipMessage.Graft) graft.message()).digests().get(0)).isEqualTo(d);
    assertThat(r.eagerPeers()).contains("b");
  }

  @Test
  void aGraftThatBringsNothingIsRetriedAtTheNextAnnouncerAlsoOneHeardOfAfterTheFirstGraft() {
    GossipRouter<String> r = router("a", "b", "c", "d");
    r.onPrune("b");
    r.onPrune("c");
    r.onPrune("d");
    byte[] d = digest();
    long graft = GossipConfig.DEFAULT.graftTimeout().toMillis();
    long retry = GossipConfig.DEFAULT.retryTimeout().toMillis();
    r.onIHave("b", 1, List.of(d));
    clock.now += graft;
    assertThat(graftTargets(r.tick())).containsExactly("b");
    // c announces only now, after b was asked; d's link goes down before its turn.
    r.onIHave("c", 2, List.of(d));
    r.onIHave("b", 1, List.of(d)); // b again: not asked twice
    assertThat(r.nextDeadline()).hasValue(clock.now + retry);
    clock.now += retry - 1;
    assertThat(r.tick()).isEmpty();
    clock.now += 1;
    assertThat(graftTargets(r.tick())).containsExactly("c");
    r.onIHave("d", 1, List.of(d));
    r.peerDown("d");
    clock.now += retry;
    assertThat(r.tick()).isEmpty(); // nobody left: reconciliation's turn
    assertThat(r.nextDeadline()).isEmpty();
  }

  @Test
  void atTheLimitAFasterSenderReplacesTheOldestLinkOnBothEndsAndAGrafterIsToldToLookElsewhere() {
    GossipConfig two = new GossipConfig(2, 1000, Duration.ofMillis(300), Duration.ofMillis(150),
        100, 0);
    GossipRouter<String> r = new GossipRouter<>(two, clock);
    for (String p : List.of("a", "b", "c", "d")) {
      r.peerUp(p);
    }
    assertThat(r.eagerPeers()).containsExactlyInAnyOrder("a", "b");
    // c delivers a new record first: its link is on the fastest path and joins the tree; the
    // oldest tree link (a) is pruned on both ends instead of silently left without pushes.
    GossipRouter.PushResult<String> first = r.onPush("c", digest(), 1);
    assertThat(first.arrival()).isEqualTo(GossipRouter.Arrival.NEW);
    assertThat(first.actions()).containsExactly(new GossipAction.Send<>("a", new GossipMessage.Prune()));
    assertThat(r.eagerPeers()).containsExactlyInAnyOrder("b", "c");
    // d grafts a record: it gets the record, but the full tree stays as it is and d is told to
    // look elsewhere (PRUNE), so no link another node relies on is dropped.
    byte[] held = digest();
    r.publish(held);
    List<GossipAction<String>> out = r.onGraft("d", List.of(held));
    assertThat(pushTargets(out)).containsExactly("d");
    assertThat(out).contains(new GossipAction.Send<>("d", new GossipMessage.Prune()));
    assertThat(r.eagerPeers()).containsExactlyInAnyOrder("b", "c");
    // This side's own graft at the limit takes the link and prunes its oldest tree link.
    byte[] missing = digest();
    r.onIHave("a", 1, List.of(missing));
    clock.now += 300;
    List<GossipAction<String>> grafted = r.tick();
    assertThat(grafted).contains(new GossipAction.Send<>("b", new GossipMessage.Prune()));
    assertThat(graftTargets(grafted)).containsExactly("a");
    assertThat(r.eagerPeers()).containsExactlyInAnyOrder("c", "a");
  }

  private static List<String> graftTargets(List<GossipAction<String>> actions) {
    List<String> out = new ArrayList<>();
    for (GossipAction<String> a : actions) {
      if (a instanceof GossipAction.Send<String> s && s.message() instanceof GossipMessage.Graft) {
        out.add(a.peer());
      }
    }
    return out;
  }

  @Test
  void aRecordThatArrivesInTimeCancelsTheGraft() {
    GossipRouter<String> r = router("a", "b");
    r.onPrune("b");
    byte[] d = digest();
    r.onIHave("b", 1, List.of(d));
    r.onPush("a", d, 1);
    r.accepted(d, "a");
    clock.now += Duration.ofSeconds(5).toMillis();
    assertThat(r.tick()).isEmpty();
    assertThat(r.nextDeadline()).isEmpty();
  }

  @Test
  void aGraftIsAnsweredWithTheRecordAndMakesTheLinkEager() {
    GossipRouter<String> r = router("a", "b");
    r.onPrune("b");
    byte[] d = digest();
    r.publish(d);
    List<GossipAction<String>> out = r.onGraft("b", List.of(d, digest()));
    assertThat(pushTargets(out)).containsExactly("b");
    assertThat(r.eagerPeers()).contains("b");
  }

  /** A GRAFT naming one record many times gets it once: a small frame cannot buy many records. */
  @Test
  void aGraftNamingARecordManyTimesIsAnsweredOnce() {
    GossipRouter<String> r = router("a", "b");
    byte[] d = digest();
    r.publish(d);
    List<byte[]> repeated = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      repeated.add(d.clone());
    }
    assertThat(r.onGraft("b", repeated))
        .filteredOn(a -> a instanceof GossipAction.PushRecord).hasSize(1);
  }

  @Test
  void theSeenCacheIsBounded() {
    GossipConfig small = new GossipConfig(8, 16, Duration.ofMillis(100), Duration.ofMillis(200), 4, 3);
    GossipRouter<String> r = new GossipRouter<>(small, clock);
    r.peerUp("a");
    byte[] first = digest();
    r.publish(first);
    for (int i = 0; i < 16; i++) {
      r.publish(digest());
    }
    assertThat(r.hasSeen(first)).isFalse();
    // Announcements beyond maxMissing are not tracked.
    for (int i = 0; i < 10; i++) {
      r.onIHave("a", 1, List.of(digest()));
    }
    clock.now += 100;
    assertThat(r.tick()).hasSize(4);
  }

  @Test
  void hopCountsGrowByOneAlongThePath() {
    GossipRouter<String> r = router("a", "b", "c");
    r.onPrune("c");
    byte[] d = digest();
    r.onPush("a", d, 4);
    List<GossipAction<String>> out = r.accepted(d, "a");
    assertThat(out).contains(new GossipAction.Send<>("c", new GossipMessage.IHave(5, List.of(d))));
    GossipAction.PushRecord<String> push = (GossipAction.PushRecord<String>) out.stream()
        .filter(x -> x instanceof GossipAction.PushRecord).findFirst().orElseThrow();
    assertThat(push.peer()).isEqualTo("b");
    assertThat(push.hops()).isEqualTo(5);
    assertThat(((GossipAction.PushRecord<String>) r.publish(digest()).get(0)).hops()).isEqualTo(1);
  }

  @Test
  void aMuchShorterLazyPathReplacesTheTreeLink() {
    GossipConfig shortcut = new GossipConfig(8, 1000, Duration.ofMillis(500), Duration.ofMillis(500), 100, 3);
    GossipRouter<String> r = new GossipRouter<>(shortcut, clock);
    r.peerUp("a");
    r.peerUp("b");
    r.onPrune("b");
    byte[] d = digest();
    r.onIHave("b", 2, List.of(d));
    GossipRouter.PushResult<String> res = r.onPush("a", d, 5);
    assertThat(res.arrival()).isEqualTo(GossipRouter.Arrival.NEW);
    assertThat(res.actions()).containsExactly(
        new GossipAction.Send<>("b", new GossipMessage.Graft(List.of())),
        new GossipAction.Send<>("a", new GossipMessage.Prune()));
    assertThat(r.eagerPeers()).containsExactly("b");
    // A path only a little shorter changes nothing.
    byte[] e = digest();
    r.onIHave("a", 3, List.of(e));
    assertThat(r.onPush("b", e, 4).actions()).isEmpty();
  }

  /** A small network over a discrete-event transport with 50-100 ms links. */
  private static final class Network {
    final ManualClock clock = new ManualClock();
    final List<GossipRouter<Integer>> routers = new ArrayList<>();
    final List<Map<Integer, Integer>> links = new ArrayList<>();
    final PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    final Map<Long, GossipMessage> messages = new HashMap<>();
    final List<Set<ByteKey>> held = new ArrayList<>();
    final Set<Integer> down = new HashSet<>();
    long seq;
    long payloads;
    int forwardsOfDuplicates;

    Network(int n, int view, long seed) {
      Random rnd = new Random(seed);
      for (int i = 0; i < n; i++) {
        routers.add(new GossipRouter<>(GossipConfig.DEFAULT, clock));
        links.add(new HashMap<>());
        held.add(new HashSet<>());
      }
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < view; k++) {
          int j = rnd.nextInt(n);
          if (j != i && !links.get(i).containsKey(j)) {
            int ms = 50 + rnd.nextInt(51);
            links.get(i).put(j, ms);
            links.get(j).put(i, ms);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j : links.get(i).keySet()) {
          routers.get(i).peerUp(j);
        }
      }
    }

    void kill(int node) {
      down.add(node);
      for (int j : links.get(node).keySet()) {
        routers.get(j).peerDown(node);
      }
    }

    void send(int from, List<GossipAction<Integer>> actions, byte[] digest) {
      for (GossipAction<Integer> a : actions) {
        GossipMessage m = a instanceof GossipAction.PushRecord<Integer> p
            ? new GossipMessage.Push(p.hops(), p.digest()) : ((GossipAction.Send<Integer>) a).message();
        long id = seq++;
        messages.put(id, m);
        queue.add(new long[] {clock.now + links.get(from).get(a.peer()), id, from, a.peer()});
      }
    }

    void publish(int origin, byte[] digest) {
      held.get(origin).add(new ByteKey(digest));
      send(origin, routers.get(origin).publish(digest), digest);
      run();
    }

    void run() {
      for (int steps = 0; steps < 1_000_000; steps++) {
        long nextTick = Long.MAX_VALUE;
        for (int i = 0; i < routers.size(); i++) {
          if (!down.contains(i)) {
            nextTick = Math.min(nextTick, routers.get(i).nextDeadline().orElse(Long.MAX_VALUE));
          }
        }
        if (queue.isEmpty() && nextTick == Long.MAX_VALUE) {
          return;
        }
        if (queue.isEmpty() || nextTick < queue.peek()[0]) {
          clock.now = Math.max(clock.now, nextTick);
          for (int i = 0; i < routers.size(); i++) {
            if (!down.contains(i)) {
              send(i, routers.get(i).tick(), null);
            }
          }
          continue;
        }
        long[] e = queue.poll();
        clock.now = e[0];
        GossipMessage m = messages.remove(e[1]);
        int from = (int) e[2];
        int to = (int) e[3];
        if (down.contains(to)) {
          continue;
        }
        GossipRouter<Integer> r = routers.get(to);
        if (m instanceof GossipMessage.Push p) {
          payloads++;
          byte[] d = p.record();
          GossipRouter.PushResult<Integer> res = r.onPush(from, d, p.hops());
          if (res.arrival() == GossipRouter.Arrival.DUPLICATE) {
            for (GossipAction<Integer> a : res.actions()) {
              if (a instanceof GossipAction.PushRecord) {
                forwardsOfDuplicates++;
              }
            }
            send(to, res.actions(), d);
          } else {
            held.get(to).add(new ByteKey(d));
            send(to, r.accepted(d, from), d);
          }
        } else if (m instanceof GossipMessage.IHave h) {
          r.onIHave(from, h.hops(), h.digests());
        } else if (m instanceof GossipMessage.Graft g) {
          for (GossipAction<Integer> a : r.onGraft(from, g.digests())) {
            send(to, List.of(a), ((GossipAction.PushRecord<Integer>) a).digest());
          }
        } else if (m instanceof GossipMessage.Prune) {
          r.onPrune(from);
        }
      }
      throw new AssertionError("network did not settle");
    }
  }

  private record ByteKey(String hex) {
    ByteKey(byte[] d) {
      this(java.util.HexFormat.of().formatHex(d));
    }
  }

  @Test
  void everyNodeGetsEveryUpdateOnceTheTreeHasFormed() {
    Network net = new Network(60, 3, 11);
    List<byte[]> updates = new ArrayList<>();
    for (int u = 0; u < 30; u++) {
      byte[] d = digest();
      updates.add(d);
      long before = net.payloads;
      net.publish(rnd.nextInt(60), d);
      if (u >= 20) {
        // After warm-up: close to one copy per node (flooding to 6 neighbours would be about 6).
        assertThat((double) (net.payloads - before) / 59).isLessThan(1.5);
      }
    }
    for (int i = 0; i < 60; i++) {
      for (byte[] d : updates) {
        assertThat(net.held.get(i)).contains(new ByteKey(d));
      }
    }
    assertThat(net.forwardsOfDuplicates).isZero();
  }

  @Test
  void lazyLinksRepairTheTreeWhenNodesFail() {
    Network net = new Network(60, 3, 12);
    for (int u = 0; u < 20; u++) {
      net.publish(rnd.nextInt(60), digest());
    }
    for (int k = 0; k < 6; k++) {
      net.kill(k * 10);
    }
    byte[] d = digest();
    net.publish(1, d);
    for (int i = 0; i < 60; i++) {
      if (!net.down.contains(i)) {
        assertThat(net.held.get(i)).as("node %d", i).contains(new ByteKey(d));
      }
    }
  }
}

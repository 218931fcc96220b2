package org.p2pdns.node.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.peer.Endorsement;
import org.p2pdns.common.testing.MutableClock;

/** Weight flowing along real signed endorsement lists, kept in a real node.db. */
class WebOfTrustTest {
  private static final byte[] NETWORK = new byte[32];

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(1_795_000_000L);
  private final Ed25519Keys.KeyPair self = Ed25519Keys.generate();
  private TrustStore store;

  @BeforeEach
  void open() throws Exception {
    store = TrustStore.open(dir.resolve("node.db"));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private WebOfTrust web(Map<String, Long> config) throws Exception {
    return WebOfTrust.load(config, store, self, NETWORK, clock);
  }

  private record Node(Ed25519Keys.KeyPair key, String id) {
    static Node make() {
      Ed25519Keys.KeyPair k = Ed25519Keys.generate();
      return new Node(k, NodeIds.idOf(k.publicKey()));
    }

    Endorsement endorse(long at, Node... others) {
      return Endorsement.sign(key, NETWORK, Arrays.stream(others).map(Node::id).toList(), at);
    }
  }

  private static List<Node> make(int n) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Node.make());
    }
    return out;
  }

  @Test
  void aChainFromATrustedNodeLendsHalfPerStepForThreeSteps() throws Exception {
    List<Node> n = make(5);
    WebOfTrust web = web(Map.of(n.get(0).id(), 8000L));
    List<Endorsement> chain = new ArrayList<>();
    for (int i = 0; i + 1 < n.size(); i++) {
      chain.add(n.get(i).endorse(clock.millis(), n.get(i + 1)));
    }
    assertThat(web.accept(chain)).containsOnly(WebOfTrust.Outcome.NEW);

    assertThat(web.weightOf(n.get(0).id())).isEqualTo(8.0);
    assertThat(web.weightOf(n.get(1).id())).isEqualTo(4.0);
    assertThat(web.weightOf(n.get(2).id())).isEqualTo(2.0);
    assertThat(web.weightOf(n.get(3).id())).isEqualTo(1.0);
    assertThat(web.weightOf(n.get(4).id())).as("four steps away").isZero();
  }

  @Test
  void aRingOfHostileNodesEndorsingEachOtherGainsNothing() throws Exception {
    Node trusted = Node.make();
    Node honest = Node.make();
    List<Node> ring = make(40);
    WebOfTrust web = web(Map.of(trusted.id(), 1000L));
    List<Endorsement> all = new ArrayList<>();
    all.add(trusted.endorse(clock.millis(), honest));
    for (int i = 0; i < ring.size(); i++) {
      // Each endorses the next 14 in the ring, and the trusted node: weight cannot flow back.
      List<Node> mine = new ArrayList<>();
      for (int k = 1; k <= 14; k++) {
        mine.add(ring.get((i + k) % ring.size()));
      }
      mine.add(trusted);
      all.add(ring.get(i).endorse(clock.millis(), mine.toArray(Node[]::new)));
    }
    assertThat(web.accept(all)).containsOnly(WebOfTrust.Outcome.NEW);

    for (Node h : ring) {
      assertThat(web.weightOf(h.id())).as("ring member").isZero();
    }
    assertThat(web.weightOf(trusted.id())).isEqualTo(1.0);
    assertThat(web.weightOf(honest.id())).isEqualTo(0.5);
  }

  @Test
  void anEndorserLendsHalfItsWeightInAllHoweverManyItEndorses() throws Exception {
    Node root = Node.make();
    List<Node> endorsed = make(Endorsement.MAX_ENDORSED);
    WebOfTrust web = web(Map.of(root.id(), 16_000L));
    web.accept(List.of(root.endorse(clock.millis(), endorsed.toArray(Node[]::new))));
    double total = endorsed.stream().mapToDouble(x -> web.weightOf(x.id())).sum();
    assertThat(total).isCloseTo(8.0, within(1e-9));
    assertThat(web.weightOf(endorsed.get(3).id())).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void weightFromSeveralEndorsersAddsUpToTheCap() throws Exception {
    Node a = Node.make();
    Node b = Node.make();
    Node c = Node.make();
    Node x = Node.make();
    WebOfTrust web = web(Map.of(a.id(), 4000L, b.id(), 4000L, c.id(), 4000L));
    web.accept(List.of(a.endorse(clock.millis(), x), b.endorse(clock.millis(), x)));
    assertThat(web.weightOf(x.id())).isEqualTo(2.0); // 2 + 2 = 4, capped at half of 4
    web.setOperatorWeight(c.id(), 20_000L);
    assertThat(web.weightOf(x.id())).isEqualTo(4.0); // the cap rose to 10; 2 + 2
  }

  @Test
  void anOperatorWeightOfZeroDistrustsANodeWhateverItsEndorsers() throws Exception {
    Node root = Node.make();
    Node bad = Node.make();
    Node behindBad = Node.make();
    WebOfTrust web = web(Map.of(root.id(), 1000L));
    web.accept(List.of(root.endorse(clock.millis(), bad),
        bad.endorse(clock.millis(), behindBad)));
    assertThat(web.weightOf(behindBad.id())).isEqualTo(0.25);
    web.setOperatorWeight(bad.id(), 0);
    assertThat(web.weightOf(bad.id())).isZero();
    assertThat(web.weightOf(behindBad.id())).isZero();
    // Removing the operator's entry lets the endorsement count again.
    assertThat(web.removeOperatorWeight(bad.id())).isTrue();
    assertThat(web.weightOf(bad.id())).isEqualTo(0.5);
  }

  @Test
  void aNewerListReplacesTheOldOneWhichCannotBeReplayed() throws Exception {
    Node root = Node.make();
    Node x = Node.make();
    Node y = Node.make();
    WebOfTrust web = web(Map.of(root.id(), 1000L));
    Endorsement first = root.endorse(clock.millis(), x);
    web.accept(List.of(first));
    assertThat(web.weightOf(x.id())).isEqualTo(0.5);
    Endorsement second = root.endorse(clock.millis() + 1, y);
    assertThat(web.accept(List.of(second))).containsExactly(WebOfTrust.Outcome.NEW);
    assertThat(web.weightOf(x.id())).isZero();
    assertThat(web.weightOf(y.id())).isEqualTo(0.5);
    assertThat(web.accept(List.of(first))).containsExactly(WebOfTrust.Outcome.OLD);
    assertThat(web.weightOf(x.id())).isZero();
  }

  @Test
  void weightsAndEndorsementsSurviveARestart() throws Exception {
    Node root = Node.make();
    Node x = Node.make();
    Node y = Node.make();
    WebOfTrust web = web(Map.of());
    web.setOperatorWeight(root.id(), 3000L);
    web.accept(List.of(root.endorse(clock.millis(), x)));
    Endorsement own = web.endorse(y.id(), false);
    assertThat(own.verify(NETWORK)).isTrue();
    assertThat(own.endorserId()).isEqualTo(web.nodeId());

    WebOfTrust again = web(Map.of());
    assertThat(again.weightOf(root.id())).isEqualTo(3.0);
    assertThat(again.weightOf(x.id())).isEqualTo(1.5);
    assertThat(again.ownEndorsements()).containsExactly(y.id());
    assertThat(again.entries()).extracting(e -> e.nodeId()).containsExactly(root.id(), x.id());
  }

  @Test
  void endorsersWithoutWeightCannotFillTheTableAgainstOnesWithWeight() throws Exception {
    Node root = Node.make();
    WebOfTrust web = web(Map.of(root.id(), 1000L));
    List<Endorsement> spam = new ArrayList<>();
    Node target = Node.make();
    for (int i = 0; i < WebOfTrust.MAX_ENDORSERS + 50; i++) {
      spam.add(Node.make().endorse(clock.millis(), target));
    }
    List<WebOfTrust.Outcome> outcomes = web.accept(spam);
    assertThat(outcomes.stream().filter(o -> o == WebOfTrust.Outcome.NEW))
        .hasSize(WebOfTrust.MAX_ENDORSERS);
    assertThat(outcomes.stream().filter(o -> o == WebOfTrust.Outcome.FULL)).hasSize(50);
    assertThat(web.all()).hasSize(WebOfTrust.MAX_ENDORSERS);
    // The trusted node still gets its list in, pushing out one without weight.
    Node x = Node.make();
    assertThat(web.accept(List.of(root.endorse(clock.millis(), x))))
        .containsExactly(WebOfTrust.Outcome.NEW);
    assertThat(web.weightOf(x.id())).isEqualTo(0.5);
    assertThat(web.all()).hasSize(WebOfTrust.MAX_ENDORSERS);
  }

  @Test
  void ownEndorsementsAreCheckedAndBounded() throws Exception {
    WebOfTrust web = web(Map.of());
    assertThatThrownBy(() -> web.endorse(web.nodeId(), false)).hasMessageContaining("itself");
    String x = Node.make().id();
    assertThatThrownBy(() -> web.endorse(x, true)).hasMessageContaining("does not endorse");
    web.endorse(x, false);
    assertThatThrownBy(() -> web.endorse(x, false)).hasMessageContaining("already");
    for (int i = 1; i < Endorsement.MAX_ENDORSED; i++) {
      web.endorse(Node.make().id(), false);
    }
    assertThatThrownBy(() -> web.endorse(Node.make().id(), false))
        .hasMessageContaining("withdraw one first");
    web.endorse(x, true);
    assertThat(web.ownEndorsements()).hasSize(Endorsement.MAX_ENDORSED - 1).doesNotContain(x);
    web.endorse(Node.make().id(), false);
    assertThat(web.ownEndorsements()).hasSize(Endorsement.MAX_ENDORSED);
  }

  @Test
  void endorsementsFromTheFarFutureAreIgnored() throws Exception {
    Node root = Node.make();
    Node x = Node.make();
    WebOfTrust web = web(Map.of(root.id(), 1000L));
    assertThat(web.accept(List.of(root.endorse(clock.millis()
        + WebOfTrust.MAX_FUTURE_MILLIS + 1, x)))).containsExactly(WebOfTrust.Outcome.FUTURE);
    assertThat(web.weightOf(x.id())).isZero();
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.peer.NodeAnnouncement;
import org.p2pdns.common.peer.PeerAddress;

class MembershipTest {
  private static final byte[] NETWORK = NetworkParams.defaults().withPowBits(6).networkId();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  /** What a node's database says of another node's addresses (a second, read-only look). */
  private static Map<String, Long> storedAddresses(Path dir, String nodeId) throws Exception {
    try (NodeTable t = NodeTable.open(dir.resolve("node.db"))) {
      return t.loadAll().stream().filter(r -> r.nodeId().equals(nodeId)).findFirst()
          .map(NodeTable.Row::addresses).orElse(Map.of());
    }
  }

  @Test
  void anAddressIsPassedOnOnlyOnceReached() throws Exception {
    Ed25519Keys.KeyPair keyA = Ed25519Keys.generate();
    int portA;
    try (TestPeer probe = new TestPeer(tmp.resolve("a"), keyA, NETWORK, List.of(),
        TestPeer.fast())) {
      portA = probe.address.getPort();
    }
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // closed below: nothing listens there
    }
    PeerAddress real = new PeerAddress("127.0.0.1", portA);
    PeerAddress dead = new PeerAddress("127.0.0.1", deadPort);
    TestPeer a = new TestPeer(tmp.resolve("a"), keyA, NETWORK, List.of(),
        TestPeer.fast().advertise(List.of(real, dead)), portA);
    try (TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), NETWORK,
        List.of(a.pinned()), TestPeer.fast())) {
      await().atMost(WAIT).until(() -> b.network.link(a.id()).isPresent());
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(storedAddresses(b.dir, a.id())).containsKeys(real.toString(),
              dead.toString()).hasEntrySatisfying(real.toString(), t -> assertThat(t)
              .isPositive()));
      // a goes away; a new node d joins through b and learns of a only what b reached.
      a.close();
      try (TestPeer d = new TestPeer(tmp.resolve("d"), Ed25519Keys.generate(), NETWORK,
          List.of(b.pinned()), TestPeer.fast())) {
        await().atMost(WAIT).untilAsserted(() ->
            assertThat(d.network.nodes()).extracting(NodeStatus::nodeId).contains(a.id()));
        assertThat(storedAddresses(d.dir, a.id())).containsOnlyKeys(real.toString());
        await().atMost(WAIT).untilAsserted(() ->
            assertThat(d.network.nodes()).filteredOn(n -> n.nodeId().equals(a.id()))
                .singleElement().satisfies(n -> assertThat(n.state()).isIn(
                    NodeStatus.State.BACKOFF, NodeStatus.State.UNREACHABLE)));
      }
    } finally {
      a.close();
    }
  }

  @Test
  void theNodeTableKeepsNodesAcrossConnections() throws Exception {
    Ed25519Keys.KeyPair k = Ed25519Keys.generate();
    NodeAnnouncement ann = NodeAnnouncement.sign(k, NETWORK,
        List.of(new PeerAddress("127.0.0.1", 4000)), 1234);
    Path db = tmp.resolve("node.db");
    try (NodeTable t = NodeTable.open(db)) {
      t.saveNode(ann.nodeId(), ann.encoded(), ann.issuedAt(), 10, 20, 2, -5);
      t.saveAddress(ann.nodeId(), "127.0.0.1:4000", 30);
      t.saveAddress(ann.nodeId(), "127.0.0.1:4001", 0);
      t.saveNode(ann.nodeId(), ann.encoded(), ann.issuedAt(), 99, 21, 0, -4);
      t.deleteAddress(ann.nodeId(), "127.0.0.1:4001");
    }
    try (NodeTable t = NodeTable.open(db)) {
      List<NodeTable.Row> rows = t.loadAll();
      assertThat(rows).singleElement().satisfies(r -> {
        assertThat(r.nodeId()).isEqualTo(ann.nodeId());
        assertThat(NodeAnnouncement.decode(r.announcement())).isEqualTo(ann);
        assertThat(r.firstSeen()).isEqualTo(10); // first seen is kept on update
        assertThat(r.lastContact()).isEqualTo(21);
        assertThat(r.failures()).isZero();
        assertThat(r.score()).isEqualTo(-4);
        assertThat(r.addresses()).isEqualTo(Map.of("127.0.0.1:4000", 30L));
      });
    }
  }

  @Test
  void scoresFallWithOffencesAndRecover() {
    var clock = new java.util.concurrent.atomic.AtomicLong(1_000_000);
    java.time.Clock c = new java.time.Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return java.time.Instant.ofEpochMilli(clock.get());
      }
    };
    DecayingPeerScore s = new DecayingPeerScore(c, Duration.ofMinutes(1), -100);
    for (int i = 0; i < 3; i++) {
      s.penalize("x", PeerScore.Offence.MALFORMED_FRAME);
    }
    assertThat(s.score("x")).isEqualTo(-75);
    assertThat(s.refused("x")).isFalse();
    s.penalize("x", PeerScore.Offence.MALFORMED_FRAME);
    assertThat(s.refused("x")).isTrue();
    clock.addAndGet(Duration.ofMinutes(10).toMillis());
    assertThat(s.score("x")).isEqualTo(-90);
    assertThat(s.refused("x")).isFalse();
    assertThat(s.score("never-seen")).isZero();
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslHandler;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.peer.PeerMessage;

class PeerNetworkTest {
  private static final byte[] NETWORK = NetworkParams.defaults().withPowBits(6).networkId();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  private TestPeer peer(String name, List<DialTarget> bootstrap) throws Exception {
    return new TestPeer(tmp.resolve(name), Ed25519Keys.generate(), NETWORK, bootstrap,
        TestPeer.fast());
  }

  private static PeerHandshakeException handshakeFailure(Throwable t) {
    Throwable c = t instanceof ExecutionException ? t.getCause() : t;
    assertThat(c).isInstanceOf(PeerHandshakeException.class);
    return (PeerHandshakeException) c;
  }

  @Test
  void tlsHandshakeWithRealCertificatesProvesTheNodeIds() throws Exception {
    try (TestPeer a = peer("a", List.of()); TestPeer b = peer("b", List.of())) {
      String id = a.network.connect(b.unpinned()).get(10, TimeUnit.SECONDS);
      assertThat(id).isEqualTo(b.id());
      // b checks a's announced address by dialing it; the duplicate rule then keeps one link,
      // the same one on both sides.
      awaitOneLink(a, b);
      PeerSession s = (PeerSession) a.network.link(b.id()).orElseThrow();
      var tls = s.channel().pipeline().get(SslHandler.class).engine().getSession();
      assertThat(tls.getProtocol()).isEqualTo("TLSv1.3");
      var peerCert = (java.security.cert.X509Certificate) tls.getPeerCertificates()[0];
      assertThat(PeerIdentity.rawPublicKey(peerCert)).hasValue(b.key.publicKey());
      var ownCert = (java.security.cert.X509Certificate) tls.getLocalCertificates()[0];
      assertThat(PeerIdentity.rawPublicKey(ownCert)).hasValue(a.key.publicKey());
      // The certificate was kept in the data dir and is reused for the same key.
      assertThat(tmp.resolve("a/node.crt")).exists();
      assertThat(PeerIdentity.loadOrCreate(a.key, tmp.resolve("a/node.crt"),
          java.time.Clock.systemUTC()).certificate())
          .isEqualTo(PeerIdentity.loadOrCreate(a.key, tmp.resolve("a/node.crt"),
              java.time.Clock.systemUTC()).certificate());
    }
  }

  @Test
  void aPinnedIdThatDoesNotAnswerIsRefused() throws Exception {
    try (TestPeer a = peer("a", List.of()); TestPeer b = peer("b", List.of())) {
      String wrong = org.p2pdns.common.crypto.NodeIds.idOf(Ed25519Keys.generate().publicKey());
      var f = a.network.connect(DialTarget.pinned(wrong, b.peerAddress()));
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .satisfies(t -> assertThat(handshakeFailure(t).reason())
              .isEqualTo(DisconnectReason.ID_MISMATCH));
      assertThat(a.network.links()).isEmpty();
      // The right pin works.
      assertThat(a.network.connect(b.pinned()).get(10, TimeUnit.SECONDS)).isEqualTo(b.id());
    }
  }

  @Test
  void aNetworkIdMismatchIsRefusedOnBothSides() throws Exception {
    byte[] other = NetworkParams.defaults().withPowBits(7).networkId();
    try (TestPeer a = peer("a", List.of());
        TestPeer c = new TestPeer(tmp.resolve("c"), Ed25519Keys.generate(), other, List.of(),
            TestPeer.fast())) {
      var f = a.network.connect(c.unpinned());
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .satisfies(t -> assertThat(handshakeFailure(t).reason())
              .isEqualTo(DisconnectReason.NETWORK_MISMATCH));
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(a.network.refusals()).containsKey(DisconnectReason.NETWORK_MISMATCH);
        assertThat(c.network.refusals()).containsKey(DisconnectReason.NETWORK_MISMATCH);
      });
      assertThat(a.network.links()).isEmpty();
      assertThat(c.network.links()).isEmpty();
    }
  }

  /**
   * A node of another protocol version (here one that states version 1 in its HELLO) is refused
   * with PROTOCOL_VERSION, and keeps its score: it is an old node, not a hostile one, and links
   * as soon as it is upgraded.
   */
  @Test
  void aPeerOfAnotherProtocolVersionIsRefusedWithoutLosingScore() throws Exception {
    try (TestPeer a = peer("a", List.of());
        TestPeer old = new TestPeer(tmp.resolve("old"), Ed25519Keys.generate(), NETWORK, List.of(),
            TestPeer.fast().protocolVersion(PeerMessageCodec.PROTOCOL_VERSION - 1))) {
      var f = old.network.connect(a.unpinned());
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .satisfies(t -> assertThat(handshakeFailure(t).reason())
              .isEqualTo(DisconnectReason.PROTOCOL_VERSION));
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(a.network.refusals()).containsKey(DisconnectReason.PROTOCOL_VERSION));
      assertThat(a.network.links()).isEmpty();
      assertThat(old.network.links()).isEmpty();
      assertThat(a.score.score(old.id())).isZero();
      // Dialled the other way, the same.
      var g = a.network.connect(old.unpinned());
      assertThatThrownBy(() -> g.get(10, TimeUnit.SECONDS))
          .satisfies(t -> assertThat(handshakeFailure(t).reason())
              .isEqualTo(DisconnectReason.PROTOCOL_VERSION));
      assertThat(a.network.links()).isEmpty();
      assertThat(a.score.score(old.id())).isZero();
    }
  }

  @Test
  void fiveNodesBootstrappedInAChainAllLinkToAllAndOneRestartReconnects() throws Exception {
    List<TestPeer> peers = new ArrayList<>();
    try {
      peers.add(peer("n0", List.of()));
      for (int i = 1; i < 5; i++) {
        // Alternate pinned and unpinned bootstrap entries.
        TestPeer prev = peers.get(i - 1);
        peers.add(peer("n" + i, List.of(i % 2 == 0 ? prev.pinned() : prev.unpinned())));
      }
      awaitFullMesh(peers);
      for (TestPeer p : peers) {
        List<NodeStatus> nodes = p.network.nodes();
        assertThat(nodes).hasSize(4);
        assertThat(nodes).allSatisfy(n -> {
          assertThat(n.state()).isEqualTo(NodeStatus.State.CONNECTED);
          assertThat(n.lastContact()).isPositive();
        });
      }

      // Restart node 2 from its data dir (same key, same node table), on a new port and with no
      // bootstrap: it reconnects from what it stored, and the others notice it went away.
      TestPeer old = peers.get(2);
      old.close();
      await().atMost(WAIT).untilAsserted(() -> {
        for (TestPeer p : peers) {
          if (p != old) {
            assertThat(p.network.link(old.id())).isEmpty();
          }
        }
      });
      assertThat(peers.get(0).network.nodes()).filteredOn(n -> n.nodeId().equals(old.id()))
          .singleElement().satisfies(n -> assertThat(n.state())
              .isIn(NodeStatus.State.BACKOFF, NodeStatus.State.CONNECTING,
                  NodeStatus.State.UNREACHABLE));
      TestPeer restarted = new TestPeer(old.dir, old.key, NETWORK, List.of(), TestPeer.fast());
      peers.set(2, restarted);
      awaitFullMesh(peers);
    } finally {
      for (TestPeer p : peers) {
        p.close();
      }
    }
  }

  /** Waits until the two nodes share one link, the same on both sides. */
  private static void awaitOneLink(TestPeer a, TestPeer b) {
    await().atMost(WAIT).untilAsserted(() -> {
      PeerLink ab = a.network.link(b.id()).orElseThrow();
      PeerLink ba = b.network.link(a.id()).orElseThrow();
      assertThat(ab.isOpen() && ba.isOpen()).isTrue();
      assertThat(ab.outbound()).isNotEqualTo(ba.outbound());
      assertThat(ab.remoteAddress().getPort() == b.address.getPort()
          || ba.remoteAddress().getPort() == a.address.getPort()).isTrue();
    });
  }

  private static void awaitFullMesh(List<TestPeer> peers) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      for (TestPeer p : peers) {
        Set<String> linked = p.network.links().stream().map(PeerLink::nodeId)
            .collect(Collectors.toSet());
        Set<String> others = peers.stream().filter(o -> o != p).map(TestPeer::id)
            .collect(Collectors.toSet());
        assertThat(linked).as("links of " + p.id()).isEqualTo(others);
      }
    });
  }

  @Test
  void anOversizeFrameClosesTheLinkWithoutHarmingTheNode() throws Exception {
    try (TestPeer a = peer("a", List.of()); TestPeer b = peer("b", List.of());
        TestPeer c = peer("c", List.of())) {
      a.network.connect(b.unpinned()).get(10, TimeUnit.SECONDS);
      awaitOneLink(a, b);
      PeerSession s = (PeerSession) a.network.link(b.id()).orElseThrow();
      PeerLink atB = b.network.link(a.id()).orElseThrow();
      // A frame header announcing 2 MiB, written below the frame encoder: raw bytes inside TLS.
      var raw = Unpooled.buffer().writeInt(2 << 20).writeZero(1024);
      s.channel().pipeline().context("frame-encoder").writeAndFlush(raw);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(atB.isOpen()).isFalse();
        assertThat(s.isOpen()).isFalse();
      });
      assertThat(((PeerSession) atB).localReason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
      assertThat(b.score.score(a.id())).isNegative();
      // b still serves others.
      assertThat(c.network.connect(b.unpinned()).get(10, TimeUnit.SECONDS)).isEqualTo(b.id());
    }
  }

  @Test
  void aSilentPeerIsDroppedAtTheHandshakeDeadline() throws Exception {
    try (TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), NETWORK, List.of(),
        TestPeer.fast().handshakeTimeout(Duration.ofMillis(700)));
        Socket silent = new Socket("127.0.0.1", b.address.getPort())) {
      silent.setSoTimeout(10_000);
      long start = System.nanoTime();
      InputStream in = silent.getInputStream();
      int r = in.read();
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(r).isEqualTo(-1);
      assertThat(ms).isBetween(500L, 5_000L);
      assertThat(b.network.refusals()).containsKey(DisconnectReason.TIMEOUT);
    }
  }

  @Test
  void messagesReachTheListenerAndBroadcastSkipsTheSource() throws Exception {
    try (TestPeer a = peer("a", List.of()); TestPeer b = peer("b", List.of(a.pinned()));
        TestPeer c = peer("c", List.of(a.pinned()))) {
      awaitFullMesh(List.of(a, b, c));
      PeerMessage.RecordPush push = new PeerMessage.RecordPush(0, new byte[] {1, 2, 3});
      PeerLink toB = a.network.link(b.id()).orElseThrow();
      assertThat(a.network.broadcast(push, toB)).isEqualTo(1);
      await().atMost(WAIT).until(() -> c.received.contains(push));
      assertThat(b.received).doesNotContain(push);
    }
  }

  @Test
  void aPeerThatStopsReadingIsDisconnectedAsSlowWithBoundedMemory() throws Exception {
    PeerNetworkConfig.Builder small = TestPeer.fast().writeBuffer(64 * 1024, 256 * 1024,
        1024 * 1024).slowPeerTimeout(Duration.ofSeconds(1));
    try (TestPeer a = new TestPeer(tmp.resolve("a"), Ed25519Keys.generate(), NETWORK, List.of(),
        small);
        TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), NETWORK, List.of(),
            small)) {
      a.network.connect(b.unpinned()).get(10, TimeUnit.SECONDS);
      awaitOneLink(a, b);
      PeerSession atA = (PeerSession) a.network.link(b.id()).orElseThrow();
      PeerSession atB = (PeerSession) b.network.link(a.id()).orElseThrow();
      atA.channel().config().setAutoRead(false); // a stops reading: b's queue fills
      PeerMessage.RecordPush big = new PeerMessage.RecordPush(0, new byte[60_000]);
      // Send on the link's own event loop, so writability is seen as each write is queued.
      boolean dropped = atB.channel().eventLoop().submit(() -> {
        for (int i = 0; i < 2_000 && atB.channel().isWritable(); i++) {
          atB.send(big);
        }
        return !atB.channel().isWritable() && !atB.send(big); // gossip is dropped, not queued
      }).get(20, TimeUnit.SECONDS);
      assertThat(dropped).isTrue();
      assertThat(atB.droppedMessages()).isPositive();
      await().atMost(WAIT).untilAsserted(() -> assertThat(atB.isOpen()).isFalse());
      assertThat(atB.localReason()).isEqualTo(DisconnectReason.SLOW);
      assertThat(b.score.score(a.id())).isNegative();
    }
  }

  @Test
  void connectionsStuckInTheirHandshakeAreCapped() throws Exception {
    try (TestPeer b = new TestPeer(tmp.resolve("b"), Ed25519Keys.generate(), NETWORK, List.of(),
        TestPeer.fast().maxLinks(1).handshakeTimeout(Duration.ofSeconds(30)))) {
      int cap = b.network.maxInboundHandshakes();
      List<Socket> silent = new ArrayList<>();
      try {
        for (int i = 0; i < cap; i++) {
          silent.add(new Socket("127.0.0.1", b.address.getPort()));
        }
        try (Socket extra = new Socket("127.0.0.1", b.address.getPort())) {
          extra.setSoTimeout(10_000);
          long start = System.nanoTime();
          assertThat(extra.getInputStream().read()).isEqualTo(-1);
          assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
        }
        assertThat(b.network.refusals()).containsKey(DisconnectReason.TOO_MANY_PEERS);
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
      // Once they are gone, a real peer gets in.
      try (TestPeer a = peer("a", List.of())) {
        assertThat(a.network.connect(b.unpinned()).get(20, TimeUnit.SECONDS)).isEqualTo(b.id());
      }
    }
  }
}

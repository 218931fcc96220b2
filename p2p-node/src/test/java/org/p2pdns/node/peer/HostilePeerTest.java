package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.Endorsement;
import org.p2pdns.common.peer.NodeAnnouncement;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.ratelimit.OriginLimits;

/**
 * A hostile peer with an identity of its own speaks the real protocol over real TLS to a real
 * node and sends what no honest node sends: forged and altered records, records of another
 * network, replays, records from the future, an owner's flood of updates, garbage frames and a
 * flood of node announcements. The node refuses each, counts it, bans the sender when it is at
 * fault (never for clock skew or replays), keeps serving, and keeps its tables bounded.
 */
class HostilePeerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final TestNetwork net = new TestNetwork();

  @TempDir
  Path tmp;

  private Node node(String name) throws Exception {
    return node(name, Clock.systemUTC());
  }

  private Node node(String name, Clock clock) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, List.of())
        // The node under attack stands for one with history: an empty node would hold back
        // every pushed record until its bootstrap vote ends (BootstrapVoteTest covers that).
        .set("node.bootstrap-peers", "0")
        .build();
    return Node.start(NodeConfig.from(config, tmp, Optional.empty()), clock);
  }

  private TestPeer hostile(String name) throws Exception {
    return new TestPeer(tmp.resolve(name), Ed25519Keys.generate(), net.networkId(), List.of(),
        TestPeer.fast());
  }

  private static DialTarget target(Node n) {
    return DialTarget.pinned(n.identity().nodeId(),
        new PeerAddress("127.0.0.1", n.peerNetwork().boundAddress().getPort()));
  }

  private static PeerLink linkTo(TestPeer h, Node n) throws Exception {
    h.network.connect(target(n)).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> h.network.link(n.identity().nodeId()).isPresent()
        && n.peerNetwork().link(h.id()).isPresent());
    return h.network.link(n.identity().nodeId()).orElseThrow();
  }

  private SignedRecord claim(String name, long issuedAt) {
    return net.claim(Ed25519Keys.generate(), name, issuedAt,
        TestNetwork.rrs(name + ".", "@ 300 IN A 192.0.2.1"));
  }

  private static long now() {
    return Clock.systemUTC().instant().getEpochSecond();
  }

  @Test
  void forgedRecordsAreRefusedCountedAndTheSenderIsBannedAndRefusedAtTheHandshake()
      throws Exception {
    try (Node n = node("n"); TestPeer h = hostile("h")) {
      PeerLink link = linkTo(h, n);
      long now = now();
      // A bad signature, an altered byte, a record of another network, bytes that are no record.
      byte[] badSig = claim("forged.p2p", now).encoded();
      badSig[badSig.length - 1] ^= 1;
      byte[] altered = claim("altered.p2p", now).encoded();
      altered[altered.length / 2] ^= 0x20;
      TestNetwork other = new TestNetwork(NetworkParams.defaults().withPowBits(7));
      byte[] foreign = other.claim(Ed25519Keys.generate(), "foreign.p2p", now,
          TestNetwork.rrs("foreign.p2p.", "@ 300 IN A 192.0.2.9")).encoded();
      byte[] garbage = "not a record at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (byte[] bytes : List.of(badSig, altered, foreign, garbage)) {
        link.send(new PeerMessage.RecordPush(0, bytes));
      }
      await().atMost(WAIT).untilAsserted(() -> assertThat(n.records().refusedCount())
          .isEqualTo(4));
      assertThat(n.records().refusedCount(RefusalReason.BAD_SIGNATURE)).isPositive();
      assertThat(n.records().refusedCount(RefusalReason.MALFORMED)).isPositive();
      assertThat(n.records().count()).isZero();
      // Each of the four cost the sender: no honest node sends any of them.
      assertThat(n.peerNetwork().score().score(h.id())).isEqualTo(-40);
      assertThat(link.isOpen()).isTrue();

      // Six more forgeries: the score reaches the limit, the node bans and disconnects it.
      long before = System.currentTimeMillis();
      for (int i = 0; i < 6; i++) {
        byte[] b = claim("forged" + i + ".p2p", now).encoded();
        b[b.length - 1] ^= 1;
        link.send(new PeerMessage.RecordPush(0, b));
      }
      await().atMost(WAIT).untilAsserted(() -> assertThat(link.isOpen()).isFalse());
      long until = n.peerNetwork().score().bannedUntil(h.id());
      assertThat(until).isGreaterThanOrEqualTo(before + DecayingPeerScore.DEFAULT_BAN.toMillis());
      PeerSession atNode = (PeerSession) link;
      assertThat(atNode.remoteReason()).isEqualTo(DisconnectReason.LOW_SCORE);

      // A new connection is refused at the handshake while the ban lasts.
      assertThatThrownBy(() -> h.network.connect(target(n)).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasMessageContaining("LOW_SCORE");
      assertThat(n.peerNetwork().refusals()).containsKey(DisconnectReason.LOW_SCORE);

      // p2pdns nodes shows it banned, and until when; the node serves others meanwhile.
      try (NodeClient client = new NodeClient(n.controlEndpoint());
          TestPeer honest = hostile("honest")) {
        NodeResponse.NodeEntry e = client.nodes().get(10, TimeUnit.SECONDS).nodes().stream()
            .filter(x -> x.nodeId().equals(h.id())).findFirst().orElseThrow();
        assertThat(e.state()).isEqualTo("banned");
        assertThat(e.bannedUntil()).isEqualTo(until);
        linkTo(honest, n);
        NodeResponse.Status status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.fields()).anySatisfy(f -> assertThat(f.value())
            .contains("BAD_SIGNATURE").contains("MALFORMED"));
      }
    }
  }

  @Test
  void replaysAndRecordsFromTheFutureAreRefusedButNeverCostTheSender() throws Exception {
    try (Node n = node("n"); TestPeer h = hostile("h")) {
      PeerLink link = linkTo(h, n);
      long now = now();
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord v1 = net.claim(owner, "replayed.p2p", now,
          TestNetwork.rrs("replayed.p2p.", "@ 300 IN A 192.0.2.1"));
      SignedRecord v2 = net.update(v1, owner, now + 1,
          TestNetwork.rrs("replayed.p2p.", "@ 300 IN A 192.0.2.2"));
      SignedRecord v3 = net.update(v2, owner, now + 2,
          TestNetwork.rrs("replayed.p2p.", "@ 300 IN A 192.0.2.3"));
      link.send(new PeerMessage.RecordPush(0, v1.encoded()));
      await().atMost(WAIT).until(() -> n.records().current("replayed.p2p").isPresent());
      link.send(new PeerMessage.RecordPush(0, v3.encoded()));
      await().atMost(WAIT).until(() -> n.records().current("replayed.p2p")
          .filter(v3::equals).isPresent());
      // An older version (a replay: the exact bytes of one already seen are dropped unread),
      // then 30 claims dated an hour ahead (a clock far ahead of the node's).
      link.send(new PeerMessage.RecordPush(0, v2.encoded()));
      link.send(new PeerMessage.RecordPush(0, v1.encoded()));
      for (int i = 0; i < 30; i++) {
        link.send(new PeerMessage.RecordPush(0, claim("future" + i + ".p2p", now + 3600)
            .encoded()));
      }
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(n.records().refusedCount(RefusalReason.STALE_SERIAL)).isEqualTo(1);
        assertThat(n.records().refusedCount(RefusalReason.CLOCK_SKEW)).isEqualTo(30);
      });
      assertThat(n.records().current("replayed.p2p")).contains(v3);
      assertThat(n.peerNetwork().score().score(h.id())).isZero();
      assertThat(link.isOpen()).isTrue();
    }
  }

  @Test
  void anOwnerFloodingUpdatesIsLimitedByOriginWhileTheRelayKeepsItsStanding() throws Exception {
    try (Node n = node("n"); TestPeer relay = hostile("relay")) {
      PeerLink link = linkTo(relay, n);
      long now = now();
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord v = net.claim(owner, "noisy.p2p", now,
          TestNetwork.rrs("noisy.p2p.", "@ 300 IN A 192.0.2.1"));
      link.send(new PeerMessage.RecordPush(0, v.encoded()));
      await().atMost(WAIT).until(() -> n.records().current("noisy.p2p").isPresent());
      int updates = OriginLimits.UPDATE_BURST + 40;
      for (int i = 0; i < updates; i++) {
        v = net.update(v, owner, now, TestNetwork.rrs("noisy.p2p.", "@ 300 IN A 192.0.2."
            + (i % 250 + 1)));
        link.send(new PeerMessage.RecordPush(0, v.encoded()));
        if (i % 10 == 9) {
          // In order, so that each is an update of the one before (as a relay would pass them).
          long serial = v.serial() - 5;
          await().atMost(WAIT).until(() -> n.records().current("noisy.p2p").orElseThrow()
              .serial() >= serial || n.records().refusedCount(RefusalReason.RATE_LIMITED) > 0);
        }
      }
      await().atMost(WAIT).untilAsserted(() -> assertThat(n.records().storedCount()
          + n.records().refusedCount()).isEqualTo(updates + 1));
      assertThat(n.records().refusedCount(RefusalReason.RATE_LIMITED)).isGreaterThanOrEqualTo(30);
      assertThat(n.records().storedCount()).isLessThanOrEqualTo(OriginLimits.UPDATE_BURST + 3);
      assertThat(n.peerNetwork().score().score(relay.id())).isZero();
      assertThat(link.isOpen()).isTrue();
    }
  }

  @Test
  void aPeerPushingMoreThanItsLinkMayIsSlowedAndNeverBanned() throws Exception {
    // The node's clock stands still: no token comes back, so exactly the burst is validated.
    Clock frozen = Clock.fixed(Clock.systemUTC().instant(), java.time.ZoneOffset.UTC);
    // The flooder keeps the node's keep-alive times: the node writes nothing while it works.
    try (Node n = node("n", frozen); TestPeer flooder = new TestPeer(tmp.resolve("flooder"),
        Ed25519Keys.generate(), net.networkId(), List.of(), TestPeer.fast()
            .keepAlive(Duration.ofSeconds(15), Duration.ofSeconds(45)))) {
      long now = now();
      SignedRecord held = claim("held.p2p", now);
      n.records().submit(held.encoded(), org.p2pdns.node.records.Origin.CLIENT)
          .get(10, TimeUnit.SECONDS);
      // Validly signed claims of the held name by another key: an honest node could relay
      // them (NOT_OWNER costs nothing), so only the per-link budget bounds them.
      Ed25519Keys.KeyPair other = Ed25519Keys.generate();
      List<byte[]> unwanted = new ArrayList<>();
      for (int i = 0; i < RecordGossip.PUSH_BURST + 500; i++) {
        unwanted.add(net.claim(other, "held.p2p", now, TestNetwork.rrs("held.p2p.",
            "@ 300 IN A 10.0." + (i / 250) + "." + (i % 250 + 1))).encoded());
      }
      PeerLink link = linkTo(flooder, n);
      for (byte[] r : unwanted) {
        link.send(new PeerMessage.RecordPush(0, r));
      }
      await().atMost(WAIT).untilAsserted(() -> assertThat(
          n.records().refusedCount(RefusalReason.NOT_OWNER))
          .isGreaterThanOrEqualTo(RecordGossip.PUSH_BURST));
      try (NodeClient client = new NodeClient(n.controlEndpoint())) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.status()
            .get(10, TimeUnit.SECONDS).fields()).anySatisfy(f -> assertThat(f.value())
                .containsPattern("[1-9][0-9]* over a peer's rate limit")));
      }
      assertThat(n.records().refusedCount(RefusalReason.NOT_OWNER))
          .isEqualTo(RecordGossip.PUSH_BURST);
      assertThat(n.records().current("held.p2p")).contains(held);
      assertThat(n.peerNetwork().score().score(flooder.id())).isZero();
      assertThat(link.isOpen()).isTrue();
      assertThat(n.peerNetwork().link(flooder.id()).map(PeerLink::isOpen)).contains(true);
    }
  }

  @Test
  void garbageFramesAndForgedEndorsementsCostTheSenderAndTheNodeServesOn() throws Exception {
    try (Node n = node("n"); TestPeer h = hostile("h"); TestPeer h2 = hostile("h2");
        TestPeer honest = hostile("honest")) {
      // An endorsement list whose signature does not hold.
      PeerLink link = linkTo(h, n);
      Endorsement good = Endorsement.sign(h.key, net.networkId(), List.of(honest.id()), 1);
      byte[] bytes = good.encoded();
      bytes[bytes.length - 1] ^= 1;
      link.send(new PeerMessage.Endorsements(List.of(Endorsement.decode(bytes))));
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(n.peerNetwork().score().score(h.id())).isEqualTo(-20));
      assertThat(n.webOfTrust().all()).isEmpty();

      // A frame of an unknown type, written below the frame encoder: raw bytes inside TLS.
      PeerSession s = (PeerSession) linkTo(h2, n);
      s.channel().pipeline().context("frame-encoder").writeAndFlush(
          Unpooled.buffer().writeInt(3).writeByte(0x7e).writeShort(0));
      await().atMost(WAIT).untilAsserted(() -> assertThat(s.isOpen()).isFalse());
      assertThat(n.peerNetwork().score().score(h2.id())).isNegative();
      linkTo(honest, n);
      assertThat(n.peerNetwork().link(honest.id())).isPresent();
    }
  }

  @Test
  void aFloodOfNodeAnnouncementsDoesNotGrowTheNodeTableBeyondItsBound() throws Exception {
    int bound = 100;
    try (TestPeer target = new TestPeer(tmp.resolve("t"), Ed25519Keys.generate(),
        net.networkId(), List.of(), TestPeer.fast().maxKnownNodes(bound));
        TestPeer h = hostile("h")) {
      h.network.connect(target.pinned()).get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> h.network.link(target.id()).isPresent());
      PeerLink link = h.network.link(target.id()).orElseThrow();
      // 600 fresh identities, each with a valid signed announcement, in 3 NODES messages.
      int sent = 0;
      for (int m = 0; m < 3; m++) {
        List<PeerMessage.NodeEntry> entries = new ArrayList<>();
        for (int i = 0; i < PeerMessage.MAX_NODES; i++) {
          NodeAnnouncement a = NodeAnnouncement.sign(Ed25519Keys.generate(), net.networkId(),
              List.of(new PeerAddress("127.0.0.1", 1)), System.currentTimeMillis());
          entries.add(new PeerMessage.NodeEntry(a, List.of()));
        }
        entries.sort(java.util.Comparator.comparing(e -> e.announcement().nodeId()));
        link.send(new PeerMessage.Nodes(entries, false));
        sent += entries.size();
      }
      assertThat(sent).isEqualTo(600);
      await().atMost(WAIT).untilAsserted(() -> assertThat(target.network.membershipBounds())
          .contains("announcements skipped"));
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(target.network.nodes()).hasSizeBetween(bound - 5, bound + 1);
        assertThat(target.table.loadAll()).hasSizeBetween(bound - 5, bound + 1);
      });
      // The honest peer it is linked to is still known; the flooder lost no score for valid
      // announcements, and the node answers.
      assertThat(target.network.nodes()).anySatisfy(x -> assertThat(x.nodeId()).isEqualTo(h.id()));
      assertThat(target.score.score(h.id())).isZero();
    }
  }
}

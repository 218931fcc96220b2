package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.sync.ReconcileLimits;
import org.p2pdns.common.sync.ReconcileSession;
import org.p2pdns.common.sync.SyncItemSet;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.store.RecordStore;

/**
 * The liveness of catch-up sessions: a peer that goes silent mid-session does not pin the link's
 * session, and anti-entropy repairs a record gossip did not deliver without a new link.
 */
class CatchUpSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final TestNetwork net = new TestNetwork();
  private final long now = Clock.systemUTC().instant().getEpochSecond();
  private final List<AutoCloseable> open = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A link whose peer is this test: it records what the node sends and never answers. */
  private static final class SilentLink implements PeerLink {
    final String id;
    final List<PeerMessage> sent = new CopyOnWriteArrayList<>();
    final List<PeerScore.Offence> penalties = new CopyOnWriteArrayList<>();

    SilentLink(String id) {
      this.id = id;
    }

    @Override
    public String nodeId() {
      return id;
    }

    @Override
    public boolean outbound() {
      return false;
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public boolean send(PeerMessage message) {
      sent.add(message);
      return true;
    }

    @Override
    public void penalize(PeerScore.Offence offence) {
      penalties.add(offence);
    }

    @Override
    public void disconnect(DisconnectReason reason, String detail) {}
  }

  @Test
  void aPeerSilentMidSessionIsDroppedAfterTheTimeoutAndMayStartAgain() throws Exception {
    Clock clock = Clock.systemUTC();
    RecordStore store = RecordStore.open(tmp.resolve("node.db"), clock);
    open.add(store);
    RecordService records = RecordService.start(store,
        new RecordValidator(net.params(), clock), n -> { }, clock);
    open.add(records);
    records.submit(net.claim(Ed25519Keys.generate(), "held.p2p", now,
        TestNetwork.rrs("held.p2p.", "@ 300 IN A 192.0.2.1")).encoded(), Origin.CLIENT)
        .get(10, TimeUnit.SECONDS);
    // Self id "0...": smaller than the peer's, so this node starts the session at link-up.
    CatchUp catchUp = CatchUp.start(records, "0".repeat(64), false, Duration.ZERO, () -> { },
        Duration.ofMillis(600));
    open.add(catchUp);
    SilentLink peer = new SilentLink("f".repeat(64));
    catchUp.onLinkUp(peer);
    await().atMost(WAIT).until(() -> peer.sent.stream().anyMatch(m ->
        m instanceof PeerMessage.Reconcile r && r.type() == CatchUp.TYPE_START));
    // The peer never answers: the session is given up, without a penalty.
    await().atMost(WAIT).until(() -> catchUp.sessionsTimedOut() == 1);
    assertThat(peer.penalties).isEmpty();
    // Now the peer starts a session of its own: not "a second session", it is answered.
    ReconcileSession theirs = new ReconcileSession(new SyncItemSet(), ReconcileLimits.DEFAULT);
    int before = peer.sent.size();
    catchUp.onMessage(peer, new PeerMessage.Reconcile(CatchUp.TYPE_START, theirs.initiate()));
    await().atMost(WAIT).until(() -> peer.sent.size() > before);
    assertThat(peer.sent.get(before)).isInstanceOfSatisfying(PeerMessage.Reconcile.class,
        r -> assertThat(r.type()).isEqualTo(CatchUp.TYPE_STEP));
    assertThat(peer.penalties).isEmpty();
  }

  private Node start(String name, List<String> bootstrap) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .set("node.bootstrap-peers", "0")
        .set("node.anti-entropy-interval", "500ms")
        .build();
    Node n = Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC());
    open.add(n);
    return n;
  }

  @Test
  void antiEntropyRepairsARecordGossipDidNotDeliverWithoutANewLink() throws Exception {
    Node a = start("a", List.of());
    Node b = start("b", List.of(a.identity().nodeId() + "@127.0.0.1:"
        + a.peerNetwork().boundAddress().getPort()));
    await().atMost(WAIT).until(() -> a.peerNetwork().links().size() == 1
        && a.catchUp().sessionsCompleted() >= 1 && b.catchUp().sessionsCompleted() >= 1);
    // Stored at a without gossip (as a voted record is): only reconciliation can carry it.
    SignedRecord missed = net.claim(Ed25519Keys.generate(), "missed.p2p", now,
        TestNetwork.rrs("missed.p2p.", "@ 300 IN A 192.0.2.7"));
    assertThat(a.records().submitChecked(missed, Origin.voted("f".repeat(64)))
        .get(10, TimeUnit.SECONDS).outcome()).isEqualTo(
            org.p2pdns.node.records.SubmitResult.Outcome.STORED);
    String linkBefore = a.peerNetwork().links().get(0).toString();
    await().atMost(WAIT).until(() -> b.records().current("missed.p2p").isPresent());
    assertThat(b.records().current("missed.p2p")).contains(missed);
    assertThat(a.catchUp().antiEntropyRounds() + b.catchUp().antiEntropyRounds()).isPositive();
    // The same link carried it: no new link was needed.
    assertThat(a.peerNetwork().links()).hasSize(1);
    assertThat(a.peerNetwork().links().get(0).toString()).isEqualTo(linkBefore);
  }
}

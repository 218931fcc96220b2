package org.p2pdns.node.peer;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;

/** A real peer network on 127.0.0.1 port 0 with its own data dir, fast timers for tests. */
final class TestPeer implements AutoCloseable {
  final Ed25519Keys.KeyPair key;
  final Path dir;
  final NodeTable table;
  final PeerNetwork network;
  final DecayingPeerScore score;
  final List<PeerMessage> received = new CopyOnWriteArrayList<>();
  final InetSocketAddress address;

  TestPeer(Path dir, Ed25519Keys.KeyPair key, byte[] networkId, List<DialTarget> bootstrap,
      PeerNetworkConfig.Builder tweaks) throws Exception {
    this(dir, key, networkId, bootstrap, tweaks, 0);
  }

  TestPeer(Path dir, Ed25519Keys.KeyPair key, byte[] networkId, List<DialTarget> bootstrap,
      PeerNetworkConfig.Builder tweaks, int port) throws Exception {
    this.key = key;
    this.dir = dir;
    Files.createDirectories(dir);
    this.table = NodeTable.open(dir.resolve("node.db"));
    this.score = new DecayingPeerScore(Clock.systemUTC());
    PeerNetworkConfig config = tweaks.listen("127.0.0.1", port).bootstrap(bootstrap).build();
    this.network = new PeerNetwork(config,
        PeerIdentity.loadOrCreate(key, dir.resolve("node.crt"), Clock.systemUTC()), networkId,
        table, score, (link, m) -> received.add(m), Clock.systemUTC());
    this.address = network.start();
  }

  static PeerNetworkConfig.Builder fast() {
    return PeerNetworkConfig.builder()
        .handshakeTimeout(Duration.ofSeconds(10))
        .keepAlive(Duration.ofSeconds(1), Duration.ofSeconds(3))
        .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1), 3)
        .maintenanceInterval(Duration.ofMillis(100))
        .ioThreads(1)
        .softwareVersion("p2pdns-test");
  }

  String id() {
    return network.nodeId();
  }

  PeerAddress peerAddress() {
    return new PeerAddress("127.0.0.1", address.getPort());
  }

  DialTarget pinned() {
    return DialTarget.pinned(id(), peerAddress());
  }

  DialTarget unpinned() {
    return DialTarget.unpinned(peerAddress());
  }

  @Override
  public void close() throws Exception {
    network.close();
    table.close();
  }
}

package org.p2pdns.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.node.identity.DataDirLock;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.peer.DecayingPeerScore;
import org.p2pdns.node.peer.Bootstrap;
import org.p2pdns.node.peer.CatchUp;
import org.p2pdns.node.peer.ContestedNames;
import org.p2pdns.node.peer.VoteTable;
import org.p2pdns.node.peer.NetworkPeerView;
import org.p2pdns.node.peer.NodeTable;
import org.p2pdns.node.peer.PeerIdentity;
import org.p2pdns.node.peer.PeerMessageListener;
import org.p2pdns.node.peer.PeerNetwork;
import org.p2pdns.node.peer.PeerNetworkConfig;
import org.p2pdns.node.peer.RecordGossip;
import org.p2pdns.node.query.ChangePublisher;
import org.p2pdns.node.query.PeerView;
import org.p2pdns.node.query.QueryServer;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.node.store.StorageException;
import org.p2pdns.node.query.ControlGuard;
import org.p2pdns.node.trust.EndorsementGossip;
import org.p2pdns.node.trust.TrustStore;
import org.p2pdns.node.trust.TrustWeights;
import org.p2pdns.node.trust.TrustingPeerView;
import org.p2pdns.node.trust.WebOfTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * A running node: owns its parts and their lifecycle. {@link #start} brings them up in order
 * (data dir and its lock, identity, store, change feed, record service, query server), then
 * writes the ready file; {@link #close} takes them down in reverse, letting accepted writes
 * finish, and removes the ready file.
 *
 * <pre>
 *   query.QueryServer ──submit──► records.RecordService ──put──► store.RecordStore (SQLite)
 *          │  lookups from memory        │ ChangeNotice ──► query.ChangePublisher (PUB)
 *          │                             └ RecordListener ──► peer.RecordGossip ──► peers
 *   peer.PeerNetwork (TLS links, membership) ── RECORD from peers ──► RecordService.submit
 * </pre>
 */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  /** Contested names listed one by one in the status; the count covers all. */
  private static final int CONTESTED_SHOWN = 20;

  private final NodeConfig config;
  private final Clock clock;
  private final Instant startedAt;
  private final long bootId;
  private final String version = NodeVersion.get();
  /** What {@link #close} stops, last started first. */
  private final List<AutoCloseable> closeInReverse = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private boolean closing;
  /** Only a node that wrote the ready file removes it: a failed second start must not. */
  private volatile boolean wroteReadyFile;

  private NodeIdentity identity;
  private RecordStore store;
  private RecordService records;
  private ChangePublisher publisher;
  private QueryServer queryServer;
  private PeerView peers;
  private NodeTable nodeTable;
  private PeerNetwork peerNetwork;
  private RecordGossip gossip;
  private CatchUp catchUp;
  private ContestedNames contested;
  private Bootstrap bootstrap;
  /** Weights given to {@link #start(NodeConfig, Clock, TrustWeights)}, beside the web of trust. */
  private final TrustWeights givenTrust;
  private volatile WebOfTrust webOfTrust;
  /** Whom this node trusts: the larger of the given weight and the web of trust's. */
  private final TrustWeights trust;

  private Node(NodeConfig config, Clock clock, TrustWeights trust) {
    this.config = config;
    this.clock = clock;
    this.givenTrust = trust;
    // Read at every use: the record service needs it before the web of trust is opened.
    this.trust = nodeId -> {
      WebOfTrust web = webOfTrust;
      double given = givenTrust.weightOf(nodeId);
      return web == null ? given : Math.max(given, web.weightOf(nodeId));
    };
    this.startedAt = clock.instant();
    // Random per start: a front-end that sees it change knows it may have missed change notices.
    this.bootId = new SecureRandom().nextLong();
  }

  /**
   * Starts a node. Throws with a message for people when the data dir, the key, the database or
   * an endpoint cannot be used; whatever was already started is closed again.
   */
  public static Node start(NodeConfig config, Clock clock) throws IOException, StorageException {
    return start(config, clock, TrustWeights.none());
  }

  /**
   * As {@link #start(NodeConfig, Clock)}, with {@code trust} beside the web of trust (the larger
   * weight counts): it weighs peers' answers in a new node's vote, and a peer of trusted weight
   * can deliver the other half's owner of a name after a partition (docs/security.md).
   */
  public static Node start(NodeConfig config, Clock clock, TrustWeights trust)
      throws IOException, StorageException {
    Node node = new Node(config, clock, trust);
    try {
      node.startParts();
      return node;
    } catch (IOException | StorageException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private void startParts() throws IOException, StorageException {
    Path dataDir = config.dataDir();
    NodeIdentity.prepareDataDir(dataDir);
    closeInReverse.add(DataDirLock.acquire(dataDir));
    identity = NodeIdentity.loadOrCreate(dataDir);

    store = RecordStore.open(dataDir.resolve(RecordStore.FILE_NAME), clock);
    closeInReverse.add(store);

    ZContext context = new ZContext(1);
    closeInReverse.add(context::close);
    publisher = new ChangePublisher(context, config.feed());
    closeInReverse.add(publisher);

    RecordValidator validator = new RecordValidator(config.network(), clock);
    records = RecordService.start(store, validator, publisher, clock, trust);
    closeInReverse.add(records);

    startPeerNetwork(dataDir);

    QueryServer.Facts facts = new QueryServer.Facts(identity.nodeId(),
        config.network().encode(), bootId, publisher.endpoint(), version);
    queryServer = new QueryServer(context, config.control(), records, facts, this::statusFields,
        peers);
    // Closed after the record service: the writes it accepted finish first and their answers
    // are queued; the query server then sends them before it stops.
    closeInReverse.add(closeInReverse.indexOf(records), queryServer);

    if (config.readyFile().isPresent()) {
      writeReadyFile(config.readyFile().get());
      wroteReadyFile = true;
    }
    log.info("node {} started (version {}): control {}, change feed {}, data dir {}, {} records",
        identity.nodeId(), version, queryServer.endpoint(), publisher.endpoint(), dataDir,
        records.count());
  }

  /**
   * The peer-to-peer layer: its node table (in node.db, tables of its own), the TLS certificate
   * made from the node key, the listener and dialer, and record gossip both ways.
   */
  private void startPeerNetwork(Path dataDir) throws IOException {
    try {
      nodeTable = NodeTable.open(dataDir.resolve(RecordStore.FILE_NAME));
    } catch (SQLException e) {
      throw new IOException("cannot open the node table in " + dataDir.resolve(
          RecordStore.FILE_NAME) + ": " + e.getMessage(), e);
    }
    closeInReverse.add(nodeTable);
    List<DialTarget> bootstrap = new ArrayList<>();
    for (String peer : config.bootstrap()) {
      try {
        bootstrap.add(DialTarget.parse(peer));
      } catch (IllegalArgumentException e) {
        throw new IOException("node.bootstrap: " + e.getMessage(), e);
      }
    }
    PeerNetworkConfig peerConfig;
    try {
      peerConfig = PeerNetworkConfig.builder().listen(config.listen()).bootstrap(bootstrap)
          .softwareVersion("p2pdns " + version).build();
    } catch (IllegalArgumentException e) {
      throw new IOException("node.listen: " + e.getMessage(), e);
    }
    PeerIdentity peerIdentity = PeerIdentity.loadOrCreate(identity.key(),
        dataDir.resolve(PeerIdentity.CERT_FILE), clock);
    peerNetwork = new PeerNetwork(peerConfig, peerIdentity, config.network().networkId(),
        nodeTable, new DecayingPeerScore(clock), PeerMessageListener.NONE, clock);
    gossip = new RecordGossip(records, peerNetwork, config.gossip(), clock);
    peerNetwork.addListener(gossip);
    records.addListener(gossip);
    // Before the peer network's closer: stopped after it, so no peer writes to a closed store.
    EndorsementGossip endorsements = startWebOfTrust(dataDir);
    // A node with an empty store has no history to protect it: it takes its records by vote of
    // several peers (peer.Bootstrap), holding back what peers push until then.
    VoteTable voteTable;
    try {
      voteTable = VoteTable.open(dataDir.resolve(RecordStore.FILE_NAME));
      closeInReverse.add(voteTable);
      VoteTable.State state = voteTable.state();
      // A vote cut short by a restart runs again, even though some records are stored.
      boolean vote = config.bootstrapPeers() > 0 && (state == VoteTable.State.RUNNING
          || state == VoteTable.State.NONE && records.count() == 0);
      if (vote) {
        voteTable.setEnded(false);
      }
      contested = new ContestedNames(records, trust, voteTable, vote);
    } catch (SQLException e) {
      throw new IOException("cannot open the bootstrap vote's tables in " + dataDir.resolve(
          RecordStore.FILE_NAME) + ": " + e.getMessage(), e);
    }
    boolean vote = contested.bootstrapping();
    records.setGate(contested);
    catchUp = CatchUp.start(records, identity.nodeId(), vote, config.antiEntropyInterval(),
        contested::recheckAll);
    peerNetwork.addListener(catchUp);
    if (vote) {
      this.bootstrap = Bootstrap.start(records, contested, catchUp, trust, peerNetwork::nodes,
          config.bootstrapPeers(), config.bootstrapWait());
      peerNetwork.addListener(this.bootstrap);
    }
    closeInReverse.add(() -> {
      records.removeListener(gossip);
      peerNetwork.close();
      gossip.close();
      catchUp.close();
      if (this.bootstrap != null) {
        this.bootstrap.close();
      }
    });
    try {
      peerNetwork.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the peer listener", e);
    }
    ControlKey controlKey = ControlKey.loadOrCreate(dataDir);
    peers = new TrustingPeerView(new NetworkPeerView(peerNetwork, gossip, controlKey, clock),
        webOfTrust, endorsements, controlKey, new ControlGuard(clock));
  }

  /**
   * The web of trust: the operator's weights and the endorsements (tables of their own in
   * node.db), spread to peers with the node list; its weights are {@link #trust()}.
   */
  private EndorsementGossip startWebOfTrust(Path dataDir) throws IOException {
    TrustStore trustStore;
    try {
      trustStore = TrustStore.open(dataDir.resolve(RecordStore.FILE_NAME));
      closeInReverse.add(trustStore);
      webOfTrust = WebOfTrust.load(config.trustRoots(), trustStore, identity.key(),
          config.network().networkId(), clock);
    } catch (SQLException e) {
      throw new IOException("cannot open the trust tables in " + dataDir.resolve(
          RecordStore.FILE_NAME) + ": " + e.getMessage(), e);
    }
    EndorsementGossip endorsements = new EndorsementGossip(webOfTrust, peerNetwork, clock);
    peerNetwork.addListener(endorsements);
    closeInReverse.add(endorsements);
    return endorsements;
  }

  /** Writes the ready file atomically (temporary file, then rename), as the scripts expect. */
  private void writeReadyFile(Path file) throws IOException {
    String text = "pid=" + ProcessHandle.current().pid() + "\n"
        + "control=" + queryServer.endpoint() + "\n"
        + "feed=" + publisher.endpoint() + "\n"
        + "node-id=" + identity.nodeId() + "\n"
        + "peer=" + hostPort(peerNetwork.boundAddress()) + "\n";
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new IOException("cannot write the ready file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The Status lines that describe the node as a whole (the query server adds its own). */
  private List<NodeResponse.Field> statusFields() {
    List<NodeResponse.Field> f = new ArrayList<>();
    f.add(new NodeResponse.Field("node id", identity.nodeId()));
    f.add(new NodeResponse.Field("version", version));
    f.add(new NodeResponse.Field("network id",
        HexFormat.of().formatHex(config.network().networkId())));
    f.add(new NodeResponse.Field("network", "suffixes " + String.join(",",
        config.network().suffixes()) + "; proof of work " + config.network().powBits()
        + " bits; record lifetime " + config.network().recordLifetime().toDays() + " days"));
    f.add(new NodeResponse.Field("records held", Integer.toString(records.count())));
    if (bootstrap != null) {
      f.add(new NodeResponse.Field("bootstrap", bootstrap.summary()));
    }
    if (catchUp != null) {
      f.add(new NodeResponse.Field("catch-up", catchUp.summary()));
    }
    if (contested != null) {
      f.add(new NodeResponse.Field("contested names", contested.count() + " (settled later by "
          + "trusted peers: " + contested.settledLater() + ")"));
      contested.describeAll(CONTESTED_SHOWN).forEach((name, candidates) ->
          f.add(new NodeResponse.Field("contested " + name, candidates)));
    }
    f.add(new NodeResponse.Field("submissions", records.storedCount() + " stored, "
        + records.duplicateCount() + " duplicate, " + records.refusedCount() + " refused"));
    f.add(new NodeResponse.Field("refusals by reason", records.refusalsByReason()));
    f.add(new NodeResponse.Field("data dir", config.dataDir().toString()));
    f.add(new NodeResponse.Field("control endpoint", queryServer.endpoint()));
    f.add(new NodeResponse.Field("change feed", publisher.endpoint()));
    f.add(new NodeResponse.Field("started", startedAt.toString()));
    f.add(new NodeResponse.Field("uptime", formatUptime(Duration.between(startedAt,
        clock.instant()))));
    return f;
  }

  private static String formatUptime(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format("%dd %02dh %02dm %02ds", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
  }

  private static String hostPort(java.net.InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** The bootstrap of a node that started with an empty store; empty otherwise. */
  public Optional<Bootstrap> bootstrap() {
    return Optional.ofNullable(bootstrap);
  }

  /** The names this node's vote left contested, and the gate that holds them back. */
  public ContestedNames contested() {
    return contested;
  }

  /**
   * How much this node trusts other nodes (the operator's weights and what flows along
   * endorsements): what a vote among peers weighs their answers by.
   */
  public TrustWeights trust() {
    return trust;
  }

  /** The web of trust itself (operator weights, endorsements). */
  public WebOfTrust webOfTrust() {
    return webOfTrust;
  }

  /** The catch-up service (set reconciliation with each peer when a link comes up). */
  public CatchUp catchUp() {
    return catchUp;
  }

  /** Record gossip (the Plumtree over the peer links). */
  public RecordGossip gossip() {
    return gossip;
  }

  /** The peer network (the bound peer address, links, known nodes). */
  public PeerNetwork peerNetwork() {
    return peerNetwork;
  }

  public NodeConfig config() {
    return config;
  }

  public NodeIdentity identity() {
    return identity;
  }

  public RecordStore store() {
    return store;
  }

  public RecordService records() {
    return records;
  }

  /** The control endpoint really bound. */
  public String controlEndpoint() {
    return queryServer.endpoint();
  }

  /** The change feed endpoint really bound. */
  public String feedEndpoint() {
    return publisher.endpoint();
  }

  public long bootId() {
    return bootId;
  }

  /** Closes the node when the JVM is told to stop (SIGTERM, SIGINT): a graceful shutdown. */
  public void closeOnShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping (signal)");
      close();
    }, "node-shutdown"));
  }

  /** Blocks until {@link #close} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the parts: the record service (after writing what it accepted), the query server
   * (after sending the answers queued for it), the change feed, the sockets, the store; then
   * removes the ready file. Safe to call more than once.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      for (int i = closeInReverse.size() - 1; i >= 0; i--) {
        try {
          closeInReverse.get(i).close();
        } catch (Exception e) {
          log.error("error while stopping {}", closeInReverse.get(i), e);
        }
      }
      Optional<Path> ready = config.readyFile();
      if (ready.isPresent() && wroteReadyFile) {
        try {
          Files.deleteIfExists(ready.get());
        } catch (IOException e) {
          log.warn("cannot remove the ready file {}: {}", ready.get(), e.getMessage());
        }
      }
      if (identity != null) {
        log.info("node {} stopped", identity.nodeId());
      }
    } finally {
      closed.countDown();
    }
  }
}

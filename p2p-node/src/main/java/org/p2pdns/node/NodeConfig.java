package org.p2pdns.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.sync.GossipConfig;
import org.p2pdns.node.trust.TrustRoots;

/**
 * The node's settings, checked once at start ({@link #from}) and immutable afterwards; nothing
 * deeper in the node reads files, flags or the environment.
 *
 * @param dataDir where node.db, node.key and node.ready live (absolute)
 * @param listen the peer-to-peer listener's HOST:PORT (for the network layer)
 * @param control the JeroMQ endpoint of the query server
 * @param feed the JeroMQ endpoint of the change feed
 * @param bootstrap peers to join at start, {@code [ID@]HOST:PORT} (for the network layer)
 * @param network the network parameters (they form the network id)
 * @param readyFile where to write the ready file once started, if anywhere
 * @param config the whole configuration, for layers that add keys of their own
 */
public record NodeConfig(Path dataDir, String listen, String control, String feed,
    List<String> bootstrap, NetworkParams network, Optional<Path> readyFile, Config config) {

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):([0-9]{1,5})");
  private static final Pattern TCP_ENDPOINT =
      Pattern.compile("tcp://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(\\*|[0-9]{1,5})");

  public NodeConfig {
    bootstrap = List.copyOf(bootstrap);
    if (!dataDir.isAbsolute()) {
      throw new IllegalArgumentException("data dir must be absolute: " + dataDir);
    }
  }

  /**
   * Reads and checks the node's keys from {@code config}.
   *
   * @param home the user's home directory, for a data dir written as {@code ~/...}
   */
  public static NodeConfig from(Config config, Path home, Optional<Path> readyFile)
      throws ConfigException {
    String dataDirText = config.get(ConfigKeys.NODE_DATA_DIR).trim();
    if (dataDirText.isEmpty()) {
      throw new ConfigException(ConfigKeys.NODE_DATA_DIR.name() + ": must not be empty");
    }
    Path dataDir = config.getPath(ConfigKeys.NODE_DATA_DIR, home).toAbsolutePath().normalize();
    String listen = config.get(ConfigKeys.NODE_LISTEN).trim();
    checkHostPort(ConfigKeys.NODE_LISTEN.name(), listen, 0);
    String control = config.get(ConfigKeys.NODE_CONTROL).trim();
    checkEndpoint(ConfigKeys.NODE_CONTROL.name(), control);
    String feed = config.get(ConfigKeys.NODE_FEED).trim();
    checkEndpoint(ConfigKeys.NODE_FEED.name(), feed);
    if (control.equals(feed) && !control.endsWith(":*")) {
      throw new ConfigException(ConfigKeys.NODE_CONTROL.name() + " and "
          + ConfigKeys.NODE_FEED.name() + " are both " + control + "; they need two endpoints");
    }
    List<String> bootstrap = config.getList(ConfigKeys.NODE_BOOTSTRAP);
    for (String peer : bootstrap) {
      checkPeer(peer);
    }
    config.getInt(ConfigKeys.NODE_BOOTSTRAP_PEERS, 0, 64);
    config.getDuration(ConfigKeys.NODE_BOOTSTRAP_WAIT);
    config.getDuration(ConfigKeys.NODE_ANTI_ENTROPY);
    config.getInt(ConfigKeys.NODE_GOSSIP_MAX_EAGER, 1, 64);
    Duration graft = config.getDuration(ConfigKeys.NODE_GOSSIP_GRAFT_TIMEOUT);
    if (graft.toMillis() < 2 || graft.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigException(ConfigKeys.NODE_GOSSIP_GRAFT_TIMEOUT.name() + " is " + graft
          + "; it must be between 2 ms and 1 minute");
    }
    try {
      TrustRoots.parse(config.getList(ConfigKeys.NODE_TRUST));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ConfigKeys.NODE_TRUST.name() + ": " + e.getMessage());
    }
    NetworkParams network = NetworkParams.fromConfig(config);
    return new NodeConfig(dataDir, listen, control, feed, bootstrap, network,
        readyFile.map(p -> p.toAbsolutePath().normalize()), config);
  }

  /** Peers a node with an empty store waits for and takes its records from by vote; 0: none. */
  public int bootstrapPeers() {
    return checked(() -> config.getInt(ConfigKeys.NODE_BOOTSTRAP_PEERS, 0, 64));
  }

  /** How long a node with an empty store waits for {@link #bootstrapPeers} links. */
  public Duration bootstrapWait() {
    return checked(() -> config.getDuration(ConfigKeys.NODE_BOOTSTRAP_WAIT));
  }

  /** How often the node reconciles with a random linked peer; zero for never. */
  public Duration antiEntropyInterval() {
    return checked(() -> config.getDuration(ConfigKeys.NODE_ANTI_ENTROPY));
  }

  /**
   * The gossip tree's knobs (docs/protocol.md 3.8): the eager limit and graft timeout from the
   * configuration, the next announcer asked after half the graft timeout (Plumtree's shorter
   * second timer), and the router's other bounds as {@link GossipConfig#DEFAULT} has them.
   */
  public GossipConfig gossip() {
    return checked(() -> {
      Duration graft = config.getDuration(ConfigKeys.NODE_GOSSIP_GRAFT_TIMEOUT);
      GossipConfig d = GossipConfig.DEFAULT;
      return new GossipConfig(config.getInt(ConfigKeys.NODE_GOSSIP_MAX_EAGER, 1, 64),
          d.seenCapacity(), graft, graft.dividedBy(2), d.maxMissing(), d.shortcutHops());
    });
  }

  private interface ConfigRead<T> {
    T get() throws ConfigException;
  }

  /** A key {@link #from} has checked already. */
  private static <T> T checked(ConfigRead<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new IllegalStateException("checked in NodeConfig.from: " + e.getMessage(), e);
    }
  }

  /**
   * The operator's trust from {@code node.trust}: node id to weight in thousandths (checked by
   * {@link #from}).
   */
  public java.util.Map<String, Long> trustRoots() {
    return TrustRoots.parse(config.getList(ConfigKeys.NODE_TRUST));
  }

  private static void checkPeer(String peer) throws ConfigException {
    String key = ConfigKeys.NODE_BOOTSTRAP.name();
    String address = peer;
    int at = peer.indexOf('@');
    if (at >= 0) {
      String id = peer.substring(0, at);
      if (!NodeIds.isNodeId(id)) {
        throw new ConfigException(key + ": '" + id + "' in '" + peer + "' is not a node id (64 "
            + "lower-case hex digits)");
      }
      address = peer.substring(at + 1);
    }
    checkHostPort(key, address, 1);
  }

  private static void checkHostPort(String key, String value, int minPort)
      throws ConfigException {
    Matcher m = HOST_PORT.matcher(value);
    if (!m.matches()) {
      throw new ConfigException(key + ": '" + value + "' is not HOST:PORT");
    }
    checkPort(key, value, m.group(2), minPort);
  }

  private static void checkPort(String key, String value, String port, int minPort)
      throws ConfigException {
    int p = Integer.parseInt(port);
    if (p < minPort || p > 65535) {
      throw new ConfigException(key + ": port " + p + " in '" + value + "' is outside "
          + minPort + "..65535");
    }
  }

  private static void checkEndpoint(String key, String value) throws ConfigException {
    if (value.startsWith("inproc://") && value.length() > "inproc://".length()) {
      return;
    }
    Matcher m = TCP_ENDPOINT.matcher(value);
    if (!m.matches()) {
      throw new ConfigException(key + ": '" + value + "' is not a JeroMQ endpoint like "
          + "tcp://127.0.0.1:8002 (or tcp://127.0.0.1:* for any free port)");
    }
    if (!m.group(2).equals("*")) {
      checkPort(key, value, m.group(2), 1);
    }
  }
}

package org.p2pdns.common.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every configuration key of P2P-DNS, shared by the node, the front-end and the CLI. */
public final class ConfigKeys {
  private ConfigKeys() {}

  // The network parameters. Together they form the network id that peers compare.
  public static final ConfigKey NETWORK_SUFFIXES = new ConfigKey("network.suffixes", "p2p",
      "Comma-separated DNS suffixes under which the network's names live.");
  public static final ConfigKey NETWORK_POW_BITS = new ConfigKey("network.pow-bits", "24",
      "Leading zero bits of proof of work a new name needs (24 is about 2 s on one core).");
  public static final ConfigKey NETWORK_RECORD_LIFETIME = new ConfigKey(
      "network.record-lifetime", "365d", "Longest time from a record's issue to its expiry.");
  public static final ConfigKey NETWORK_MAX_RECORD_BYTES = new ConfigKey(
      "network.max-record-bytes", "8192", "Largest encoded signed record, in bytes.");
  public static final ConfigKey NETWORK_MAX_RRS = new ConfigKey("network.max-rrs", "256",
      "Most resource records one signed record may hold.");
  public static final ConfigKey NETWORK_CLOCK_SKEW = new ConfigKey("network.clock-skew", "2m",
      "How far a record's issue time may lie in the future of a node's clock. Also sets the claim "
      + "reveal delay (2 x skew + 10 s) and the contest window (2 x reveal delay + 60 s).");
  public static final ConfigKey NETWORK_GRACE_PERIOD = new ConfigKey("network.grace-period", "7d",
      "How long after expiry a name stays reserved for its owner's renewal (not served). Also "
      + "the transfer delay of names with a recovery key (at least the contest window).");

  // The node.
  public static final ConfigKey NODE_DATA_DIR = new ConfigKey("node.data-dir", "~/.p2pdns",
      "Directory of the node's database, keys, logs and pid files.");
  public static final ConfigKey NODE_LISTEN = new ConfigKey("node.listen", "0.0.0.0:8001",
      "Address and TCP port of the peer-to-peer TLS listener.");
  public static final ConfigKey NODE_CONTROL = new ConfigKey("node.control",
      "tcp://127.0.0.1:8002",
      "JeroMQ endpoint where the node answers the front-end and the CLI. Keep it on loopback.");
  public static final ConfigKey NODE_FEED = new ConfigKey("node.feed", "tcp://127.0.0.1:*",
      "JeroMQ endpoint where the node publishes changed names ('*' picks a free port; the "
          + "front-end learns it from the node).");
  public static final ConfigKey NODE_BOOTSTRAP = new ConfigKey("node.bootstrap", "",
      "Comma-separated peers to join at start: ID@HOST:PORT pins the node id, HOST:PORT does not.");
  public static final ConfigKey NODE_BOOTSTRAP_PEERS = new ConfigKey("node.bootstrap-peers", "3",
      "A node with an empty store takes each name's record by vote of this many peers (0: no "
          + "vote, take records from any peer as they come).");
  public static final ConfigKey NODE_BOOTSTRAP_WAIT = new ConfigKey("node.bootstrap-wait", "30s",
      "How long a node with an empty store waits for node.bootstrap-peers links before it votes "
          + "with the peers it has (and says so in its log).");
  public static final ConfigKey NODE_ANTI_ENTROPY = new ConfigKey("node.anti-entropy-interval",
      "60s", "How often the node reconciles its store with one linked peer chosen at random, to "
          + "repair what gossip lost (0: only when a link comes up).");
  public static final ConfigKey NODE_GOSSIP_MAX_EAGER = new ConfigKey("node.gossip-max-eager",
      "8", "Most peers the node pushes each new record to whole (the gossip tree's links); the "
          + "others get its digest and fetch it only if the tree fails them (1..64).");
  public static final ConfigKey NODE_GOSSIP_GRAFT_TIMEOUT = new ConfigKey(
      "node.gossip-graft-timeout", "400ms", "How long a record a peer announced may take to "
          + "arrive through the gossip tree before the node asks that peer for it; the next "
          + "announcer is asked after half this time.");
  public static final ConfigKey NODE_TRUST = new ConfigKey("node.trust", "",
      "Comma-separated NODEID=WEIGHT: the operator's trust in other nodes (p2pdns trust sets "
          + "more; weights from 0 to 1000000, up to 3 decimals).");

  // The DNS front-end.
  public static final ConfigKey FRONTEND_LISTEN = new ConfigKey("frontend.listen", "127.0.0.1:53",
      "Address and port of the DNS server (UDP and TCP). Loopback by default: an open resolver "
          + "on a public address is abused.");
  public static final ConfigKey FRONTEND_NODE = new ConfigKey("frontend.node",
      "tcp://127.0.0.1:8002", "The node's JeroMQ endpoint.");
  public static final ConfigKey FRONTEND_UPSTREAM = new ConfigKey("frontend.upstream", "",
      "Comma-separated HOST:PORT resolvers for names outside the network; empty takes the "
          + "nameservers of /etc/resolv.conf, never the front-end's own address.");
  public static final ConfigKey FRONTEND_NODE_TIMEOUT = new ConfigKey("frontend.node-timeout",
      "80ms", "How long a query waits for the node before the answer is SERVFAIL.");
  public static final ConfigKey FRONTEND_UPSTREAM_TIMEOUT = new ConfigKey(
      "frontend.upstream-timeout", "2s", "How long a forwarded query waits for an upstream.");
  public static final ConfigKey FRONTEND_CACHE_SIZE = new ConfigKey("frontend.cache-size",
      "100000", "Most answers the front-end keeps in its cache.");
  public static final ConfigKey FRONTEND_NEGATIVE_TTL = new ConfigKey("frontend.negative-ttl",
      "60", "Seconds: the SOA minimum, the TTL of NXDOMAIN and NODATA answers for network names.");
  public static final ConfigKey FRONTEND_MAX_TTL = new ConfigKey("frontend.max-ttl", "86400",
      "Seconds: the longest any answer is cached.");

  // The command line client.
  public static final ConfigKey CLI_NODE = new ConfigKey("cli.node", "tcp://127.0.0.1:8002",
      "The node endpoint the CLI talks to.");
  public static final ConfigKey CLI_KEY = new ConfigKey("cli.key", "~/.p2pdns/owner.key",
      "The owner key file the CLI signs with.");
  public static final ConfigKey CLI_TIMEOUT = new ConfigKey("cli.timeout", "5s",
      "How long the CLI waits for the node.");

  public static final List<ConfigKey> ALL = List.of(NETWORK_SUFFIXES, NETWORK_POW_BITS,
      NETWORK_RECORD_LIFETIME, NETWORK_MAX_RECORD_BYTES, NETWORK_MAX_RRS, NETWORK_CLOCK_SKEW,
      NETWORK_GRACE_PERIOD, NODE_DATA_DIR, NODE_LISTEN, NODE_CONTROL, NODE_FEED, NODE_BOOTSTRAP,
      NODE_BOOTSTRAP_PEERS, NODE_BOOTSTRAP_WAIT, NODE_ANTI_ENTROPY, NODE_GOSSIP_MAX_EAGER,
      NODE_GOSSIP_GRAFT_TIMEOUT, NODE_TRUST,
      FRONTEND_LISTEN, FRONTEND_NODE, FRONTEND_UPSTREAM, FRONTEND_NODE_TIMEOUT,
      FRONTEND_UPSTREAM_TIMEOUT, FRONTEND_CACHE_SIZE, FRONTEND_NEGATIVE_TTL, FRONTEND_MAX_TTL,
      CLI_NODE, CLI_KEY, CLI_TIMEOUT);

  private static final Map<String, ConfigKey> BY_NAME = new LinkedHashMap<>();

  static {
    for (ConfigKey k : ALL) {
      if (BY_NAME.put(k.name(), k) != null) {
        throw new ExceptionInInitializerError("duplicate key " + k.name());
      }
    }
  }

  public static Optional<ConfigKey> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}

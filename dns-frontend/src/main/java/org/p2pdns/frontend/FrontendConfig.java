package org.p2pdns.frontend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.config.ConfigException;
import org.p2pdns.common.config.ConfigKeys;
import org.p2pdns.common.network.NetworkParams;

/**
 * Everything the front-end is told, built and checked once in {@code main()}. The fields that have
 * no configuration key are fixed choices that tests may change.
 *
 * @param listen where the DNS server binds, UDP and TCP
 * @param node the node's JeroMQ endpoint
 * @param upstreams resolvers for names outside the network, in order of preference; may be empty
 * @param suffixes the network suffixes assumed until the node tells its own
 * @param nodeTimeout how long a query waits for the node
 * @param upstreamTimeout how long one attempt at one upstream waits
 * @param cacheSize most cached answers
 * @param negativeTtl SOA minimum and TTL of negative answers for network names, seconds
 * @param maxTtl longest any answer is cached, seconds
 * @param heartbeat how often the node is asked for its Info
 * @param maxUdpPayload the largest UDP answer we send (EDNS), whatever the client offers
 * @param tcpIdleTimeout a TCP connection idle this long is closed
 * @param tcpMaxConnections TCP connections beyond this are closed at once
 * @param delegatedServerPort the port of name servers that NS records in the network delegate to
 *     (53; tests point it at a test server)
 * @param udpThreads UDP sockets (and event-loop threads) with SO_REUSEPORT; 0 for one per core
 */
public record FrontendConfig(
    InetSocketAddress listen,
    String node,
    List<InetSocketAddress> upstreams,
    List<String> suffixes,
    Duration nodeTimeout,
    Duration upstreamTimeout,
    int cacheSize,
    int negativeTtl,
    int maxTtl,
    Duration heartbeat,
    int maxUdpPayload,
    Duration tcpIdleTimeout,
    int tcpMaxConnections,
    int delegatedServerPort,
    int udpThreads) {

  public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  public FrontendConfig {
    upstreams = List.copyOf(upstreams);
    suffixes = List.copyOf(suffixes);
    if (maxUdpPayload < 512 || maxUdpPayload > 65535) {
      throw new IllegalArgumentException("max UDP payload between 512 and 65535");
    }
  }

  /**
   * Reads the front-end's keys of {@code config}. With no upstream configured, takes the
   * nameservers of {@code resolvConf}, without the front-end's own address.
   */
  public static FrontendConfig fromConfig(Config config, Path resolvConf) throws ConfigException {
    InetSocketAddress listen = parseHostPort(config.get(ConfigKeys.FRONTEND_LISTEN), 53,
        ConfigKeys.FRONTEND_LISTEN.name());
    String node = config.get(ConfigKeys.FRONTEND_NODE).trim();
    if (node.isEmpty()) {
      throw new ConfigException(ConfigKeys.FRONTEND_NODE.name() + ": empty endpoint");
    }
    List<InetSocketAddress> upstreams = new ArrayList<>();
    for (String s : config.getList(ConfigKeys.FRONTEND_UPSTREAM)) {
      upstreams.add(parseHostPort(s, 53, ConfigKeys.FRONTEND_UPSTREAM.name()));
    }
    if (upstreams.isEmpty()) {
      upstreams = systemUpstreams(resolvConf, listen);
    }
    NetworkParams params = NetworkParams.fromConfig(config);
    Duration nodeTimeout = config.getDuration(ConfigKeys.FRONTEND_NODE_TIMEOUT);
    Duration upstreamTimeout = config.getDuration(ConfigKeys.FRONTEND_UPSTREAM_TIMEOUT);
    if (nodeTimeout.isZero() || upstreamTimeout.isZero()) {
      throw new ConfigException("frontend.node-timeout and frontend.upstream-timeout must be "
          + "more than 0");
    }
    return new FrontendConfig(listen, node, upstreams, params.suffixes(), nodeTimeout,
        upstreamTimeout,
        config.getInt(ConfigKeys.FRONTEND_CACHE_SIZE, 0, 100_000_000),
        config.getInt(ConfigKeys.FRONTEND_NEGATIVE_TTL, 0, 86_400),
        config.getInt(ConfigKeys.FRONTEND_MAX_TTL, 0, 7 * 86_400),
        Duration.ofSeconds(1), 1232, Duration.ofSeconds(10), 1000, 53, 0);
  }

  public FrontendConfig withDelegatedServerPort(int port) {
    return new FrontendConfig(listen, node, upstreams, suffixes, nodeTimeout, upstreamTimeout,
        cacheSize, negativeTtl, maxTtl, heartbeat, maxUdpPayload, tcpIdleTimeout,
        tcpMaxConnections, port, udpThreads);
  }

  public FrontendConfig withHeartbeat(Duration every) {
    return new FrontendConfig(listen, node, upstreams, suffixes, nodeTimeout, upstreamTimeout,
        cacheSize, negativeTtl, maxTtl, every, maxUdpPayload, tcpIdleTimeout, tcpMaxConnections,
        delegatedServerPort, udpThreads);
  }

  public FrontendConfig withTcpLimits(Duration idle, int maxConnections) {
    return new FrontendConfig(listen, node, upstreams, suffixes, nodeTimeout, upstreamTimeout,
        cacheSize, negativeTtl, maxTtl, heartbeat, maxUdpPayload, idle, maxConnections,
        delegatedServerPort, udpThreads);
  }

  /** {@code HOST:PORT}, {@code [V6]:PORT}, or a bare host with {@code defaultPort}. */
  static InetSocketAddress parseHostPort(String text, int defaultPort, String what)
      throws ConfigException {
    String t = text.trim();
    String host;
    String port = null;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new ConfigException(what + ": '" + text + "' lacks ']'");
      }
      host = t.substring(1, close);
      if (t.length() > close + 1) {
        if (t.charAt(close + 1) != ':') {
          throw new ConfigException(what + ": '" + text + "' is not [ADDRESS]:PORT");
        }
        port = t.substring(close + 2);
      }
    } else if (t.indexOf(':') != t.lastIndexOf(':')) {
      host = t; // a bare IPv6 address
    } else {
      int colon = t.indexOf(':');
      host = colon < 0 ? t : t.substring(0, colon);
      port = colon < 0 ? null : t.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new ConfigException(what + ": '" + text + "' has no host");
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new ConfigException(what + ": '" + port + "' in '" + text + "' is not a port");
      }
      if (p < 0 || p > 65535) {
        throw new ConfigException(what + ": port " + p + " outside 0..65535");
      }
    }
    try {
      // Literal addresses only: a front-end must not depend on DNS to find its own resolvers.
      if (!host.matches("[0-9.]+|[0-9a-fA-F:.]+") || host.equals(".")) {
        if (!host.equals("localhost")) {
          throw new ConfigException(what + ": '" + host + "' is not an IP address");
        }
      }
      return new InetSocketAddress(InetAddress.getByName(host), p);
    } catch (UnknownHostException e) {
      throw new ConfigException(what + ": '" + host + "' is not an IP address");
    }
  }

  /**
   * The nameservers of resolv.conf on port 53, except any that would be the front-end itself:
   * its own address, or any local address when it listens on the wildcard address.
   */
  static List<InetSocketAddress> systemUpstreams(Path resolvConf, InetSocketAddress listen) {
    List<String> lines;
    try {
      lines = Files.readAllLines(resolvConf, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      return List.of();
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (!line.startsWith("nameserver")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length < 2) {
        continue;
      }
      String addr = parts[1];
      int zone = addr.indexOf('%');
      if (zone >= 0) {
        addr = addr.substring(0, zone);
      }
      InetAddress a;
      try {
        a = InetAddress.getByName(addr);
      } catch (UnknownHostException e) {
        continue;
      }
      InetSocketAddress candidate = new InetSocketAddress(a, 53);
      if (!pointsAtSelf(candidate, listen)) {
        out.add(candidate);
      }
    }
    return out;
  }

  static boolean pointsAtSelf(InetSocketAddress upstream, InetSocketAddress listen) {
    if (upstream.getPort() != listen.getPort()) {
      return false;
    }
    InetAddress l = listen.getAddress();
    InetAddress u = upstream.getAddress();
    if (l.isAnyLocalAddress()) {
      return u.isLoopbackAddress() || u.isAnyLocalAddress() || isLocalInterface(u);
    }
    return l.equals(u);
  }

  private static boolean isLocalInterface(InetAddress a) {
    try {
      return java.net.NetworkInterface.getByInetAddress(a) != null;
    } catch (java.net.SocketException e) {
      return false;
    }
  }
}

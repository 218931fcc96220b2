package org.p2pdns.node.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerAddress;

/**
 * Settings of the peer network, immutable and checked once when built (in {@code main}). The
 * defaults are the documented limits of docs/protocol.md, part 3.
 *
 * @param listenHost address to bind ("0.0.0.0" for every interface)
 * @param listenPort TCP port; 0 picks a free one (read it back from {@link PeerNetwork#boundAddress})
 * @param advertise addresses this node announces; empty announces the listen address (with the
 *     bound port), or the source placeholder when it binds a wildcard address
 * @param bootstrap peers dialed at start until one answers
 * @param maxLinks most links at once, both directions
 * @param handshakeTimeout TCP accept or connect to HELLO_ACK in both directions
 * @param pingInterval a PING is sent after this long without sending anything
 * @param idleTimeout a link that received nothing for this long is closed
 * @param slowPeerTimeout a link whose outbound queue stays full this long is closed
 * @param writeBufferLow outbound bytes below which a link is writable again
 * @param writeBufferHigh outbound bytes above which a link is not writable (gossip is dropped)
 * @param maxPendingBytes outbound bytes above which a link is closed at once
 * @param reconnectBase first back-off after a failed dial or a lost link
 * @param reconnectMax longest back-off
 * @param unreachableAfter consecutive failed dials after which a node shows as unreachable
 * @param maintenanceInterval how often dials and back-offs are looked at
 * @param softwareVersion text sent in HELLO, for people
 * @param ioThreads Netty event loop threads
 * @param maxKnownNodes most nodes kept in the node table (announcements are free to make)
 * @param protocolVersion the peer protocol version stated in HELLO: {@link
 *     PeerMessageCodec#PROTOCOL_VERSION}; another value only to see how peers meet a node of
 *     another version (the frames are still this version's)
 */
public record PeerNetworkConfig(
    String listenHost,
    int listenPort,
    List<PeerAddress> advertise,
    List<DialTarget> bootstrap,
    int maxLinks,
    Duration handshakeTimeout,
    Duration pingInterval,
    Duration idleTimeout,
    Duration slowPeerTimeout,
    int writeBufferLow,
    int writeBufferHigh,
    int maxPendingBytes,
    Duration reconnectBase,
    Duration reconnectMax,
    int unreachableAfter,
    Duration maintenanceInterval,
    String softwareVersion,
    int ioThreads,
    int maxKnownNodes,
    int protocolVersion) {

  public PeerNetworkConfig {
    Objects.requireNonNull(listenHost, "listenHost");
    advertise = List.copyOf(advertise);
    bootstrap = List.copyOf(bootstrap);
    require(listenPort >= 0 && listenPort <= 65535, "listen port " + listenPort
        + " outside 0..65535");
    require(advertise.size() <= org.p2pdns.common.peer.NodeAnnouncement.MAX_ADDRESSES,
        "at most " + org.p2pdns.common.peer.NodeAnnouncement.MAX_ADDRESSES + " advertised addresses");
    require(maxLinks >= 1 && maxLinks <= 10_000, "max links between 1 and 10000");
    positive(handshakeTimeout, "handshake timeout");
    positive(pingInterval, "ping interval");
    require(idleTimeout.compareTo(pingInterval.multipliedBy(2)) >= 0,
        "idle timeout must be at least twice the ping interval");
    positive(slowPeerTimeout, "slow peer timeout");
    require(writeBufferLow > 0 && writeBufferLow < writeBufferHigh,
        "write buffer low mark must be positive and below the high mark");
    require(maxPendingBytes > writeBufferHigh, "max pending bytes must exceed the high mark");
    positive(reconnectBase, "reconnect base");
    require(reconnectMax.compareTo(reconnectBase) >= 0, "reconnect max below reconnect base");
    require(unreachableAfter >= 1, "unreachable after at least 1 failure");
    positive(maintenanceInterval, "maintenance interval");
    require(ioThreads >= 1 && ioThreads <= 64, "io threads between 1 and 64");
    require(maxKnownNodes >= maxLinks, "max known nodes at least max links");
    require(protocolVersion >= 0 && protocolVersion <= 255, "protocol version is a u8");
    softwareVersion = Objects.requireNonNull(softwareVersion);
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static void positive(Duration d, String what) {
    require(!d.isNegative() && !d.isZero(), what + " must be positive");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts from the documented defaults. */
  public static final class Builder {
    private String listenHost = "0.0.0.0";
    private int listenPort = 8001;
    private List<PeerAddress> advertise = List.of();
    private List<DialTarget> bootstrap = List.of();
    private int maxLinks = 64;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration pingInterval = Duration.ofSeconds(15);
    private Duration idleTimeout = Duration.ofSeconds(45);
    private Duration slowPeerTimeout = Duration.ofSeconds(30);
    private int writeBufferLow = 512 * 1024;
    private int writeBufferHigh = 2 * 1024 * 1024;
    private int maxPendingBytes = 8 * 1024 * 1024;
    private Duration reconnectBase = Duration.ofSeconds(1);
    private Duration reconnectMax = Duration.ofMinutes(10);
    private int unreachableAfter = 5;
    private Duration maintenanceInterval = Duration.ofMillis(500);
    private String softwareVersion = "p2pdns";
    private int ioThreads = 2;
    private int maxKnownNodes = 10_000;
    private int protocolVersion = PeerMessageCodec.PROTOCOL_VERSION;

    private Builder() {}

    public Builder listen(String host, int port) {
      this.listenHost = host;
      this.listenPort = port;
      return this;
    }

    /** {@code HOST:PORT} or {@code [IPV6]:PORT}, as {@code --listen} takes it; port 0 is allowed. */
    public Builder listen(String hostPort) {
      String t = hostPort.trim();
      int colon = t.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("listen address '" + hostPort + "' is not HOST:PORT");
      }
      String host = t.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(t.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("listen address '" + hostPort + "': bad port");
      }
      return listen(host, port);
    }

    public Builder advertise(List<PeerAddress> addresses) {
      this.advertise = new ArrayList<>(addresses);
      return this;
    }

    public Builder bootstrap(List<DialTarget> targets) {
      this.bootstrap = new ArrayList<>(targets);
      return this;
    }

    public Builder maxLinks(int n) {
      this.maxLinks = n;
      return this;
    }

    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = d;
      return this;
    }

    public Builder keepAlive(Duration ping, Duration idle) {
      this.pingInterval = ping;
      this.idleTimeout = idle;
      return this;
    }

    public Builder slowPeerTimeout(Duration d) {
      this.slowPeerTimeout = d;
      return this;
    }

    public Builder writeBuffer(int low, int high, int maxPending) {
      this.writeBufferLow = low;
      this.writeBufferHigh = high;
      this.maxPendingBytes = maxPending;
      return this;
    }

    public Builder reconnect(Duration base, Duration max, int unreachableAfterFailures) {
      this.reconnectBase = base;
      this.reconnectMax = max;
      this.unreachableAfter = unreachableAfterFailures;
      return this;
    }

    public Builder maintenanceInterval(Duration d) {
      this.maintenanceInterval = d;
      return this;
    }

    public Builder softwareVersion(String v) {
      this.softwareVersion = v;
      return this;
    }

    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    public Builder maxKnownNodes(int n) {
      this.maxKnownNodes = n;
      return this;
    }

    public Builder protocolVersion(int v) {
      this.protocolVersion = v;
      return this;
    }

    public PeerNetworkConfig build() {
      return new PeerNetworkConfig(listenHost, listenPort, advertise, bootstrap, maxLinks,
          handshakeTimeout, pingInterval, idleTimeout, slowPeerTimeout, writeBufferLow,
          writeBufferHigh, maxPendingBytes, reconnectBase, reconnectMax, unreachableAfter,
          maintenanceInterval, softwareVersion, ioThreads, maxKnownNodes, protocolVersion);
    }
  }
}

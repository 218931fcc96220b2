package org.p2pdns.frontend.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.p2pdns.frontend.FrontendConfig;
import org.p2pdns.frontend.resolve.DnsResponder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS server's sockets: UDP and TCP on one address and port. With Linux's native epoll
 * transport, one UDP socket per core shares the port through SO_REUSEPORT, so the kernel spreads
 * queries over the cores; elsewhere one NIO socket. Every UDP socket asks for a large receive
 * buffer: at high rates the kernel otherwise drops queries (NSD's lesson). A port it cannot bind
 * is an error, never a reason to pick another.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
  private static final int RECEIVE_BUFFER = 4 << 20;
  /** Queries larger than this are not DNS queries anyone sends over UDP. */
  private static final int MAX_UDP_QUERY = 4096;

  private final EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();
  private final InetSocketAddress bound;
  private final boolean nativeTransport;

  private DnsServer(EventLoopGroup group, InetSocketAddress bound, boolean nativeTransport) {
    this.group = group;
    this.bound = bound;
    this.nativeTransport = nativeTransport;
  }

  /** Binds UDP and TCP on {@code config.listen()}; fails with a clear message if it cannot. */
  public static DnsServer start(FrontendConfig config, DnsResponder responder)
      throws BindFailure {
    boolean epoll = Epoll.isAvailable();
    int cores = Runtime.getRuntime().availableProcessors();
    int udpSockets = epoll ? (config.udpThreads() > 0 ? config.udpThreads() : cores) : 1;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.max(udpSockets, cores),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    InetSocketAddress wanted = config.listen();
    DnsServer server = null;
    try {
      UdpQueryHandler udpHandler = new UdpQueryHandler(responder);
      Bootstrap udp = new Bootstrap().group(group)
          .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
          .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
          .option(ChannelOption.SO_SNDBUF, RECEIVE_BUFFER)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_QUERY))
          .handler(udpHandler);
      if (epoll) {
        udp.option(EpollChannelOption.SO_REUSEPORT, true);
      }
      Channel first = bind(udp, wanted, "UDP");
      InetSocketAddress actual = (InetSocketAddress) first.localAddress();
      server = new DnsServer(group, actual, epoll);
      server.channels.add(first);
      for (int i = 1; i < udpSockets; i++) {
        server.channels.add(bind(udp, actual, "UDP"));
      }

      ConnectionLimit limit = new ConnectionLimit(config.tcpMaxConnections());
      long idleMs = config.tcpIdleTimeout().toMillis();
      ServerBootstrap tcp = new ServerBootstrap().group(group)
          .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline()
                  .addLast("limit", limit)
                  .addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS))
                  .addLast("frame", new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2))
                  .addLast("length", new LengthFieldPrepender(2))
                  .addLast("query", new TcpQueryHandler(responder));
            }
          });
      server.channels.add(bindTcp(tcp, actual));
      log.info("DNS on {} (UDP x{} and TCP, {} transport)", hostPort(actual), udpSockets,
          epoll ? "epoll" : "NIO");
      return server;
    } catch (BindFailure | RuntimeException e) {
      if (server != null) {
        server.close();
      } else {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      throw e;
    }
  }

  private static Channel bind(Bootstrap b, InetSocketAddress address, String proto)
      throws BindFailure {
    try {
      return b.bind(address).sync().channel();
    } catch (Exception e) {
      throw BindFailure.of(proto, address, e);
    }
  }

  private static Channel bindTcp(ServerBootstrap b, InetSocketAddress address)
      throws BindFailure {
    try {
      return b.bind(address).sync().channel();
    } catch (Exception e) {
      throw BindFailure.of("TCP", address, e);
    }
  }

  /** The address the server listens on, with the real port when configured with port 0. */
  public InetSocketAddress address() {
    return bound;
  }

  public boolean nativeTransport() {
    return nativeTransport;
  }

  public static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public void close() {
    for (Channel c : channels) {
      c.close().awaitUninterruptibly(2000);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3000);
  }

  /** A port that cannot be bound, explained for the operator. */
  public static final class BindFailure extends Exception {
    private static final long serialVersionUID = 1L;

    BindFailure(String message, Throwable cause) {
      super(message, cause);
    }

    static BindFailure of(String proto, InetSocketAddress address, Exception e) {
      Throwable cause = e;
      String where = proto + " " + hostPort(address);
      String why = String.valueOf(cause.getMessage());
      if (address.getPort() > 0 && address.getPort() < 1024
          && why.toLowerCase(java.util.Locale.ROOT).contains("permission")) {
        return new BindFailure("cannot listen on " + where + ": ports below 1024 need root or "
            + "the CAP_NET_BIND_SERVICE capability (for example: sudo setcap "
            + "cap_net_bind_service=+ep $(readlink -f $(which java))), or choose another port "
            + "with --listen", e);
      }
      if (cause instanceof BindException || why.contains("in use")) {
        return new BindFailure("cannot listen on " + where + ": the address is in use "
            + "(another DNS server running?); choose another with --listen", e);
      }
      if (cause instanceof SocketException || cause instanceof java.io.IOException) {
        return new BindFailure("cannot listen on " + where + ": " + why, e);
      }
      return new BindFailure("cannot listen on " + where + ": " + cause, e);
    }
  }
}

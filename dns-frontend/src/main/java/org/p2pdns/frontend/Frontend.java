package org.p2pdns.frontend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import org.p2pdns.frontend.cache.AnswerCache;
import org.p2pdns.frontend.node.NodeLink;
import org.p2pdns.frontend.resolve.DnsResponder;
import org.p2pdns.frontend.server.DnsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running front-end: the cache, the link to the node, the resolver and the DNS sockets, put
 * together in that order and taken apart in the reverse one.
 */
public final class Frontend implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Frontend.class);
  /** How long start() waits for the node's first answer before serving without it. */
  private static final Duration NODE_WAIT = Duration.ofSeconds(2);

  private final NodeLink node;
  private final DnsServer server;
  private final AnswerCache cache;
  private final Path readyFile;

  private Frontend(NodeLink node, DnsServer server, AnswerCache cache, Path readyFile) {
    this.node = node;
    this.server = server;
    this.cache = cache;
    this.readyFile = readyFile;
  }

  /**
   * Starts everything; writes {@code readyFile} (may be null) once the sockets are bound.
   *
   * @throws DnsServer.BindFailure when the DNS address cannot be bound
   */
  public static Frontend start(FrontendConfig config, Clock clock, Path readyFile)
      throws DnsServer.BindFailure, IOException {
    if (config.upstreams().isEmpty()) {
      log.warn("no upstream resolver: frontend.upstream is empty and /etc/resolv.conf names none "
          + "other than this front-end; names outside the network will get SERVFAIL");
    } else {
      log.info("upstream resolvers: {}", config.upstreams());
    }
    AnswerCache cache = new AnswerCache(config.cacheSize(), clock);
    NodeLink node = new NodeLink(config, cache);
    DnsServer server = null;
    try {
      DnsResponder responder = new DnsResponder(config, cache, node, clock);
      server = DnsServer.start(config, responder);
      if (!node.awaitNode(NODE_WAIT)) {
        log.warn("the node at {} does not answer yet: network names get SERVFAIL until it does",
            config.node());
      }
      Frontend f = new Frontend(node, server, cache, readyFile);
      if (readyFile != null) {
        writeReadyFile(readyFile, server.address());
      }
      return f;
    } catch (DnsServer.BindFailure | IOException | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      node.close();
      throw e;
    }
  }

  public InetSocketAddress dnsAddress() {
    return server.address();
  }

  public NodeLink node() {
    return node;
  }

  public AnswerCache cache() {
    return cache;
  }

  /** {@code pid=} and {@code dns=HOST:PORT}, written to a temporary file and renamed. */
  static void writeReadyFile(Path file, InetSocketAddress dns) throws IOException {
    String text = "pid=" + ProcessHandle.current().pid() + "\n" + "dns="
        + DnsServer.hostPort(dns) + "\n";
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public void close() {
    if (readyFile != null) {
      try {
        Files.deleteIfExists(readyFile);
      } catch (IOException e) {
        log.warn("cannot delete the ready file {}: {}", readyFile, e.toString());
      }
    }
    server.close();
    node.close();
  }
}

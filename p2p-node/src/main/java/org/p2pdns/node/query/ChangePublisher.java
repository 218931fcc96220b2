package org.p2pdns.node.query;

import java.io.IOException;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.node.records.ChangeFeed;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The node's change feed: a PUB socket at {@code node.feed} carrying one {@link ChangeNotice} per
 * stored change, so front-ends drop the name from their caches at once. A subscriber that is slow
 * or away loses notices (PUB drops at its high-water mark); the boot id in Info tells front-ends
 * when to distrust their whole cache.
 */
public final class ChangePublisher implements ChangeFeed, AutoCloseable {
  private final ZContext context;
  private final ZMQ.Socket socket;
  private final String endpoint;
  private boolean closed;

  public ChangePublisher(ZContext context, String endpoint) throws IOException {
    this.context = context;
    this.socket = context.createSocket(SocketType.PUB);
    socket.setLinger(0);
    socket.setSndHWM(100_000);
    try {
      this.endpoint = Endpoints.bind(socket, endpoint, "change feed");
    } catch (IOException e) {
      context.destroySocket(socket);
      throw e;
    }
  }

  /** The endpoint really bound (the port filled in). */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Sends the notice to every subscriber; never blocks. Synchronized because the socket may only
   * be used by one thread at a time (and the lock publishes its state between threads).
   */
  @Override
  public synchronized void publish(ChangeNotice notice) {
    if (!closed) {
      socket.send(notice.encode(), ZMQ.DONTWAIT);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      context.destroySocket(socket);
    }
  }
}

package org.p2pdns.frontend.node;

import java.util.function.Consumer;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Listens to the node's change feed (a JeroMQ SUB socket on its own thread) and hands each
 * {@link ChangeNotice} to a consumer. {@link #follow} switches to another endpoint (the node
 * restarted, or moved its feed).
 */
final class ChangeFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  private static final int POLL_MS = 50;

  private final Consumer<ChangeNotice> onNotice;
  private final ZContext context = new ZContext(1);
  private final Thread thread;
  private volatile String wanted;
  private volatile boolean closed;

  ChangeFeed(Consumer<ChangeNotice> onNotice) {
    this.onNotice = onNotice;
    context.setLinger(0);
    thread = new Thread(this::run, "node-change-feed");
    thread.setDaemon(true);
    thread.start();
  }

  /** Subscribes to {@code endpoint} from now on (idempotent). */
  void follow(String endpoint) {
    wanted = endpoint;
  }

  private void run() {
    String current = null;
    ZMQ.Socket sub = null;
    try {
      while (!closed) {
        String w = wanted;
        if (w != null && !w.equals(current)) {
          if (sub != null) {
            context.destroySocket(sub);
          }
          sub = context.createSocket(SocketType.SUB);
          sub.setLinger(0);
          sub.setReceiveTimeOut(POLL_MS);
          sub.setReconnectIVL(50);
          sub.setReconnectIVLMax(500);
          sub.subscribe(new byte[0]);
          try {
            sub.connect(w);
            log.debug("following the node's change feed at {}", w);
          } catch (RuntimeException e) {
            log.warn("cannot follow the node's change feed at {}: {}", w, e.toString());
          }
          current = w;
        }
        if (sub == null) {
          Thread.sleep(POLL_MS);
          continue;
        }
        byte[] frame = sub.recv(0);
        if (frame == null) {
          continue;
        }
        while (sub.hasReceiveMore()) {
          byte[] more = sub.recv(0);
          if (more != null && more.length > 0) {
            frame = more;
          }
        }
        try {
          onNotice.accept(ChangeNotice.decode(frame));
        } catch (MalformedException e) {
          log.debug("ignoring an unreadable change notice ({} bytes): {}", frame.length,
              e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!closed) {
        log.error("the change feed listener failed", e);
      }
    } finally {
      context.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.p2pdns.bench.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Subscribes to every node's change feed (one JeroMQ SUB socket per node, all polled by one
 * thread) and reports each notice to a {@link PropagationTracker} with the time it was read.
 * {@link #awaitConnected} waits until every subscription has finished its ZMTP handshake: a PUB
 * socket drops what it publishes before then (and JeroMQ was seen to leave a fresh loopback
 * handshake hanging, hence the short handshake limit, as the front-end's feed listener has).
 */
final class ChangeFeeds implements AutoCloseable {
  private static final int POLL_MS = 20;

  private final ZContext context = new ZContext(1);
  private final List<ZMQ.Socket> sockets = new ArrayList<>();
  private final CountDownLatch[] connected;
  private final PropagationTracker tracker;
  private final AtomicLong unreadable = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  /** @param endpoints node i's feed endpoint at index i (as the tracker numbers nodes) */
  ChangeFeeds(List<String> endpoints, PropagationTracker tracker) {
    if (endpoints.size() != tracker.nodes()) {
      throw new IllegalArgumentException(endpoints.size() + " feeds for " + tracker.nodes()
          + " nodes");
    }
    this.tracker = tracker;
    context.setLinger(0);
    connected = new CountDownLatch[endpoints.size()];
    for (int i = 0; i < endpoints.size(); i++) {
      CountDownLatch latch = new CountDownLatch(1);
      connected[i] = latch;
      ZMQ.Socket sub = context.createSocket(SocketType.SUB);
      sub.setLinger(0);
      sub.setRcvHWM(100_000);
      sub.setReconnectIVL(50);
      sub.setReconnectIVLMax(500);
      sub.setHandshakeIvl(1000);
      sub.subscribe(new byte[0]);
      sub.setEventHook(event -> latch.countDown(), ZMQ.EVENT_HANDSHAKE_PROTOCOL);
      sub.connect(endpoints.get(i));
      sockets.add(sub);
    }
    // The sockets are handed to the polling thread here; Thread.start() publishes them safely.
    thread = new Thread(this::run, "change-feeds");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits until every subscription is connected; returns the nodes still unconnected. */
  List<Integer> awaitConnected(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < connected.length; i++) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!connected[i].await(left, TimeUnit.NANOSECONDS)) {
        missing.add(i);
      }
    }
    return missing;
  }

  /** Frames that did not decode as change notices. */
  long unreadable() {
    return unreadable.get();
  }

  private void run() {
    ZMQ.Poller poller = context.createPoller(sockets.size());
    for (ZMQ.Socket s : sockets) {
      poller.register(s, ZMQ.Poller.POLLIN);
    }
    try {
      while (!closed) {
        if (poller.poll(POLL_MS) <= 0) {
          continue;
        }
        for (int i = 0; i < sockets.size(); i++) {
          if (!poller.pollin(i)) {
            continue;
          }
          ZMQ.Socket s = sockets.get(i);
          byte[] frame;
          while ((frame = s.recv(ZMQ.DONTWAIT)) != null) {
            long at = System.nanoTime();
            try {
              ChangeNotice n = ChangeNotice.decode(frame);
              tracker.seen(i, n.name(), n.serial(), at);
            } catch (MalformedException e) {
              unreadable.incrementAndGet();
            }
          }
        }
      }
    } catch (RuntimeException e) {
      if (!closed) {
        System.err.println("the change feed listener failed: " + e);
        e.printStackTrace();
      }
    } finally {
      poller.close();
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
    context.close();
  }
}

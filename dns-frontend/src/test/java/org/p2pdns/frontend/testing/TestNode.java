package org.p2pdns.frontend.testing;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A node as the front-end sees it: a real JeroMQ ROUTER that speaks the node query protocol and a
 * PUB change feed, serving real signed records. It can be stopped and started again on the same
 * ports (a node restart), or muted (a hung node that accepts but never answers).
 */
public final class TestNode implements AutoCloseable {
  private record Entry(LookupStatus status, SignedRecord record, String detail) {}

  private final NetworkParams params;
  private final Map<String, Entry> names = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
  private final Queue<ChangeNotice> toPublish = new ConcurrentLinkedQueue<>();
  private volatile boolean mute;
  private volatile boolean running;
  private volatile long bootId = 1;
  private int controlPort;
  private int feedPort;
  private Thread thread;

  public TestNode(NetworkParams params) throws InterruptedException {
    this.params = params;
    start();
  }

  public String endpoint() {
    return "tcp://127.0.0.1:" + controlPort;
  }

  public void put(SignedRecord record) {
    names.put(record.name(), new Entry(LookupStatus.FOUND, record, ""));
  }

  public void setStatus(String name, LookupStatus status, String detail) {
    names.put(name, new Entry(status, null, detail));
  }

  /** Publishes a change notice for {@code name} on the feed. */
  public void notifyChange(String name, long serial) {
    toPublish.add(new ChangeNotice(name, serial));
  }

  public int lookups(String name) {
    AtomicInteger n = lookups.get(name);
    return n == null ? 0 : n.get();
  }

  public int totalLookups() {
    return lookups.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  public void setMute(boolean mute) {
    this.mute = mute;
  }

  /** Starts (again) on the same ports as before, the first time on free ones. */
  public synchronized void start() throws InterruptedException {
    if (running) {
      return;
    }
    CountDownLatch bound = new CountDownLatch(1);
    running = true;
    thread = new Thread(() -> serve(bound), "test-node");
    thread.setDaemon(true);
    thread.start();
    if (!bound.await(5, TimeUnit.SECONDS)) {
      throw new IllegalStateException("test node did not bind");
    }
  }

  /** Starts again as a new process would: with another boot id. */
  public synchronized void restartAsNewProcess() throws InterruptedException {
    stop();
    bootId++;
    start();
  }

  /** Closes both sockets, as a node that died. */
  public synchronized void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(5000);
    }
  }

  private void serve(CountDownLatch bound) {
    try (ZContext context = new ZContext(1)) {
      context.setLinger(0);
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      ZMQ.Socket pub = context.createSocket(SocketType.PUB);
      router.setLinger(0);
      pub.setLinger(0);
      if (controlPort == 0) {
        controlPort = router.bindToRandomPort("tcp://127.0.0.1");
        feedPort = pub.bindToRandomPort("tcp://127.0.0.1");
      } else {
        router.bind("tcp://127.0.0.1:" + controlPort);
        pub.bind("tcp://127.0.0.1:" + feedPort);
      }
      bound.countDown();
      ZMQ.Poller poller = context.createPoller(1);
      poller.register(router, ZMQ.Poller.POLLIN);
      while (running) {
        poller.poll(10);
        ChangeNotice n;
        while ((n = toPublish.poll()) != null) {
          pub.send(n.encode(), 0);
        }
        byte[] peer;
        while ((peer = router.recv(ZMQ.DONTWAIT)) != null) {
          byte[] frame = router.recv(0);
          if (mute) {
            continue;
          }
          NodeResponse response = answer(frame);
          if (response != null) {
            router.sendMore(peer);
            router.send(NodeQueryCodec.encode(response), 0);
          }
        }
      }
      poller.close();
    }
  }

  private NodeResponse answer(byte[] frame) {
    NodeRequest req;
    try {
      req = NodeQueryCodec.decodeRequest(frame);
    } catch (MalformedException e) {
      return new NodeResponse.Error(NodeQueryCodec.peekRequestId(frame),
          NodeResponse.ErrorCode.BAD_REQUEST, e.getMessage());
    }
    if (req instanceof NodeRequest.Info) {
      return new NodeResponse.Info(req.requestId(), params.encode(), "test-node-id", bootId,
          "tcp://127.0.0.1:" + feedPort, "test");
    }
    if (req instanceof NodeRequest.Lookup l) {
      lookups.computeIfAbsent(l.name(), k -> new AtomicInteger()).incrementAndGet();
      Entry e = names.get(l.name());
      if (e == null) {
        return new NodeResponse.Lookup(l.requestId(), LookupStatus.NOT_FOUND, new byte[0], "");
      }
      byte[] bytes = e.record() == null ? new byte[0] : e.record().encoded();
      return new NodeResponse.Lookup(l.requestId(), e.status(), bytes, e.detail());
    }
    return new NodeResponse.Error(req.requestId(), NodeResponse.ErrorCode.UNSUPPORTED,
        "not in the test node");
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}

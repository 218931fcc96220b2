package org.p2pdns.common.query;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMonitor;

/**
 * An asynchronous client of the node query protocol: many requests in flight on one JeroMQ DEALER
 * socket, each answered through a {@link CompletableFuture} matched by request id.
 *
 * <p>Any thread may call it. JeroMQ sockets are not thread-safe, so one I/O thread owns the DEALER;
 * callers put requests on a queue and wake that thread through an inproc socket. The wake-up is
 * sent at most once per batch (a flag the I/O thread clears before it drains the queue).
 *
 * <p>Nothing queues for a dead node: requests are handed to the socket only while a socket monitor
 * reports the connection up, and a dropped connection replaces the socket (linger 0), discarding
 * what was queued towards it. While the node is not connected, requests wait in the client until
 * their own timeout; ZeroMQ keeps reconnecting by itself, so a node that comes back is used again.
 *
 * <p>Futures complete on the I/O thread (answers), on the JDK's delay thread (timeouts, as
 * {@link java.util.concurrent.TimeoutException}) or on the closing thread. Callbacks attached with
 * the non-async methods run there: keep them short, or hand the work to your own executor.
 * Failures: {@link java.util.concurrent.TimeoutException} when no answer came in time (node down
 * or unreachable), {@link RejectedExecutionException} when too many requests are in flight,
 * {@link IllegalStateException} once the client is closed; the typed methods also fail with
 * {@link NodeErrorException} when the node answers with an error.
 */
public final class NodeClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeClient.class);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_PENDING = 10_000;
  /** When the send queue towards the node is full, how soon the I/O thread tries again. */
  private static final int BACKLOG_RETRY_MS = 2;
  private static final int IDLE_POLL_MS = 1000;
  private static final int HANDSHAKE_MS = 500;
  private static final AtomicLong CLIENT_SEQUENCE = new AtomicLong();

  private final String endpoint;
  private final Duration defaultTimeout;
  private final int maxPending;

  private final ZContext context;
  private final ZMQ.Socket wakeSender;
  private final Object wakeLock = new Object();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final Queue<Outgoing> submitted = new ConcurrentLinkedQueue<>();
  private final Map<Long, CompletableFuture<NodeResponse>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong nextId = new AtomicLong(1);
  private final long clientNumber;
  private final Thread ioThread;
  private volatile boolean closed;
  private volatile Link current;

  private record Outgoing(long id, byte[] frame, CompletableFuture<NodeResponse> future) {}

  public NodeClient(String endpoint) {
    this(endpoint, DEFAULT_TIMEOUT, DEFAULT_MAX_PENDING);
  }

  /**
   * @param endpoint the node's JeroMQ endpoint, such as {@code tcp://127.0.0.1:8002}
   * @param defaultTimeout how long the typed methods wait for an answer
   * @param maxPending the most requests in flight at once; more fail at once
   */
  public NodeClient(String endpoint, Duration defaultTimeout, int maxPending) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be at least 1");
    }
    this.defaultTimeout = defaultTimeout;
    this.maxPending = maxPending;
    this.context = new ZContext(1);
    context.setLinger(0);
    this.clientNumber = CLIENT_SEQUENCE.incrementAndGet();
    String wakeEndpoint = "inproc://node-client-wake-" + clientNumber;
    ZMQ.Socket wakeReceiver = context.createSocket(SocketType.PULL);
    Link first;
    try {
      wakeReceiver.bind(wakeEndpoint);
      wakeSender = context.createSocket(SocketType.PUSH);
      wakeSender.setLinger(0);
      wakeSender.connect(wakeEndpoint);
      // Made here so that a bad endpoint fails in the caller's thread.
      first = new Link(wakeReceiver);
    } catch (RuntimeException e) {
      context.close();
      throw new IllegalArgumentException("cannot use node endpoint '" + endpoint + "': " + e, e);
    }
    current = first;
    // The sockets are handed to the I/O thread here; Thread.start() publishes them safely.
    ioThread = new Thread(() -> runIo(wakeReceiver, first), "node-client " + endpoint);
    ioThread.setDaemon(true);
    ioThread.start();
  }

  public String endpoint() {
    return endpoint;
  }

  /**
   * Whether the connection to the node is up now (its handshake done). Requests made while it is
   * down wait for it until their timeout; a caller that prefers to fail at once can ask first.
   */
  public boolean isConnected() {
    Link link = current;
    return link != null && link.up && !closed;
  }

  /** Requests sent and not yet answered, failed or timed out. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Sends the request that {@code request} makes for a fresh id; waits the default timeout. */
  public CompletableFuture<NodeResponse> send(LongFunction<? extends NodeRequest> request) {
    return send(request, defaultTimeout);
  }

  /** Sends the request that {@code request} makes for a fresh id; fails after {@code timeout}. */
  public CompletableFuture<NodeResponse> send(LongFunction<? extends NodeRequest> request,
      Duration timeout) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("node client is closed"));
    }
    if (inFlight.incrementAndGet() > maxPending) {
      inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(new RejectedExecutionException(
          "more than " + maxPending + " requests in flight to the node"));
    }
    long id = nextId.getAndIncrement();
    CompletableFuture<NodeResponse> future = new CompletableFuture<>();
    byte[] frame;
    try {
      NodeRequest req = request.apply(id);
      if (req.requestId() != id) {
        throw new IllegalArgumentException("request must carry the id it was given");
      }
      frame = NodeQueryCodec.encode(req);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(e);
    }
    // The caller gets the stage that completes after the slot is freed, so that whoever sees
    // the answer can send the next request at once without hitting the limit.
    CompletableFuture<NodeResponse> result = future.whenComplete((r, e) -> {
      pending.remove(id, future);
      inFlight.decrementAndGet();
    });
    pending.put(id, future);
    future.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    submitted.add(new Outgoing(id, frame, future));
    if (closed) {
      // Closed between the check above and the queueing: the I/O thread may have gone already.
      future.completeExceptionally(new IllegalStateException("node client is closed"));
    } else if (Thread.currentThread() != ioThread && wakePending.compareAndSet(false, true)) {
      wake();
    }
    return result;
  }

  public CompletableFuture<NodeResponse.Info> info() {
    return typed(send(NodeRequest.Info::new), NodeResponse.Info.class);
  }

  public CompletableFuture<NodeResponse.Info> info(Duration timeout) {
    return typed(send(NodeRequest.Info::new, timeout), NodeResponse.Info.class);
  }

  public CompletableFuture<NodeResponse.Lookup> lookup(String name) {
    return lookup(name, defaultTimeout);
  }

  public CompletableFuture<NodeResponse.Lookup> lookup(String name, Duration timeout) {
    return typed(send(id -> new NodeRequest.Lookup(id, name), timeout),
        NodeResponse.Lookup.class);
  }

  public CompletableFuture<NodeResponse.Submit> submit(byte[] record) {
    byte[] copy = record.clone();
    return typed(send(id -> new NodeRequest.Submit(id, copy)), NodeResponse.Submit.class);
  }

  /** Submits a claim's commitment (the first step of {@code p2pdns register}). */
  public CompletableFuture<NodeResponse.CommitmentSubmitted> submitCommitment(byte[] commitment) {
    byte[] copy = commitment.clone();
    return typed(send(id -> new NodeRequest.SubmitCommitment(id, copy)),
        NodeResponse.CommitmentSubmitted.class);
  }

  public CompletableFuture<NodeResponse.Status> status() {
    return typed(send(NodeRequest.Status::new), NodeResponse.Status.class);
  }

  public CompletableFuture<NodeResponse.Names> listNames(String after, int limit) {
    return typed(send(id -> new NodeRequest.ListNames(id, after, limit)),
        NodeResponse.Names.class);
  }

  public CompletableFuture<NodeResponse.Nodes> nodes() {
    return typed(send(NodeRequest.Nodes::new), NodeResponse.Nodes.class);
  }

  /**
   * Asks the node to dial {@code target} ({@code ID@HOST:PORT} or {@code HOST:PORT}), signed with
   * the node's control key; waits up to {@code timeout} (a dial may take the peer handshake
   * deadline).
   */
  public CompletableFuture<NodeResponse.Connect> connect(String target, ControlKey key,
      Duration timeout) {
    long now = System.currentTimeMillis();
    return typed(send(id -> NodeRequest.Connect.signed(id, target, now, key), timeout),
        NodeResponse.Connect.class);
  }

  /** A Trust request ({@link NodeRequest.Trust}), signed with the node's control key. */
  public CompletableFuture<NodeResponse.Trust> trust(int op, String nodeId, long weightMilli,
      ControlKey key) {
    long now = System.currentTimeMillis();
    return typed(send(id -> NodeRequest.Trust.signed(id, op, nodeId, weightMilli, now, key)),
        NodeResponse.Trust.class);
  }

  /** An Endorse request ({@link NodeRequest.Endorse}), signed with the node's control key. */
  public CompletableFuture<NodeResponse.Endorse> endorse(int op, String nodeId, ControlKey key) {
    long now = System.currentTimeMillis();
    return typed(send(id -> NodeRequest.Endorse.signed(id, op, nodeId, now, key)),
        NodeResponse.Endorse.class);
  }

  private static <T extends NodeResponse> CompletableFuture<T> typed(
      CompletableFuture<NodeResponse> f, Class<T> type) {
    return f.thenApply(r -> {
      if (type.isInstance(r)) {
        return type.cast(r);
      }
      if (r instanceof NodeResponse.Error e) {
        throw new CompletionException(new NodeErrorException(e));
      }
      throw new CompletionException(new NodeErrorException(
          "node answered " + r.getClass().getSimpleName() + " to a " + type.getSimpleName()
              + " request"));
    });
  }

  /** Fails every request in flight, stops the I/O thread and closes the sockets. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    wake();
    if (Thread.currentThread() != ioThread) {
      try {
        ioThread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (ioThread.isAlive()) {
        log.warn("node client I/O thread for {} did not stop within 2 s", endpoint);
      }
    }
  }

  private void wake() {
    synchronized (wakeLock) {
      try {
        // DONTWAIT: at most one wake-up is outstanding, so a full pipe means one is on its way.
        wakeSender.send(new byte[0], ZMQ.DONTWAIT);
      } catch (ZMQException | IllegalStateException e) {
        // Context already closed by the I/O thread: it no longer needs waking.
        log.debug("wake-up of the node client I/O thread failed: {}", e.toString());
      }
    }
  }

  /**
   * One DEALER connection to the node. JeroMQ 0.6 queues messages for a peer that is not
   * connected even with {@code immediate} set, so the client itself sends only while the socket's
   * event hook reports a completed handshake, and replaces the socket when the connection drops,
   * which discards whatever was queued towards the dead node. (The hook is called on JeroMQ's own
   * I/O thread; an inproc monitor socket was seen to lose the handshake event now and then.)
   */
  private final class Link implements AutoCloseable {
    final ZMQ.Socket dealer;
    final ZMQ.Poller poller;
    final int dealerIndex;
    final int wakeIndex;
    volatile boolean up;
    volatile boolean dropped;

    Link(ZMQ.Socket wakeReceiver) {
      dealer = context.createSocket(SocketType.DEALER);
      dealer.setLinger(0);
      dealer.setImmediate(true);
      dealer.setReconnectIVL(50);
      dealer.setReconnectIVLMax(500);
      // A ZMTP handshake that has not finished by then is given up and the connection retried:
      // JeroMQ was seen, rarely, to leave a fresh loopback connection hanging in its handshake.
      dealer.setHandshakeIvl(HANDSHAKE_MS);
      dealer.setMaxMsgSize(NodeQueryCodec.MAX_FRAME);
      dealer.setRcvHWM(maxPending + 1000);
      dealer.setSndHWM(maxPending + 1000);
      dealer.setEventHook(this::onEvent,
          ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
      dealer.connect(endpoint);
      poller = context.createPoller(2);
      dealerIndex = poller.register(dealer, ZMQ.Poller.POLLIN);
      wakeIndex = poller.register(wakeReceiver, ZMQ.Poller.POLLIN);
    }

    private void onEvent(ZEvent event) {
      if (event.getEvent() == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
        up = true;
        log.debug("connected to node {}", endpoint);
      } else if (event.getEvent() == ZMonitor.Event.DISCONNECTED) {
        up = false;
        dropped = true;
        log.debug("connection to node {} lost", endpoint);
      } else {
        return;
      }
      wake();
    }

    @Override
    public void close() {
      up = false;
      poller.close();
      dealer.close();
    }
  }

  private void runIo(ZMQ.Socket wakeReceiver, Link first) {
    ArrayDeque<Outgoing> backlog = new ArrayDeque<>();
    Link link = first;
    long lastPurge = System.nanoTime();
    try {
      while (!closed) {
        // Requests sent from this thread (by callbacks) did not wake it: do not sleep on them.
        long wait = !submitted.isEmpty() ? 0
            : link.up && !backlog.isEmpty() ? BACKLOG_RETRY_MS : IDLE_POLL_MS;
        link.poller.poll(wait);
        if (link.poller.pollin(link.wakeIndex)) {
          while (wakeReceiver.recv(ZMQ.DONTWAIT) != null) {
            // Only the wake-up matters, not its content.
          }
        }
        wakePending.set(false);
        Outgoing o;
        while ((o = submitted.poll()) != null) {
          backlog.add(o);
        }
        if (link.dropped) {
          link.close();
          link = new Link(wakeReceiver);
          current = link;
          continue;
        }
        if (link.up) {
          sendBacklog(link.dealer, backlog);
        } else if (System.nanoTime() - lastPurge > TimeUnit.MILLISECONDS.toNanos(100)) {
          // Requests that timed out while waiting for the node no longer need to be kept.
          backlog.removeIf(x -> x.future().isDone());
          lastPurge = System.nanoTime();
        }
        if (link.poller.pollin(link.dealerIndex)) {
          receiveAll(link.dealer);
        }
      }
    } catch (RuntimeException e) {
      if (!closed) {
        log.error("node client I/O thread for {} failed", endpoint, e);
      }
    } finally {
      closed = true;
      IllegalStateException ex = new IllegalStateException("node client is closed");
      for (Outgoing o : backlog) {
        o.future().completeExceptionally(ex);
      }
      Outgoing o;
      while ((o = submitted.poll()) != null) {
        o.future().completeExceptionally(ex);
      }
      for (CompletableFuture<NodeResponse> f : pending.values()) {
        f.completeExceptionally(ex);
      }
      synchronized (wakeLock) {
        link.close();
        context.close();
      }
    }
  }

  /** Sends what waits, in order, until the socket would block. */
  private void sendBacklog(ZMQ.Socket dealer, ArrayDeque<Outgoing> backlog) {
    Outgoing o;
    while ((o = backlog.peek()) != null) {
      if (o.future().isDone()) {
        backlog.poll();
        continue;
      }
      boolean sent;
      try {
        sent = dealer.send(o.frame(), ZMQ.DONTWAIT);
      } catch (ZMQException e) {
        backlog.poll();
        o.future().completeExceptionally(e);
        continue;
      }
      if (!sent) {
        return;
      }
      backlog.poll();
    }
  }

  private void receiveAll(ZMQ.Socket dealer) {
    while (true) {
      byte[] frame = dealer.recv(ZMQ.DONTWAIT);
      if (frame == null) {
        return;
      }
      // The protocol is one frame per message; a peer that adds an empty delimiter (as for REQ)
      // or extra frames is tolerated by taking the last non-empty frame.
      byte[] payload = frame;
      while (dealer.hasReceiveMore()) {
        byte[] more = dealer.recv(0);
        if (more != null && more.length > 0) {
          payload = more;
        }
      }
      deliver(payload);
    }
  }

  private void deliver(byte[] frame) {
    NodeResponse response;
    try {
      response = NodeQueryCodec.decodeResponse(frame);
    } catch (MalformedException e) {
      log.debug("ignoring an unreadable answer from node {} ({} bytes): {}", endpoint,
          frame.length, e.getMessage());
      return;
    }
    CompletableFuture<NodeResponse> f = pending.remove(response.requestId());
    if (f == null) {
      log.debug("ignoring an answer from node {} for request {}, which is no longer waiting",
          endpoint, response.requestId());
      return;
    }
    try {
      f.complete(response);
    } catch (RuntimeException e) {
      // A caller's callback threw on this thread; the client itself is fine.
      log.error("a callback on a node answer failed", e);
    }
  }
}

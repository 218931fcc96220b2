package org.p2pdns.node.query;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.p2pdns.common.name.DomainNames;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.node.records.LookupResult;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The node's query endpoint: a JeroMQ ROUTER at {@code node.control} that the front-ends and the
 * CLI talk to with DEALER sockets, many requests in flight (protocol: {@link NodeQueryCodec}).
 *
 * <p>One thread owns the ROUTER. Lookups, Info, Status, ListNames and Nodes are answered on it
 * from memory. Submissions go to the {@link RecordService}; their answers come back on other
 * threads, which queue them and wake this thread through a pipe that the same poll watches:
 * JeroMQ sockets are not thread-safe, so only this thread ever touches the ROUTER.
 *
 * <p>Bad input from a client: a frame that does not decode gets Error BAD_REQUEST when its
 * request id can be read, else it is dropped; both are counted and logged at DEBUG only. Frames
 * over twice {@link NodeQueryCodec#MAX_FRAME} make JeroMQ drop the client's connection.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
  /** ROUTER envelope (identity, and an empty delimiter from REQ clients) plus the request. */
  private static final int MAX_FRAMES_PER_MESSAGE = 4;
  /** Messages handled per poll round before replies get their turn: keeps replies flowing. */
  private static final int MAX_BATCH = 1000;

  /** Facts the Info request answers. */
  public record Facts(String nodeId, byte[] networkParams, long bootId, String feedEndpoint,
      String version) {
    public Facts {
      networkParams = networkParams.clone();
    }

    @Override
    public byte[] networkParams() {
      return networkParams.clone();
    }
  }

  private record Reply(List<byte[]> envelope, byte[] payload) {}

  private final ZContext context;
  private final ZMQ.Socket router;
  private final String endpoint;
  private final RecordService records;
  private final Facts facts;
  private final Supplier<List<NodeResponse.Field>> statusFields;
  private final PeerView peers;

  private final Pipe wakePipe;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong badRequests = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * Binds the ROUTER at {@code endpoint} (so a bind failure surfaces here, in the caller) and
   * starts the socket thread.
   *
   * @param statusFields the node's lines for the Status request (the server adds its own counters)
   */
  public QueryServer(ZContext context, String endpoint, RecordService records, Facts facts,
      Supplier<List<NodeResponse.Field>> statusFields, PeerView peers) throws IOException {
    this.context = context;
    this.records = records;
    this.facts = facts;
    this.statusFields = statusFields;
    this.peers = peers;
    this.router = context.createSocket(SocketType.ROUTER);
    router.setLinger(100);
    router.setMaxMsgSize(2L * NodeQueryCodec.MAX_FRAME);
    router.setRcvHWM(10_000);
    router.setSndHWM(10_000);
    try {
      this.endpoint = Endpoints.bind(router, endpoint, "control endpoint");
      this.wakePipe = Pipe.open();
      wakePipe.source().configureBlocking(false);
    } catch (IOException e) {
      router.close();
      throw e;
    }
    // Thread.start publishes the socket to the new thread, which from then on is its only user.
    this.thread = new Thread(this::run, "query-server");
    thread.setDaemon(true);
    thread.start();
  }

  /** The endpoint really bound (with the port filled in for {@code tcp://127.0.0.1:*}). */
  public String endpoint() {
    return endpoint;
  }

  public long requestCount() {
    return requests.get();
  }

  /** Frames answered with BAD_REQUEST. */
  public long badRequestCount() {
    return badRequests.get();
  }

  /** Frames dropped without an answer (not even a request id could be read). */
  public long droppedCount() {
    return dropped.get();
  }

  private void run() {
    try (ZMQ.Poller poller = context.createPoller(2)) {
      int routerItem = poller.register(router, ZMQ.Poller.POLLIN);
      int wakeItem = poller.register(wakePipe.source(), ZMQ.Poller.POLLIN);
      while (running && !Thread.currentThread().isInterrupted()) {
        try {
          // Bounded wait so that a missed wake-up costs at most this long, never a hang.
          poller.poll(500);
          if (poller.pollin(wakeItem)) {
            drainWakePipe();
          }
          sendReplies();
          if (poller.pollin(routerItem)) {
            receiveBatch();
          }
        } catch (ZMQException e) {
          if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
            break;
          }
          survive(e);
        } catch (RuntimeException e) {
          survive(e);
        }
      }
      sendReplies();
    } catch (RuntimeException e) {
      if (running) {
        log.error("query server stopped by a bug", e);
      }
    } finally {
      router.close();
      stopped.countDown();
    }
  }

  /** A bug of ours in one round must not take the control endpoint down with it. */
  private void survive(RuntimeException e) {
    log.error("query server: unexpected error; going on", e);
    try {
      // Not synchronization: keeps a repeating fault from spinning a core and flooding the log.
      Thread.sleep(100);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private void receiveBatch() {
    for (int i = 0; i < MAX_BATCH; i++) {
      byte[] first = router.recv(ZMQ.DONTWAIT);
      if (first == null) {
        return;
      }
      List<byte[]> frames = new ArrayList<>(3);
      frames.add(first);
      boolean tooMany = false;
      while (router.hasReceiveMore()) {
        byte[] f = router.recv();
        if (frames.size() < MAX_FRAMES_PER_MESSAGE) {
          frames.add(f);
        } else {
          tooMany = true;
        }
      }
      if (tooMany || frames.size() < 2) {
        dropped.incrementAndGet();
        log.debug("dropped a message of {} frames", frames.size());
        continue;
      }
      List<byte[]> envelope = frames.subList(0, frames.size() - 1);
      handle(List.copyOf(envelope), frames.get(frames.size() - 1));
    }
  }

  private void handle(List<byte[]> envelope, byte[] frame) {
    requests.incrementAndGet();
    NodeRequest request;
    try {
      request = NodeQueryCodec.decodeRequest(frame);
    } catch (MalformedException e) {
      long id = NodeQueryCodec.peekRequestId(frame);
      if (id == -1) {
        dropped.incrementAndGet();
        log.debug("dropped a frame of {} bytes: {}", frame.length, e.getMessage());
      } else {
        badRequests.incrementAndGet();
        log.debug("bad request {} ({} bytes): {}", id, frame.length, e.getMessage());
        send(envelope, new NodeResponse.Error(id, NodeResponse.ErrorCode.BAD_REQUEST,
            e.getMessage()));
      }
      return;
    }
    try {
      answer(envelope, request);
    } catch (RuntimeException e) {
      log.error("bug while answering {}", request, e);
      send(envelope, new NodeResponse.Error(request.requestId(), NodeResponse.ErrorCode.INTERNAL,
          "internal error in the node: " + e));
    }
  }

  private void answer(List<byte[]> envelope, NodeRequest request) {
    long id = request.requestId();
    if (request instanceof NodeRequest.Lookup m) {
      LookupResult r = records.lookup(DomainNames.normalize(m.name()));
      byte[] bytes = r.record().map(rec -> rec.encoded()).orElse(new byte[0]);
      send(envelope, new NodeResponse.Lookup(id, r.status(), bytes, r.detail()));
    } else if (request instanceof NodeRequest.Submit m) {
      records.submit(m.record(), Origin.CLIENT).whenComplete((result, failure) -> {
        NodeResponse response = failure != null
            ? new NodeResponse.Error(id, NodeResponse.ErrorCode.INTERNAL, failure.toString())
            : toResponse(id, result);
        replies.add(new Reply(envelope, NodeQueryCodec.encode(response)));
        wake();
      });
    } else if (request instanceof NodeRequest.SubmitCommitment m) {
      org.p2pdns.common.record.Commitment c;
      try {
        c = org.p2pdns.common.record.Commitment.decode(m.commitment());
      } catch (org.p2pdns.common.wire.MalformedException e) {
        send(envelope, new NodeResponse.CommitmentSubmitted(id, NodeResponse.SubmitStatus.REFUSED,
            org.p2pdns.common.record.RefusalReason.MALFORMED.code(), e.getMessage()));
        return;
      }
      records.submitCommitment(c, Origin.CLIENT).whenComplete((result, failure) -> {
        NodeResponse response;
        if (failure != null) {
          response = new NodeResponse.Error(id, NodeResponse.ErrorCode.INTERNAL,
              failure.toString());
        } else {
          NodeResponse.Submit s = (NodeResponse.Submit) toResponse(id, result);
          response = new NodeResponse.CommitmentSubmitted(id, s.status(), s.reasonCode(),
              result.outcome() == SubmitResult.Outcome.STORED ? "kept and spread"
                  : s.message());
        }
        replies.add(new Reply(envelope, NodeQueryCodec.encode(response)));
        wake();
      });
    } else if (request instanceof NodeRequest.Info) {
      send(envelope, new NodeResponse.Info(id, facts.networkParams(), facts.nodeId(),
          facts.bootId(), facts.feedEndpoint(), facts.version()));
    } else if (request instanceof NodeRequest.ListNames m) {
      RecordService.NamesPage page = records.names(DomainNames.normalize(m.after()), m.limit());
      send(envelope, new NodeResponse.Names(id, page.names(), page.more()));
    } else if (request instanceof NodeRequest.Status) {
      List<NodeResponse.Field> fields = new ArrayList<>(statusFields.get());
      fields.add(new NodeResponse.Field("peers", peers.peeringSummary()));
      fields.add(new NodeResponse.Field("control requests", Long.toString(requests.get())));
      fields.add(new NodeResponse.Field("control bad requests",
          badRequests.get() + " answered, " + dropped.get() + " dropped"));
      send(envelope, new NodeResponse.Status(id, fields));
    } else if (request instanceof NodeRequest.Nodes) {
      send(envelope, new NodeResponse.Nodes(id, peers.knownNodes()));
    } else if (request instanceof NodeRequest.Connect m) {
      // Answered once the dial ends (up to the peer handshake deadline), from another thread.
      replyLater(envelope, id, peers.connect(m));
    } else if (request instanceof NodeRequest.Trust m) {
      replyLater(envelope, id, peers.trust(m));
    } else if (request instanceof NodeRequest.Endorse m) {
      replyLater(envelope, id, peers.endorse(m));
    } else {
      send(envelope, new NodeResponse.Error(id, NodeResponse.ErrorCode.UNSUPPORTED,
          "request type not supported: " + request.getClass().getSimpleName()));
    }
  }

  /** Queues the answer for this thread to send once {@code answer} completes. */
  private void replyLater(List<byte[]> envelope, long id,
      java.util.concurrent.CompletableFuture<NodeResponse> answer) {
    answer.whenComplete((response, failure) -> {
      NodeResponse r = failure != null
          ? new NodeResponse.Error(id, NodeResponse.ErrorCode.INTERNAL, failure.toString())
          : response;
      replies.add(new Reply(envelope, NodeQueryCodec.encode(r)));
      wake();
    });
  }

  private static NodeResponse toResponse(long id, SubmitResult result) {
    return switch (result.outcome()) {
      case STORED -> new NodeResponse.Submit(id, NodeResponse.SubmitStatus.STORED, 0, "stored");
      case DUPLICATE -> new NodeResponse.Submit(id, NodeResponse.SubmitStatus.DUPLICATE, 0,
          "the node already holds exactly this record");
      case REFUSED -> new NodeResponse.Submit(id, NodeResponse.SubmitStatus.REFUSED,
          result.refusal().orElseThrow().reason().code(), result.refusal().orElseThrow()
              .message());
    };
  }

  private void send(List<byte[]> envelope, NodeResponse response) {
    sendFrames(envelope, NodeQueryCodec.encode(response));
  }

  private void sendFrames(List<byte[]> envelope, byte[] payload) {
    for (byte[] part : envelope) {
      router.sendMore(part);
    }
    // A client that is gone or stalled loses its answer; the ROUTER never blocks on it.
    router.send(payload, ZMQ.DONTWAIT);
  }

  private void sendReplies() {
    for (Reply r; (r = replies.poll()) != null; ) {
      sendFrames(r.envelope(), r.payload());
    }
  }

  /** Called from any thread once a reply is queued. One byte in the pipe per pending wake-up. */
  private void wake() {
    if (wakePending.compareAndSet(false, true)) {
      try {
        wakePipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
      } catch (IOException e) {
        // Only after close: the reply is then dropped with the server.
        log.debug("wake-up pipe closed", e);
      }
    }
  }

  private void drainWakePipe() {
    // Clear the flag before taking replies, so a reply queued after this point wakes us again.
    wakePending.set(false);
    ByteBuffer buf = ByteBuffer.allocate(64);
    try {
      for (int i = 0; i < 1000 && wakePipe.source().read(buf) > 0; i++) {
        buf.clear();
      }
    } catch (IOException e) {
      log.debug("wake-up pipe read failed", e);
    }
  }

  /** Stops the socket thread after it has sent the replies already queued (bounded wait). */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    wakePending.set(false);
    wake();
    try {
      if (!stopped.await(5, TimeUnit.SECONDS)) {
        log.warn("query server thread did not stop within 5 s");
        thread.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      wakePipe.sink().close();
      wakePipe.source().close();
    } catch (IOException e) {
      log.debug("closing the wake-up pipe", e);
    }
  }
}

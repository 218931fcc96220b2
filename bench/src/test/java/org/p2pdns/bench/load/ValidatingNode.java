package org.p2pdns.bench.load;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The submit side of a node, in the test: a JeroMQ ROUTER on 127.0.0.1 port 0 speaking the node
 * query protocol through the real codec, and judging every submitted record with the real
 * {@link RecordValidator} against an in-memory store. So the loader is tested against the rules a
 * node applies, not against a canned answer.
 */
final class ValidatingNode implements AutoCloseable {
  /** How the node behaves besides validating. */
  enum Mode {
    NORMAL,
    /** Answers BUSY to the first attempt of every submission. */
    BUSY_FIRST,
    /** Reads requests and answers none. */
    SILENT
  }

  private final NetworkParams params;
  private final RecordValidator validator;
  private final Mode mode;
  private final ZContext context = new ZContext(1);
  private final ZMQ.Socket router;
  private final String endpoint;
  private final Thread thread;
  private final Map<String, SignedRecord> store = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> seenBusy = new ConcurrentHashMap<>();
  private final AtomicInteger submissions = new AtomicInteger();
  private volatile boolean running = true;

  ValidatingNode(NetworkParams params, Mode mode) {
    this.params = params;
    this.validator = new RecordValidator(params, Clock.systemUTC());
    this.mode = mode;
    this.router = context.createSocket(SocketType.ROUTER);
    router.setLinger(0);
    router.setReceiveTimeOut(20);
    router.bind("tcp://127.0.0.1:*");
    this.endpoint = router.getLastEndpoint();
    this.thread = new Thread(this::serve, "validating-node");
    thread.setDaemon(true);
    thread.start();
  }

  String endpoint() {
    return endpoint;
  }

  Map<String, SignedRecord> store() {
    return store;
  }

  int submissions() {
    return submissions.get();
  }

  private void serve() {
    while (running) {
      ZMsg msg = ZMsg.recvMsg(router, true);
      if (msg == null) {
        continue;
      }
      byte[] identity = msg.pop().getData();
      byte[] frame = msg.pop().getData();
      NodeResponse resp = answer(frame);
      if (resp != null) {
        router.sendMore(identity);
        router.send(NodeQueryCodec.encode(resp), 0);
      }
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
      return new NodeResponse.Info(req.requestId(), params.encode(), "test-node", 1, "", "test");
    }
    if (!(req instanceof NodeRequest.Submit submit)) {
      return new NodeResponse.Error(req.requestId(), NodeResponse.ErrorCode.UNSUPPORTED, "");
    }
    submissions.incrementAndGet();
    if (mode == Mode.SILENT) {
      return null;
    }
    if (mode == Mode.BUSY_FIRST && seenBusy.putIfAbsent(req.requestId(), true) == null) {
      return new NodeResponse.Error(req.requestId(), NodeResponse.ErrorCode.BUSY, "busy");
    }
    SignedRecord record;
    try {
      record = RecordCodec.decode(submit.record());
    } catch (MalformedException e) {
      return refused(req.requestId(), RefusalReason.MALFORMED, e.getMessage());
    }
    Optional<RefusalReason.Refusal> problem = validator.check(record);
    if (problem.isPresent()) {
      return refused(req.requestId(), problem.get().reason(), problem.get().message());
    }
    RecordValidator.Verdict v = validator.decide(record,
        Optional.ofNullable(store.get(record.name())));
    if (v instanceof RecordValidator.Verdict.Duplicate) {
      return new NodeResponse.Submit(req.requestId(), NodeResponse.SubmitStatus.DUPLICATE, 0, "");
    }
    if (v instanceof RecordValidator.Verdict.Refuse r) {
      return refused(req.requestId(), r.refusal().reason(), r.refusal().message());
    }
    store.put(record.name(), record);
    return new NodeResponse.Submit(req.requestId(), NodeResponse.SubmitStatus.STORED, 0, "");
  }

  private static NodeResponse refused(long id, RefusalReason reason, String message) {
    return new NodeResponse.Submit(id, NodeResponse.SubmitStatus.REFUSED, reason.code(), message);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    context.close();
  }
}

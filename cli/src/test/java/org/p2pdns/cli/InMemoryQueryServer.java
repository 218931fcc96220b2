package org.p2pdns.cli;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * A stand-in for the node's query endpoint in the CLI's tests: a real JeroMQ ROUTER on
 * 127.0.0.1 port 0 speaking the real node query protocol, which decides submissions with the real
 * {@link RecordValidator} and keeps records in memory. The real node is tested end to end by
 * {@code EndToEndScriptsIT}.
 */
final class InMemoryQueryServer implements AutoCloseable {
  private final NetworkParams params;
  private final RecordValidator validator;
  private final Clock clock;
  private final ZContext context = new ZContext(1);
  private final ZMQ.Socket router;
  private final Thread thread;
  private final String endpoint;
  private final Map<String, SignedRecord> records = new ConcurrentSkipListMap<>();
  /** Commitments kept, as the node keeps those it witnesses live. */
  final List<org.p2pdns.common.record.Commitment> commitments =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger submissions = new AtomicInteger();
  private volatile int pageSize = NodeQueryCodec.MAX_LIST;
  private volatile boolean silent;

  InMemoryQueryServer(NetworkParams params, Clock clock) {
    this.params = params;
    this.clock = clock;
    this.validator = new RecordValidator(params, clock);
    router = context.createSocket(SocketType.ROUTER);
    router.setLinger(0);
    int port = router.bindToRandomPort("tcp://127.0.0.1");
    endpoint = "tcp://127.0.0.1:" + port;
    thread = new Thread(this::serve, "query-server");
    thread.setDaemon(true);
    thread.start();
  }

  String endpoint() {
    return endpoint;
  }

  /** Answers ListNames with at most this many names, to test paging. */
  void pageSize(int n) {
    pageSize = n;
  }

  /** Stops answering (as a hung node would). */
  void silent(boolean s) {
    silent = s;
  }

  Optional<SignedRecord> record(String name) {
    return Optional.ofNullable(records.get(name));
  }

  void put(SignedRecord r) {
    records.put(r.name(), r);
  }

  int submissions() {
    return submissions.get();
  }

  private void serve() {
    ZMQ.Poller poller = context.createPoller(1);
    poller.register(router, ZMQ.Poller.POLLIN);
    while (!Thread.currentThread().isInterrupted()) {
      ZMsg msg;
      try {
        if (poller.poll(100) <= 0) {
          continue;
        }
        msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT);
      } catch (RuntimeException e) {
        return;
      }
      if (msg == null || silent) {
        continue;
      }
      byte[] identity = msg.pop().getData();
      byte[] frame = msg.pop().getData();
      NodeResponse resp;
      try {
        resp = answer(frame);
      } catch (RuntimeException e) {
        // A bug here must fail the test loudly, not look like an unreachable node.
        e.printStackTrace();
        resp = new NodeResponse.Error(NodeQueryCodec.peekRequestId(frame),
            NodeResponse.ErrorCode.INTERNAL, e.toString());
      }
      ZMsg reply = new ZMsg();
      reply.add(identity);
      reply.add(NodeQueryCodec.encode(resp));
      reply.send(router);
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
    long id = req.requestId();
    if (req instanceof NodeRequest.Info) {
      return new NodeResponse.Info(id, params.encode(), "0".repeat(64), 1, "tcp://127.0.0.1:1",
          "test");
    } else if (req instanceof NodeRequest.Lookup l) {
      SignedRecord r = records.get(l.name());
      if (r == null) {
        return new NodeResponse.Lookup(id, NodeResponse.LookupStatus.NOT_FOUND, new byte[0], "");
      }
      NodeResponse.LookupStatus status = r.kind() == SignedRecord.Kind.TOMBSTONE
          ? NodeResponse.LookupStatus.REVOKED
          : r.expiresAt() < clock.instant().getEpochSecond() ? NodeResponse.LookupStatus.EXPIRED
          : NodeResponse.LookupStatus.FOUND;
      return new NodeResponse.Lookup(id, status, r.encoded(), "");
    } else if (req instanceof NodeRequest.Submit s) {
      submissions.incrementAndGet();
      SignedRecord r;
      try {
        r = RecordCodec.decode(s.record());
      } catch (MalformedException e) {
        return refused(id, RefusalReason.MALFORMED.refusal(e.getMessage()));
      }
      Optional<RefusalReason.Refusal> problem = validator.check(r);
      if (problem.isPresent()) {
        return refused(id, problem.get());
      }
      RecordValidator.Verdict v = validator.decide(r, Optional.ofNullable(records.get(r.name())));
      if (v instanceof RecordValidator.Verdict.Accept) {
        records.put(r.name(), r);
        return new NodeResponse.Submit(id, NodeResponse.SubmitStatus.STORED, 0, "");
      } else if (v instanceof RecordValidator.Verdict.Duplicate) {
        return new NodeResponse.Submit(id, NodeResponse.SubmitStatus.DUPLICATE, 0, "");
      }
      return refused(id, ((RecordValidator.Verdict.Refuse) v).refusal());
    } else if (req instanceof NodeRequest.SubmitCommitment m) {
      org.p2pdns.common.record.Commitment c;
      try {
        c = org.p2pdns.common.record.Commitment.decode(m.commitment());
      } catch (MalformedException e) {
        return new NodeResponse.CommitmentSubmitted(id, NodeResponse.SubmitStatus.REFUSED,
            RefusalReason.MALFORMED.code(), e.getMessage());
      }
      long now = clock.instant().getEpochSecond();
      if (Math.abs(now - c.committedAt()) > params.clockSkew().toSeconds()) {
        return new NodeResponse.CommitmentSubmitted(id, NodeResponse.SubmitStatus.REFUSED,
            RefusalReason.CLOCK_SKEW.code(), "not live");
      }
      if (!c.powValid(params.networkId(),
          org.p2pdns.common.record.Ownership.commitmentPowBits(params))) {
        return new NodeResponse.CommitmentSubmitted(id, NodeResponse.SubmitStatus.REFUSED,
            RefusalReason.INSUFFICIENT_POW.code(), "no work");
      }
      commitments.add(c);
      return new NodeResponse.CommitmentSubmitted(id, NodeResponse.SubmitStatus.STORED, 0, "");
    } else if (req instanceof NodeRequest.ListNames l) {
      List<String> page = new ArrayList<>();
      boolean more = false;
      for (String n : records.keySet()) {
        if (n.compareTo(l.after()) > 0) {
          if (page.size() == Math.min(l.limit(), pageSize)) {
            more = true;
            break;
          }
          page.add(n);
        }
      }
      return new NodeResponse.Names(id, page, more);
    } else if (req instanceof NodeRequest.Status) {
      return new NodeResponse.Status(id, List.of(new NodeResponse.Field("records",
          String.valueOf(records.size()))));
    } else if (req instanceof NodeRequest.Nodes) {
      return new NodeResponse.Nodes(id, List.of(new NodeResponse.NodeEntry("a".repeat(64),
          "127.0.0.1:8001", "connected", 1_700_000_000_000L, 5)));
    }
    return new NodeResponse.Error(id, NodeResponse.ErrorCode.UNSUPPORTED, "unknown request");
  }

  private static NodeResponse refused(long id, RefusalReason.Refusal refusal) {
    return new NodeResponse.Submit(id, NodeResponse.SubmitStatus.REFUSED,
        refusal.reason().code(), refusal.message());
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    context.close();
  }
}

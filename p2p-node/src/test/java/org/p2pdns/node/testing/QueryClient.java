package org.p2pdns.node.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A DEALER socket speaking the node query protocol, for tests: many requests in flight, answers
 * collected by request id. Every wait is bounded.
 *
 * <p>The constructor returns once the node has answered an Info request. JeroMQ 0.6.0 sometimes
 * (about 1 in 20 here) loses a DEALER connection for good when the DEALER sends before its TCP
 * connection is up; like the guide's lazy pirate, the client then makes a new socket and asks
 * again.
 */
public final class QueryClient implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final int PROBE_ATTEMPTS = 10;
  private static final long PROBE_ID = Long.MIN_VALUE;

  private final ZContext context = new ZContext(1);
  private ZMQ.Socket dealer;
  private final Map<Long, NodeResponse> early = new HashMap<>();

  public QueryClient(String endpoint) throws MalformedException {
    for (int attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
      dealer = context.createSocket(SocketType.DEALER);
      dealer.setLinger(0);
      dealer.connect(endpoint);
      send(new NodeRequest.Info(PROBE_ID));
      NodeResponse r = receiveAny(PROBE_TIMEOUT);
      if (r != null && r.requestId() == PROBE_ID) {
        return;
      }
      dealer.close();
    }
    throw new AssertionError("the node at " + endpoint + " did not answer " + PROBE_ATTEMPTS
        + " times");
  }

  public void send(NodeRequest request) {
    sendRaw(NodeQueryCodec.encode(request));
  }

  public void sendRaw(byte[] frame) {
    dealer.send(frame, 0);
  }

  /** The next answer of any id, or null after {@code timeout}. */
  public NodeResponse receiveAny(Duration timeout) throws MalformedException {
    dealer.setReceiveTimeOut((int) timeout.toMillis());
    byte[] frame = dealer.recv();
    return frame == null ? null : NodeQueryCodec.decodeResponse(frame);
  }

  /** The answer to request {@code id}; fails after {@code timeout}. */
  public NodeResponse await(long id, Duration timeout) throws MalformedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!early.containsKey(id)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no answer to request " + id + " within " + timeout);
      }
      NodeResponse r = receiveAny(Duration.ofNanos(Math.max(left, 1_000_000)));
      if (r != null) {
        early.put(r.requestId(), r);
      }
    }
    return early.remove(id);
  }

  /** Sends {@code request} and waits for its answer. */
  public NodeResponse call(NodeRequest request, Duration timeout) throws MalformedException {
    send(request);
    return await(request.requestId(), timeout);
  }

  @Override
  public void close() {
    context.close();
  }
}

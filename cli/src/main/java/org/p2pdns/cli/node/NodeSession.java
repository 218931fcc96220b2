package org.p2pdns.cli.node;

import java.time.Duration;
import java.util.function.LongFunction;
import org.p2pdns.cli.CliException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The CLI's conversation with one node over its query endpoint: one request at a time, each
 * answered within the timeout or reported as "node unreachable" (exit 3) naming the endpoint.
 * The node's error responses become refusals (exit 1).
 *
 * <p>A request without an answer after a short wait is sent again on a fresh socket (JeroMQ's
 * "lazy pirate", guide/lpclient.java): over loopback, JeroMQ now and then loses the first message
 * of a new connection (measured here: 1-3 in 60 fresh connections), and every request is safe to
 * repeat (a repeated submission is a duplicate at the node).
 */
public final class NodeSession implements AutoCloseable {
  private static final long RETRY_AFTER_MILLIS = 1_000;

  private final String endpoint;
  private final Duration timeout;
  private final ZContext context;
  private ZMQ.Socket socket;
  private long nextRequestId = 1;
  private boolean retried;

  private NodeSession(String endpoint, Duration timeout, ZContext context) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.context = context;
  }

  public static NodeSession open(String endpoint, Duration timeout) throws CliException {
    if (!endpoint.matches("(tcp|ipc|inproc)://\\S+")) {
      throw CliException.usage("node endpoint '" + endpoint + "' is not like "
          + "tcp://127.0.0.1:8002");
    }
    NodeSession session = new NodeSession(endpoint, timeout, new ZContext(1));
    try {
      session.socket = session.newSocket();
      return session;
    } catch (ZMQException | IllegalArgumentException e) {
      session.close();
      throw CliException.usage("cannot use node endpoint '" + endpoint + "': " + e.getMessage());
    }
  }

  private ZMQ.Socket newSocket() {
    ZMQ.Socket s = context.createSocket(SocketType.DEALER);
    s.setLinger(0);
    s.setSendTimeOut((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    s.connect(endpoint);
    return s;
  }

  public String endpoint() {
    return endpoint;
  }

  /** Whether a request had to be sent again (its first copy may still have reached the node). */
  public boolean retried() {
    return retried;
  }

  public NodeResponse.Info info() throws CliException {
    return call(NodeRequest.Info::new, NodeResponse.Info.class);
  }

  /** The network parameters the node runs with, from its Info. */
  public NetworkParams networkParams() throws CliException {
    NodeResponse.Info info = info();
    try {
      return NetworkParams.decode(info.networkParams());
    } catch (MalformedException e) {
      throw CliException.refused("the node at " + endpoint + " sent network parameters this "
          + "CLI cannot read (" + e.getMessage() + "); is it a newer version?");
    }
  }

  public NodeResponse.Lookup lookup(String name) throws CliException {
    return call(id -> new NodeRequest.Lookup(id, name), NodeResponse.Lookup.class);
  }

  public NodeResponse.Submit submit(SignedRecord record) throws CliException {
    return call(id -> new NodeRequest.Submit(id, record.encoded()), NodeResponse.Submit.class);
  }

  public NodeResponse.Names listNames(String after, int limit) throws CliException {
    return call(id -> new NodeRequest.ListNames(id, after, limit), NodeResponse.Names.class);
  }

  public NodeResponse.Status status() throws CliException {
    return call(NodeRequest.Status::new, NodeResponse.Status.class);
  }

  public NodeResponse.Nodes nodes() throws CliException {
    return call(NodeRequest.Nodes::new, NodeResponse.Nodes.class);
  }

  private <T extends NodeResponse> T call(LongFunction<NodeRequest> request, Class<T> type)
      throws CliException {
    long id = nextRequestId++;
    NodeRequest req = request.apply(id);
    byte[] frame = NodeQueryCodec.encode(req);
    long deadline = System.nanoTime() + timeout.toNanos();
    // Bounded by the deadline: each round sends once and waits at most RETRY_AFTER_MILLIS.
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0 || !socket.send(frame, 0)) {
        throw unreachable();
      }
      byte[] answer = receive(id, Math.min(left, RETRY_AFTER_MILLIS));
      if (answer != null) {
        return decode(req, answer, type);
      }
      context.destroySocket(socket);
      socket = newSocket();
      retried = true;
    }
  }

  /** The answer to request {@code id}, or null when none came within {@code waitMillis}. */
  private byte[] receive(long id, long waitMillis) {
    long until = System.nanoTime() + waitMillis * 1_000_000;
    while (true) {
      long left = (until - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return null;
      }
      socket.setReceiveTimeOut((int) left);
      byte[] frame = socket.recv(0);
      if (frame == null) {
        return null;
      }
      // Answers to earlier copies of other requests are skipped.
      if (NodeQueryCodec.peekRequestId(frame) == id) {
        return frame;
      }
    }
  }

  private <T extends NodeResponse> T decode(NodeRequest req, byte[] frame, Class<T> type)
      throws CliException {
    NodeResponse resp;
    try {
      resp = NodeQueryCodec.decodeResponse(frame);
    } catch (MalformedException e) {
      throw CliException.refused("the node at " + endpoint + " sent an answer this CLI cannot "
          + "read: " + e.getMessage());
    }
    if (resp instanceof NodeResponse.Error err) {
      throw CliException.refused("the node refused the request: " + err.code() + ": "
          + err.message());
    }
    if (!type.isInstance(resp)) {
      throw CliException.refused("the node answered " + req.getClass().getSimpleName()
          + " with " + resp.getClass().getSimpleName());
    }
    return type.cast(resp);
  }

  private CliException unreachable() {
    return CliException.unreachable("no answer from the node at " + endpoint + " within "
        + timeout.toMillis() + " ms. Is it running? Start it with scripts/p2pdns-up, or point "
        + "--node at its control endpoint (the control= line of node.ready in its data dir)");
  }

  @Override
  public void close() {
    context.close();
  }
}

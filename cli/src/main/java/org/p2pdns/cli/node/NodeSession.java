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
 */
public final class NodeSession implements AutoCloseable {
  private final String endpoint;
  private final Duration timeout;
  private final ZContext context;
  private final ZMQ.Socket socket;
  private long nextRequestId = 1;

  private NodeSession(String endpoint, Duration timeout, ZContext context, ZMQ.Socket socket) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.context = context;
    this.socket = socket;
  }

  public static NodeSession open(String endpoint, Duration timeout) throws CliException {
    if (!endpoint.matches("(tcp|ipc|inproc)://\\S+")) {
      throw CliException.usage("node endpoint '" + endpoint + "' is not like "
          + "tcp://127.0.0.1:8002");
    }
    ZContext context = new ZContext(1);
    try {
      ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
      socket.setLinger(0);
      socket.setSendTimeOut((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      socket.connect(endpoint);
      return new NodeSession(endpoint, timeout, context, socket);
    } catch (ZMQException | IllegalArgumentException e) {
      context.close();
      throw CliException.usage("cannot use node endpoint '" + endpoint + "': " + e.getMessage());
    }
  }

  public String endpoint() {
    return endpoint;
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
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!socket.send(NodeQueryCodec.encode(req), 0)) {
      throw unreachable();
    }
    // Bounded by the deadline: answers to earlier, timed-out requests are skipped.
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw unreachable();
      }
      socket.setReceiveTimeOut((int) Math.min(Integer.MAX_VALUE, left));
      byte[] frame = socket.recv(0);
      if (frame == null) {
        throw unreachable();
      }
      NodeResponse resp;
      try {
        resp = NodeQueryCodec.decodeResponse(frame);
      } catch (MalformedException e) {
        throw CliException.refused("the node at " + endpoint + " sent an answer this CLI cannot "
            + "read: " + e.getMessage());
      }
      if (resp.requestId() != id) {
        continue;
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

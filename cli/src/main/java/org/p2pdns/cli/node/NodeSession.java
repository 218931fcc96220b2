package org.p2pdns.cli.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pdns.cli.CliException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeErrorException;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;

/**
 * The CLI's conversation with one node over its query endpoint, through the shared
 * {@link NodeClient}: one request at a time, each answered within the timeout or reported as
 * "node unreachable" (exit 3) naming the endpoint. The node's error answers become refusals
 * (exit 1).
 */
public final class NodeSession implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  private final NodeClient client;
  private final Duration timeout;

  private NodeSession(NodeClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  public static NodeSession open(String endpoint, Duration timeout) throws CliException {
    if (!endpoint.matches("(tcp|ipc|inproc)://\\S+")) {
      throw CliException.usage("node endpoint '" + endpoint + "' is not like "
          + "tcp://127.0.0.1:8002");
    }
    try {
      return new NodeSession(new NodeClient(endpoint, timeout, 16), timeout);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("cannot use node endpoint '" + endpoint + "': " + e.getMessage());
    }
  }

  public String endpoint() {
    return client.endpoint();
  }

  public NodeResponse.Info info() throws CliException {
    return await(client.info(timeout));
  }

  /** The network parameters the node runs with, from its Info. */
  public NetworkParams networkParams() throws CliException {
    NodeResponse.Info info = info();
    try {
      return NetworkParams.decode(info.networkParams());
    } catch (MalformedException e) {
      throw CliException.refused("the node at " + endpoint() + " sent network parameters this "
          + "CLI cannot read (" + e.getMessage() + "); is it a newer version?");
    }
  }

  public NodeResponse.Lookup lookup(String name) throws CliException {
    return await(client.lookup(name, timeout));
  }

  public NodeResponse.Submit submit(SignedRecord record) throws CliException {
    return await(client.submit(record.encoded()));
  }

  /** The first step of a claim: the node keeps the commitment and spreads it. */
  public NodeResponse.CommitmentSubmitted submitCommitment(
      org.p2pdns.common.record.Commitment commitment) throws CliException {
    return await(client.submitCommitment(commitment.encode()));
  }

  public NodeResponse.Names listNames(String after, int limit) throws CliException {
    return await(client.listNames(after, limit));
  }

  public NodeResponse.Status status() throws CliException {
    return await(client.status());
  }

  public NodeResponse.Nodes nodes() throws CliException {
    return await(client.nodes());
  }

  /** Asks the node to dial a peer; a dial may take up to the peer handshake deadline. */
  public NodeResponse.Connect connect(String target, ControlKey key) throws CliException {
    Duration wait = timeout.compareTo(CONNECT_TIMEOUT) > 0 ? timeout : CONNECT_TIMEOUT;
    try {
      return client.connect(target, key, wait).get(wait.toMillis() + 1_000,
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.unreachable("interrupted while waiting for the node at " + endpoint());
    } catch (TimeoutException e) {
      throw unreachable();
    } catch (ExecutionException e) {
      return await(CompletableFuture.failedFuture(e.getCause()));
    }
  }

  /** A Trust request (list, set, remove), signed with the node's control key. */
  public NodeResponse.Trust trust(int op, String nodeId, long weightMilli, ControlKey key)
      throws CliException {
    return await(client.trust(op, nodeId, weightMilli, key));
  }

  /** An Endorse request (list, endorse, withdraw), signed with the node's control key. */
  public NodeResponse.Endorse endorse(int op, String nodeId, ControlKey key) throws CliException {
    return await(client.endorse(op, nodeId, key));
  }

  private <T> T await(CompletableFuture<T> answer) throws CliException {
    try {
      // The client times the request out itself; the extra second only guards against a bug.
      return answer.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.unreachable("interrupted while waiting for the node at " + endpoint());
    } catch (TimeoutException e) {
      throw unreachable();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TimeoutException) {
        throw unreachable();
      }
      if (cause instanceof NodeErrorException n) {
        NodeResponse.Error err = n.error();
        throw CliException.refused(err == null ? "the node at " + endpoint() + ": "
            + n.getMessage() : "the node refused the request: " + err.code() + ": "
            + err.message());
      }
      throw CliException.refused("the request to the node at " + endpoint() + " failed: "
          + cause);
    }
  }

  private CliException unreachable() {
    return CliException.unreachable("no answer from the node at " + endpoint() + " within "
        + timeout.toMillis() + " ms. Is it running? Start it with scripts/p2pdns-up, or point "
        + "--node at its control endpoint (the control= line of node.ready in its data dir)");
  }

  @Override
  public void close() {
    client.close();
  }
}

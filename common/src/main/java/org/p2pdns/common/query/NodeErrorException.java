package org.p2pdns.common.query;

/**
 * The node answered a request with an {@link NodeResponse.Error}, or with a response of another
 * type than the request asked for. {@link #error()} holds the node's error, when there was one.
 */
public final class NodeErrorException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient NodeResponse.Error error;

  public NodeErrorException(NodeResponse.Error error) {
    super("node refused the request: " + error.code() + ": " + error.message());
    this.error = error;
  }

  public NodeErrorException(String message) {
    super(message);
    this.error = null;
  }

  /** The node's error response, or null when the node answered with an unexpected type. */
  public NodeResponse.Error error() {
    return error;
  }
}

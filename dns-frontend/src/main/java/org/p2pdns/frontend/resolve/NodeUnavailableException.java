package org.p2pdns.frontend.resolve;

/** The node did not answer in time or is known to be down: network names get SERVFAIL. */
public final class NodeUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NodeUnavailableException(String message) {
    super(message, null, false, false);
  }
}

package org.p2pdns.cli;

/**
 * A failure the user is told about in one line on stderr, with the exit code the contract fixes:
 * 1 the node refused, 2 bad usage or input, 3 the node cannot be reached.
 */
public final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  public static final int REFUSED = 1;
  public static final int USAGE = 2;
  public static final int UNREACHABLE = 3;

  private final int exitCode;

  private CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The node (or the network's state it reports) says no: exit code 1. */
  public static CliException refused(String message) {
    return new CliException(REFUSED, message, null);
  }

  /** Bad arguments, files or keys: exit code 2. */
  public static CliException usage(String message) {
    return new CliException(USAGE, message, null);
  }

  public static CliException usage(String message, Throwable cause) {
    return new CliException(USAGE, message, cause);
  }

  /** No answer from the node: exit code 3. */
  public static CliException unreachable(String message) {
    return new CliException(UNREACHABLE, message, null);
  }

  public int exitCode() {
    return exitCode;
  }
}

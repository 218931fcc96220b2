package org.p2pdns.common.wire;

/** Bytes that do not decode: short input, a bad length, an unknown code, trailing garbage. */
public final class MalformedException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedException(String message) {
    super(message);
  }

  public MalformedException(String message, Throwable cause) {
    super(message, cause);
  }
}

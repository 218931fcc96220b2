package org.p2pdns.frontend.resolve;

/** How a query came in, which decides how large its answer may be. */
public enum Transport {
  UDP, TCP
}

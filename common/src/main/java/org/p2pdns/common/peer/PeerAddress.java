package org.p2pdns.common.peer;

import java.util.Locale;

/**
 * Where a node listens: a host (an IPv4 or IPv6 literal, or a DNS name) and a TCP port. An empty
 * host appears only in a node's own announcement and means "the source address of my
 * connection", for a node listening on a wildcard address that does not know its public one.
 */
public record PeerAddress(String host, int port) {
  /** Longest host text: a DNS name's 253 characters. */
  public static final int MAX_HOST_LENGTH = 253;

  public PeerAddress {
    host = host.toLowerCase(Locale.ROOT);
    String problem = hostProblem(host);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1..65535");
    }
  }

  /** Null when {@code host} is acceptable, else why not. */
  public static String hostProblem(String host) {
    if (host.length() > MAX_HOST_LENGTH) {
      return "host of " + host.length() + " characters exceeds " + MAX_HOST_LENGTH;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == ':';
      if (!ok) {
        return "host '" + host + "' has character '" + c + "' (letters, digits, '-', '.', ':')";
      }
    }
    return null;
  }

  /** Whether the host is the "source address of my connection" placeholder. */
  public boolean isSourcePlaceholder() {
    return host.isEmpty();
  }

  /** The same port at another host: fills in the source placeholder. */
  public PeerAddress withHost(String otherHost) {
    return new PeerAddress(otherHost, port);
  }

  /**
   * Parses {@code HOST:PORT} or {@code [IPV6]:PORT}. Throws {@link IllegalArgumentException} with
   * a message for people.
   */
  public static PeerAddress parse(String text) {
    String t = text.trim();
    String host;
    String port;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("'" + text + "' is not [IPV6]:PORT");
      }
      host = t.substring(1, close);
      port = t.substring(close + 2);
    } else {
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || t.indexOf(':') != colon) {
        throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (IPv6 as [ADDR]:PORT)");
      }
      host = t.substring(0, colon);
      port = t.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' has no host");
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
    }
    return new PeerAddress(host, p);
  }

  /** {@code HOST:PORT}, with brackets around an IPv6 literal; {@code :PORT} for the placeholder. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

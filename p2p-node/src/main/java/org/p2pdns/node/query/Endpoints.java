package org.p2pdns.node.query;

import java.io.IOException;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/** Binding JeroMQ sockets with errors people can act on, and reading back the real endpoint. */
final class Endpoints {
  private Endpoints() {}

  /**
   * Binds {@code socket} at {@code endpoint} and returns the endpoint really bound: for
   * {@code tcp://127.0.0.1:*} the port the system picked.
   */
  static String bind(ZMQ.Socket socket, String endpoint, String what) throws IOException {
    try {
      if (!socket.bind(endpoint)) {
        throw new IOException("cannot bind the " + what + " at " + endpoint);
      }
    } catch (ZMQException | IllegalArgumentException e) {
      throw new IOException("cannot bind the " + what + " at " + endpoint + ": "
          + e.getMessage() + " (is another node running? choose another endpoint)", e);
    }
    String bound = socket.getLastEndpoint();
    return bound == null ? endpoint : bound;
  }
}

package org.p2pdns.node.peer;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.p2pdns.common.peer.DisconnectReason;

/**
 * Sorts what reaches {@code exceptionCaught} by cause: the peer broke the protocol (score it,
 * close with a reason, DEBUG), the network failed (close, DEBUG), or we have a bug (ERROR with
 * the stack).
 */
final class PeerErrors {
  enum Kind { PROTOCOL, IO, BUG }

  record Triage(Kind kind, DisconnectReason reason, String message) {}

  private PeerErrors() {}

  static Triage triage(Throwable cause) {
    Throwable t = cause;
    // Netty wraps what a decoder throws; look through the wrappers for the real cause.
    while (t instanceof DecoderException && t.getCause() != null
        && !(t instanceof TooLongFrameException) && !(t instanceof CorruptedFrameException)) {
      t = t.getCause();
    }
    if (t instanceof PeerProtocolException p) {
      return new Triage(Kind.PROTOCOL, p.reason(), p.getMessage());
    }
    if (t instanceof TooLongFrameException || t instanceof CorruptedFrameException) {
      return new Triage(Kind.PROTOCOL, DisconnectReason.PROTOCOL_ERROR,
          "bad frame: " + t.getMessage());
    }
    if (t instanceof NotSslRecordException || t instanceof SSLException
        || t instanceof IOException) {
      return new Triage(Kind.IO, DisconnectReason.OTHER, t.getClass().getSimpleName() + ": "
          + t.getMessage());
    }
    return new Triage(Kind.BUG, DisconnectReason.OTHER, String.valueOf(t));
  }
}

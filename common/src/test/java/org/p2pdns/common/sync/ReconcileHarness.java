package org.p2pdns.common.sync;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.p2pdns.common.wire.MalformedException;

/** Runs two sessions against each other in memory and keeps what they found. */
final class ReconcileHarness {
  final ReconcileSession initiator;
  final ReconcileSession responder;
  int messages;
  long bytes;

  private ReconcileHarness(ReconcileSession initiator, ReconcileSession responder) {
    this.initiator = initiator;
    this.responder = responder;
  }

  static ReconcileHarness run(SyncItemSet a, SyncItemSet b, ReconcileLimits limits) throws MalformedException {
    ReconcileHarness h = new ReconcileHarness(new ReconcileSession(a, limits), new ReconcileSession(b, limits));
    byte[] msg = h.initiator.initiate();
    ReconcileSession next = h.responder;
    for (int i = 0; i < 2000; i++) {
      h.messages++;
      h.bytes += msg.length;
      Optional<byte[]> reply = next.receive(msg);
      if (reply.isEmpty()) {
        return h;
      }
      msg = reply.get();
      next = next == h.responder ? h.initiator : h.responder;
    }
    throw new AssertionError("no end after 2000 messages");
  }

  /** Round trips as the brief counts them: one message each way; the closing message counts too. */
  int roundTrips() {
    return (messages + 1) / 2;
  }

  /** Everything a session found the peer lacks: single digests plus whole ranges of its set. */
  static Set<ByteBuffer> lacks(ReconcileSession session, SyncItemSet items) {
    Set<ByteBuffer> s = new HashSet<>();
    for (byte[] d : session.remoteLacks()) {
      s.add(ByteBuffer.wrap(d));
    }
    for (KeyRange r : session.remoteLacksRanges()) {
      for (byte[] d : items.digests(items.positionOf(r.lower()), items.positionOf(r.upper()))) {
        s.add(ByteBuffer.wrap(d));
      }
    }
    return s;
  }

  static byte[] randomDigest(Random rnd) {
    byte[] d = new byte[32];
    rnd.nextBytes(d);
    return d;
  }
}

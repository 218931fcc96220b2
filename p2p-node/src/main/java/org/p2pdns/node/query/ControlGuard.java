package org.p2pdns.node.query;

import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.common.query.ControlKey;
import org.p2pdns.common.query.NodeResponse;

/**
 * The checks every control request (one that changes the node) passes before it is served: the
 * HMAC with the node's control key holds, its time is within {@link ControlKey#MAX_AGE_MILLIS} of
 * the node's clock, and the same request was not seen before (a copied request is refused).
 */
public final class ControlGuard {
  /** Most recent macs remembered against replay. */
  private static final int MAX_REMEMBERED = 10_000;

  private final Clock clock;
  private final Map<String, Long> seenMacs = new LinkedHashMap<>();

  public ControlGuard(Clock clock) {
    this.clock = clock;
  }

  /**
   * Empty when the request may be served; else the Error to answer.
   *
   * @param macHolds whether the request's mac verified with the control key
   */
  public Optional<NodeResponse> check(long requestId, String what, boolean macHolds,
      long issuedAt, byte[] mac) {
    long now = clock.millis();
    if (!macHolds) {
      return Optional.of(new NodeResponse.Error(requestId, NodeResponse.ErrorCode.UNAUTHORIZED,
          what + " needs the node's control key (" + ControlKey.FILE_NAME + " in its data dir)"));
    }
    if (Math.abs(now - issuedAt) > ControlKey.MAX_AGE_MILLIS) {
      return Optional.of(new NodeResponse.Error(requestId, NodeResponse.ErrorCode.UNAUTHORIZED,
          "the request's time is more than " + ControlKey.MAX_AGE_MILLIS / 1000
              + " s from the node's clock"));
    }
    synchronized (seenMacs) {
      seenMacs.values().removeIf(t -> now - t > 2 * ControlKey.MAX_AGE_MILLIS);
      if (seenMacs.size() >= MAX_REMEMBERED
          || seenMacs.putIfAbsent(HexFormat.of().formatHex(mac), now) != null) {
        return Optional.of(new NodeResponse.Error(requestId,
            NodeResponse.ErrorCode.UNAUTHORIZED, "a repeated control request"));
      }
    }
    return Optional.empty();
  }
}

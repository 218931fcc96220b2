package org.p2pdns.common.peer;

import java.util.Optional;
import org.p2pdns.common.crypto.NodeIds;

/**
 * A peer to dial, as given to {@code --bootstrap} or {@code p2pdns connect}: {@code ID@HOST:PORT}
 * pins the node id expected there (any other id is refused), {@code HOST:PORT} takes whichever node
 * answers.
 */
public record DialTarget(Optional<String> pinnedId, PeerAddress address) {
  public DialTarget {
    if (pinnedId.isPresent() && !NodeIds.isNodeId(pinnedId.get())) {
      throw new IllegalArgumentException("'" + pinnedId.get() + "' is not a node id (64 lower-case "
          + "hex digits)");
    }
    if (address.isSourcePlaceholder()) {
      throw new IllegalArgumentException("a dial target needs a host");
    }
  }

  public static DialTarget pinned(String nodeId, PeerAddress address) {
    return new DialTarget(Optional.of(nodeId), address);
  }

  public static DialTarget unpinned(PeerAddress address) {
    return new DialTarget(Optional.empty(), address);
  }

  /** Parses {@code ID@HOST:PORT} or {@code HOST:PORT}. */
  public static DialTarget parse(String text) {
    String t = text.trim();
    int at = t.indexOf('@');
    if (at < 0) {
      return unpinned(PeerAddress.parse(t));
    }
    String id = t.substring(0, at).toLowerCase(java.util.Locale.ROOT);
    return pinned(id, PeerAddress.parse(t.substring(at + 1)));
  }

  @Override
  public String toString() {
    return pinnedId.map(id -> id + "@").orElse("") + address;
  }
}

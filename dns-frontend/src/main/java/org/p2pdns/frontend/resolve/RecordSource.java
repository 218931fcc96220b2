package org.p2pdns.frontend.resolve;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where network names come from: the node, seen from the resolver. */
public interface RecordSource {
  /** The network suffixes, as the node last told them. */
  List<String> suffixes();

  /**
   * The state of registered name {@code name} (lower case, no trailing dot). Fails with
   * {@link NodeUnavailableException} when the node cannot answer in time.
   */
  CompletableFuture<NameState> lookup(String name);
}

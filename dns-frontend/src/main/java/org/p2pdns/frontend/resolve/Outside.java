package org.p2pdns.frontend.resolve;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/** The DNS outside the network's own records: upstream resolvers and delegated servers. */
interface Outside {
  /** Asks the upstream resolvers (recursion desired). */
  CompletableFuture<Message> forward(Name name, int type);

  /** Asks the name servers a delegation points to (no recursion), one after another. */
  CompletableFuture<Message> askServers(List<InetSocketAddress> servers, Name name, int type);
}

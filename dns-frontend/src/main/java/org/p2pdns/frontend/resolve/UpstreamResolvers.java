package org.p2pdns.frontend.resolve;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Asks other DNS servers: the configured upstream resolvers for names outside the network, and the
 * servers NS records in the network delegate to. One server after another until one answers; a
 * truncated UDP answer is asked again over TCP (dnsjava's {@link SimpleResolver} does that).
 */
final class UpstreamResolvers implements Outside {
  /** The EDNS payload we offer upstream. */
  static final int PAYLOAD = 1232;

  private final List<SimpleResolver> upstreams;
  private final Duration timeout;
  /** The upstream that answered last: asked first next time. */
  private final AtomicInteger preferred = new AtomicInteger();

  UpstreamResolvers(List<InetSocketAddress> addresses, Duration timeout) {
    this.timeout = timeout;
    List<SimpleResolver> list = new ArrayList<>();
    for (InetSocketAddress a : addresses) {
      list.add(resolverFor(a));
    }
    this.upstreams = List.copyOf(list);
  }

  boolean isEmpty() {
    return upstreams.isEmpty();
  }

  private SimpleResolver resolverFor(InetSocketAddress a) {
    SimpleResolver r = new SimpleResolver(a);
    r.setTimeout(timeout);
    return r;
  }

  @Override
  public CompletableFuture<Message> forward(Name name, int type) {
    return forward(query(name, type, DClass.IN, true, false, false));
  }

  /** Forwards a query as built by {@link #query}. */
  CompletableFuture<Message> forward(Message query) {
    if (upstreams.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("no upstream resolver configured"));
    }
    int first = preferred.get();
    return attempt(upstreams, first, 0, query, true);
  }

  @Override
  public CompletableFuture<Message> askServers(List<InetSocketAddress> servers, Name name,
      int type) {
    List<SimpleResolver> list = new ArrayList<>();
    for (InetSocketAddress a : servers) {
      list.add(resolverFor(a));
    }
    return attempt(list, 0, 0, query(name, type, DClass.IN, false, false, false), false);
  }

  private CompletableFuture<Message> attempt(List<SimpleResolver> list, int start, int tried,
      Message query, boolean remember) {
    int index = (start + tried) % list.size();
    return list.get(index).sendAsync(query).toCompletableFuture().handle((m, e) -> {
      if (e == null && m != null) {
        if (remember) {
          preferred.set(index);
        }
        return CompletableFuture.completedFuture(m);
      }
      if (tried + 1 >= list.size()) {
        return CompletableFuture.<Message>failedFuture(
            e != null ? e : new IllegalStateException("no answer"));
      }
      return attempt(list, start, tried + 1, query, remember);
    }).thenCompose(f -> f);
  }

  /** A query with our own EDNS; DO and CD as the client asked. */
  static Message query(Name name, int type, int dclass, boolean recursionDesired,
      boolean dnssecOk, boolean checkingDisabled) {
    Message q = Message.newQuery(Record.newRecord(name, type, dclass));
    if (!recursionDesired) {
      q.getHeader().unsetFlag(Flags.RD);
    }
    if (checkingDisabled) {
      q.getHeader().setFlag(Flags.CD);
    }
    q.addRecord(new OPTRecord(PAYLOAD, 0, 0, dnssecOk ? Flags.DO : 0), Section.ADDITIONAL);
    return q;
  }
}

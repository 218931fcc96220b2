package org.p2pdns.frontend.resolve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Record;

/**
 * An answer for a network name, before it becomes a message.
 *
 * @param authoritative AA: answered from the network's own records (not relayed from a delegated
 *     server)
 * @param ede an Extended DNS Error to attach, or null
 * @param lifetime seconds the answer may be cached, 0 for not at all
 * @param tags the registered names the answer was built from
 */
public record ZoneAnswer(int rcode, boolean authoritative, List<Record> answer,
    List<Record> authority, List<Record> additional, Ede ede, long lifetime, Set<String> tags) {

  /** An Extended DNS Error (RFC 8914): an info code and a text for people. */
  public record Ede(int code, String text) {}

  public ZoneAnswer {
    answer = List.copyOf(answer);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
    tags = Set.copyOf(tags);
  }

  /** This answer behind a CNAME chain: the chain first, the rest from {@code tail}. */
  ZoneAnswer prefixedBy(List<Record> chain, Set<String> moreTags, long chainLifetime) {
    List<Record> a = new ArrayList<>(chain);
    for (Record r : answer) {
      if (!a.contains(r)) {
        a.add(r);
      }
    }
    Set<String> t = new LinkedHashSet<>(moreTags);
    t.addAll(tags);
    return new ZoneAnswer(rcode, true, a, authority, additional, ede,
        Math.min(lifetime, chainLifetime), t);
  }
}

package org.p2pdns.frontend.resolve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The resource records of one registered name, indexed by owner, with the names that exist only
 * because something lies below them (empty non-terminals).
 */
final class Subtree {
  private final Name registered;
  private final Map<Name, List<Record>> byOwner = new HashMap<>();
  private final Set<Name> existing = new HashSet<>();

  Subtree(Name registered, List<Record> rrs) {
    this.registered = registered;
    existing.add(registered);
    for (Record r : rrs) {
      Name owner = r.getName();
      if (!owner.subdomain(registered)) {
        continue; // the node checked this; a stray record must not answer for others
      }
      byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(r);
      for (Name n = owner; n.labels() > registered.labels(); n = parent(n)) {
        existing.add(n);
      }
    }
  }

  Name registered() {
    return registered;
  }

  /** The records owned by exactly {@code name}; null if it owns none. */
  List<Record> at(Name name) {
    return byOwner.get(name);
  }

  /** Whether {@code name} exists: it owns records, lies above some, or is the registered name. */
  boolean exists(Name name) {
    return existing.contains(name);
  }

  List<Record> ofType(Name name, int type) {
    List<Record> at = byOwner.get(name);
    List<Record> out = new ArrayList<>();
    if (at != null) {
      for (Record r : at) {
        if (r.getType() == type) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /**
   * The highest name from the registered name down to {@code qname} that holds NS records: a
   * delegation cut. Null when there is none.
   */
  Name cutAbove(Name qname) {
    for (int labels = registered.labels(); labels <= qname.labels(); labels++) {
      Name n = new Name(qname, qname.labels() - labels);
      if (!ofType(n, org.xbill.DNS.Type.NS).isEmpty()) {
        return n;
      }
    }
    return null;
  }

  /** RFC 4592: the longest existing ancestor of a name that does not exist. */
  Name closestEncloser(Name qname) {
    for (Name n = parent(qname); n.labels() > registered.labels(); n = parent(n)) {
      if (existing.contains(n)) {
        return n;
      }
    }
    return registered;
  }

  static Name parent(Name n) {
    return new Name(n, 1);
  }
}

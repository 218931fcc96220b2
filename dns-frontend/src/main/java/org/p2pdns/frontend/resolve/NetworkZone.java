package org.p2pdns.frontend.resolve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.p2pdns.common.name.DomainNames;
import org.p2pdns.common.record.SignedRecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The network's names as a well-run authoritative zone per suffix: the apex answers SOA and NS,
 * a name nobody registered is NXDOMAIN with the SOA, a name without the asked type NODATA with the
 * SOA, empty non-terminals exist, CNAMEs inside the network are followed, wildcards follow
 * RFC 4592 and NS records below the apex delegate (answered by asking the delegated servers).
 */
public final class NetworkZone {
  /** CNAME links followed for one query, across registered names. */
  static final int MAX_CHAIN = 8;
  private static final Name LOCALHOST = Name.fromConstantString("localhost.");
  private static final Name WILDCARD = Name.fromConstantString("*");

  private final RecordSource source;
  private final Outside outside;
  private final int negativeTtl;
  private final int delegatedServerPort;
  private final Clock clock;

  NetworkZone(RecordSource source, Outside outside, int negativeTtl, int delegatedServerPort,
      Clock clock) {
    this.source = source;
    this.outside = outside;
    this.negativeTtl = negativeTtl;
    this.delegatedServerPort = delegatedServerPort;
    this.clock = clock;
  }

  /** The suffix {@code qname} lies at or under, if it is a network name. */
  Optional<String> suffixOf(Name qname) {
    return DomainNames.suffixOf(text(qname), source.suffixes());
  }

  /**
   * Answers {@code qname}; what follows each answer of the node runs on {@code executor}, never
   * on the node client's I/O thread.
   */
  CompletableFuture<ZoneAnswer> resolve(Name qname, int qtype, Executor executor) {
    return resolve(qname, qtype, 0, new HashSet<>(), executor);
  }

  private CompletableFuture<ZoneAnswer> resolve(Name qname, int qtype, int depth,
      Set<Name> seen, Executor executor) {
    seen.add(qname);
    String name = text(qname);
    List<String> suffixes = source.suffixes();
    Optional<String> suffix = DomainNames.suffixOf(name, suffixes);
    if (suffix.isEmpty()) {
      throw new IllegalArgumentException(name + " is not a network name");
    }
    Name apex = absolute(suffix.get());
    if (qname.equals(apex)) {
      return CompletableFuture.completedFuture(apexAnswer(apex, qtype));
    }
    String registered = DomainNames.registrableOf(name, suffixes).orElseThrow();
    String label = registered.substring(0, registered.indexOf('.'));
    if (!DomainNames.isLdhLabel(label)) {
      // Not a name anyone can register: no need to ask the node.
      return CompletableFuture.completedFuture(negative(Rcode.NXDOMAIN, apex, Set.of()));
    }
    return source.lookup(registered).thenComposeAsync(
        state -> fromState(state, qname, qtype, apex, registered, depth, seen, executor),
        executor);
  }

  private CompletableFuture<ZoneAnswer> fromState(NameState state, Name qname, int qtype,
      Name apex, String registered, int depth, Set<Name> seen, Executor executor) {
    Set<String> tags = Set.of(registered);
    switch (state.status()) {
      case NOT_FOUND:
      case EXPIRED:
      case REVOKED:
        return done(negative(Rcode.NXDOMAIN, apex, tags));
      case CONTESTED:
        String why = state.detail() == null || state.detail().isBlank() ? ""
            : ": " + state.detail();
        return done(new ZoneAnswer(Rcode.SERVFAIL, false, List.of(), List.of(), List.of(),
            new ZoneAnswer.Ede(ExtendedErrorCodeOption.OTHER,
                "the name " + registered + " is contested between peers of the p2p network"
                    + why),
            Math.min(5, negativeTtl), tags));
      case FOUND:
        break;
      default:
        throw new IllegalStateException("unknown status " + state.status());
    }
    SignedRecord record = state.record();
    long remaining = record.expiresAt() - clock.instant().getEpochSecond();
    if (record.kind() != SignedRecord.Kind.DATA || remaining <= 0) {
      return done(negative(Rcode.NXDOMAIN, apex, tags));
    }
    Subtree tree = new Subtree(absolute(registered), record.rrs());
    Name cut = tree.cutAbove(qname);
    if (cut != null) {
      return delegate(tree, cut, qname, qtype, tags, executor);
    }
    List<Record> here = tree.at(qname);
    Name owner = qname;
    if (here == null) {
      if (tree.exists(qname)) {
        return done(negative(Rcode.NOERROR, apex, tags)); // empty non-terminal
      }
      Name wildcard = wildcardAt(tree.closestEncloser(qname));
      here = tree.at(wildcard);
      if (here == null) {
        return done(negative(Rcode.NXDOMAIN, apex, tags));
      }
      owner = wildcard;
    }
    List<Record> answer = new ArrayList<>();
    Record cname = null;
    for (Record r : here) {
      if (qtype == Type.ANY || r.getType() == qtype) {
        answer.add(owner == qname ? r : r.withName(qname));
      } else if (r.getType() == Type.CNAME) {
        cname = owner == qname ? r : r.withName(qname);
      }
    }
    if (!answer.isEmpty()) {
      return done(new ZoneAnswer(Rcode.NOERROR, true, answer, List.of(), List.of(), null,
          Math.min(minTtl(answer), remaining), tags));
    }
    if (cname == null) {
      return done(negative(Rcode.NOERROR, apex, tags));
    }
    return chase((CNAMERecord) cname, qtype, depth, seen, tags, remaining, executor);
  }

  private CompletableFuture<ZoneAnswer> chase(CNAMERecord cname, int qtype, int depth,
      Set<Name> seen, Set<String> tags, long remaining, Executor executor) {
    Name target = cname.getTarget();
    List<Record> chain = List.of(cname);
    long lifetime = Math.min(cname.getTTL(), remaining);
    if (depth + 1 >= MAX_CHAIN || seen.contains(target)) {
      // A loop or a chain too long: give what we have; the client sees where it goes.
      return done(new ZoneAnswer(Rcode.NOERROR, true, chain, List.of(), List.of(), null,
          lifetime, tags));
    }
    if (suffixOf(target).isPresent()) {
      return resolve(target, qtype, depth + 1, seen, executor)
          .thenApply(tail -> tail.prefixedBy(chain, tags, lifetime));
    }
    return outside.forward(target, qtype).handle((m, e) -> {
      if (e != null) {
        return new ZoneAnswer(Rcode.NOERROR, true, chain, List.of(), List.of(), null, 0, tags);
      }
      List<Record> answer = new ArrayList<>(chain);
      answer.addAll(m.getSection(Section.ANSWER));
      return new ZoneAnswer(m.getRcode(), true, answer, withoutOpt(m, Section.AUTHORITY),
          List.of(), null, Math.min(lifetime, Lifetimes.of(m)), tags);
    });
  }

  private CompletableFuture<ZoneAnswer> delegate(Subtree tree, Name cut, Name qname, int qtype,
      Set<String> tags, Executor executor) {
    List<Record> ns = tree.ofType(cut, Type.NS);
    List<InetSocketAddress> servers = new ArrayList<>();
    List<Name> unglued = new ArrayList<>();
    for (Record r : ns) {
      Name host = ((NSRecord) r).getTarget();
      List<InetAddress> glue = new ArrayList<>();
      for (Record g : tree.ofType(host, Type.A)) {
        glue.add(((ARecord) g).getAddress());
      }
      for (Record g : tree.ofType(host, Type.AAAA)) {
        glue.add(((AAAARecord) g).getAddress());
      }
      if (glue.isEmpty()) {
        unglued.add(host);
      }
      for (InetAddress a : glue) {
        servers.add(new InetSocketAddress(a, delegatedServerPort));
      }
    }
    CompletableFuture<List<InetSocketAddress>> all;
    if (!servers.isEmpty()) {
      all = done(servers);
    } else {
      // No glue: find the name servers' addresses, in the network or outside it.
      List<CompletableFuture<List<InetAddress>>> lookups = new ArrayList<>();
      for (Name host : unglued) {
        lookups.add(addressesOf(host, executor));
      }
      all = CompletableFuture.allOf(lookups.toArray(new CompletableFuture<?>[0]))
          .handle((v, e) -> {
            List<InetSocketAddress> found = new ArrayList<>();
            for (CompletableFuture<List<InetAddress>> f : lookups) {
              if (!f.isCompletedExceptionally()) {
                for (InetAddress a : f.join()) {
                  found.add(new InetSocketAddress(a, delegatedServerPort));
                }
              }
            }
            return found;
          });
    }
    return all.thenCompose(list -> {
      if (list.isEmpty()) {
        return done(servfail(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
            "no address for the name servers " + cut + " is delegated to", tags));
      }
      return outside.askServers(list, qname, qtype).handle((m, e) -> {
        if (e != null) {
          return servfail(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
              "the name servers " + cut + " is delegated to did not answer", tags);
        }
        return new ZoneAnswer(m.getRcode(), false, m.getSection(Section.ANSWER),
            withoutOpt(m, Section.AUTHORITY), withoutOpt(m, Section.ADDITIONAL), null,
            Lifetimes.of(m), tags);
      });
    });
  }

  private CompletableFuture<List<InetAddress>> addressesOf(Name host, Executor executor) {
    CompletableFuture<List<Record>> records;
    if (suffixOf(host).isPresent()) {
      records = resolve(host, Type.A, executor).thenApply(ZoneAnswer::answer);
    } else {
      records = outside.forward(host, Type.A).thenApply(m -> m.getSection(Section.ANSWER));
    }
    return records.thenApply(rs -> {
      List<InetAddress> out = new ArrayList<>();
      for (Record r : rs) {
        if (r instanceof ARecord a) {
          out.add(a.getAddress());
        }
      }
      return out;
    });
  }

  private ZoneAnswer apexAnswer(Name apex, int qtype) {
    List<Record> answer = new ArrayList<>();
    if (qtype == Type.SOA || qtype == Type.ANY) {
      answer.add(soa(apex));
    }
    if (qtype == Type.NS || qtype == Type.ANY) {
      answer.add(new NSRecord(apex, DClass.IN, negativeTtl, LOCALHOST));
    }
    if (answer.isEmpty()) {
      return negative(Rcode.NOERROR, apex, Set.of());
    }
    return new ZoneAnswer(Rcode.NOERROR, true, answer, List.of(), List.of(), null, negativeTtl,
        Set.of());
  }

  /**
   * The suffix's SOA, made up: there is no zone file or transfer, so the serial stays 1; the name
   * server is this host (the front-end answers for the suffix); the minimum is the negative TTL.
   */
  SOARecord soa(Name apex) {
    try {
      return new SOARecord(apex, DClass.IN, negativeTtl, LOCALHOST,
          Name.concatenate(Name.fromString("hostmaster"), apex), 1, 3600, 600, 86400,
          negativeTtl);
    } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
      throw new IllegalStateException(e);
    }
  }

  /** NXDOMAIN or NODATA: the SOA in authority, cached for the negative TTL (RFC 2308). */
  private ZoneAnswer negative(int rcode, Name apex, Set<String> tags) {
    return new ZoneAnswer(rcode, true, List.of(), List.of(soa(apex)), List.of(), null,
        negativeTtl, tags);
  }

  private static ZoneAnswer servfail(int edeCode, String text, Set<String> tags) {
    return new ZoneAnswer(Rcode.SERVFAIL, false, List.of(), List.of(), List.of(),
        new ZoneAnswer.Ede(edeCode, text), 0, tags);
  }

  private static List<Record> withoutOpt(Message m, int section) {
    List<Record> out = new ArrayList<>();
    for (Record r : m.getSection(section)) {
      if (r.getType() != Type.OPT) {
        out.add(r);
      }
    }
    return out;
  }

  private static long minTtl(List<Record> rs) {
    long min = Long.MAX_VALUE;
    for (Record r : rs) {
      min = Math.min(min, r.getTTL());
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }

  /** {@code *.encloser}: never too long, as the encloser lost at least one label of two bytes. */
  private static Name wildcardAt(Name encloser) {
    try {
      return Name.concatenate(WILDCARD, encloser);
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  static String text(Name name) {
    return DomainNames.normalize(name.toString(true));
  }

  static Name absolute(String name) {
    try {
      return Name.fromString(name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(name, e);
    }
  }
}

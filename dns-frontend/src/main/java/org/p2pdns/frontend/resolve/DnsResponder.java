package org.p2pdns.frontend.resolve;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.p2pdns.frontend.FrontendConfig;
import org.p2pdns.frontend.cache.AnswerCache;
import org.p2pdns.frontend.cache.CachedAnswer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns the bytes of one DNS query into the bytes of its answer: the reply rules of dnsjava's
 * jnamed, the cache, then network names from the node and every other name from upstream.
 *
 * <ul>
 *   <li>QR set: dropped (null answer). Unparseable: FORMERR if the header is readable. Opcode other
 *       than QUERY: NOTIMP. EDNS version above 0: BADVERS.
 *   <li>UDP answers fit the client's EDNS payload (at least 512, at most ours) or are truncated
 *       with TC; TCP answers are whole. RD is copied, RA set.
 *   <li>Names under a network suffix are answered by {@link NetworkZone} and never sent upstream.
 * </ul>
 */
public final class DnsResponder {
  private static final Logger log = LoggerFactory.getLogger(DnsResponder.class);
  private static final int HEADER = 12;
  private static final int TCP_LIMIT = 65535;

  private final FrontendConfig config;
  private final AnswerCache cache;
  private final UpstreamResolvers upstreams;
  private final NetworkZone zone;

  public DnsResponder(FrontendConfig config, AnswerCache cache, RecordSource source,
      Clock clock) {
    this.config = config;
    this.cache = cache;
    this.upstreams = new UpstreamResolvers(config.upstreams(), config.upstreamTimeout());
    this.zone = new NetworkZone(source, upstreams, config.negativeTtl(),
        config.delegatedServerPort(), clock);
  }

  /**
   * The answer to {@code query}, or null to send nothing. Completes at once from the cache; else
   * the work after the node or an upstream answered runs on {@code executor}.
   */
  public CompletableFuture<byte[]> respond(byte[] query, Transport transport, Executor executor) {
    QuickQuery quick = QuickQuery.parse(query);
    if (quick != null) {
      CachedAnswer cached = cache.get(quick.key());
      if (cached != null) {
        int limit = limit(transport, quick.edns() != 0, quick.payload());
        byte[] out = cached.render(query, quick.qnameEnd(), cache.nowMillis());
        return CompletableFuture.completedFuture(out.length <= limit ? out : truncate(out, limit));
      }
    }
    try {
      return resolve(query, quick, transport, executor);
    } catch (RuntimeException e) {
      log.error("answering a query failed", e);
      return CompletableFuture.completedFuture(headerOnly(query, Rcode.SERVFAIL));
    }
  }

  private CompletableFuture<byte[]> resolve(byte[] query, QuickQuery quick, Transport transport,
      Executor executor) {
    if (query.length < HEADER || (query[2] & 0x80) != 0) {
      return CompletableFuture.completedFuture(null); // not a query: never answer an answer
    }
    Message m;
    try {
      m = new Message(query);
    } catch (IOException e) {
      log.debug("unparseable query: {}", e.getMessage());
      return CompletableFuture.completedFuture(headerOnly(query, Rcode.FORMERR));
    }
    Header h = m.getHeader();
    OPTRecord opt = m.getOPT();
    int limit = transport == Transport.TCP ? TCP_LIMIT
        : limit(transport, opt != null, opt == null ? 0 : opt.getPayloadSize());
    if (h.getOpcode() != Opcode.QUERY) {
      return done(render(error(m, Rcode.NOTIMP, null), limit));
    }
    Record question = m.getQuestion();
    if (question == null || h.getCount(Section.QUESTION) != 1
        || h.getCount(Section.ANSWER) != 0) {
      return done(render(error(m, Rcode.FORMERR, null), limit));
    }
    if (opt != null && opt.getVersion() > 0) {
      return done(render(error(m, Rcode.BADVERS, null), limit));
    }
    Name qname = question.getName();
    int qtype = question.getType();
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      return done(render(error(m, Rcode.REFUSED, null), limit));
    }
    long generation = cache.generation();
    if (zone.suffixOf(qname).isPresent()) {
      if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
        return done(render(error(m, Rcode.REFUSED, null), limit));
      }
      return zone.resolve(qname, qtype, executor).handleAsync((answer, e) -> {
        if (e != null) {
          return render(nodeFailure(m, e), limit);
        }
        Message reply = networkReply(m, answer);
        byte[] full = reply.toWire();
        if (quick != null) {
          cache.put(quick.key(), full, Math.min(answer.lifetime(), config.maxTtl()),
              List.copyOf(answer.tags()), generation);
        }
        return fit(reply, full, limit);
      }, executor);
    }
    if (upstreams.isEmpty()) {
      return done(render(error(m, Rcode.SERVFAIL, new ZoneAnswer.Ede(
          ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
          "no upstream resolver is configured (frontend.upstream)")), limit));
    }
    boolean dnssecOk = opt != null && (opt.getFlags() & Flags.DO) != 0;
    Message forwarded = UpstreamResolvers.query(qname, qtype, question.getDClass(), true,
        dnssecOk, h.getFlag(Flags.CD));
    return upstreams.forward(forwarded).handleAsync((up, e) -> {
      if (e != null) {
        log.debug("no upstream answered {} {}: {}", qname, Type.string(qtype), e.toString());
        return render(error(m, Rcode.SERVFAIL, new ZoneAnswer.Ede(
            ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
            "no upstream resolver answered")), limit);
      }
      Message reply = relayed(m, up);
      byte[] full = reply.toWire();
      if (quick != null) {
        cache.put(quick.key(), full, Math.min(Lifetimes.of(up), config.maxTtl()), List.of(),
            generation);
      }
      return fit(reply, full, limit);
    }, executor);
  }

  private Message nodeFailure(Message query, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof NodeUnavailableException || cause instanceof TimeoutException) {
      return error(query, Rcode.SERVFAIL, new ZoneAnswer.Ede(
          ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
          "the p2p node did not answer: " + cause.getMessage()));
    }
    log.error("answering a network name failed", cause);
    return error(query, Rcode.SERVFAIL, null);
  }

  /** The UDP size limit: the client's EDNS payload within [512, ours]; 512 without EDNS. */
  private int limit(Transport transport, boolean edns, int payload) {
    if (transport == Transport.TCP) {
      return TCP_LIMIT;
    }
    return edns ? Math.max(512, Math.min(payload, config.maxUdpPayload())) : 512;
  }

  /** A reply to {@code query} with its question, RD copied, RA set, and our OPT if it had one. */
  private Message reply(Message query, int rcode, ZoneAnswer.Ede ede) {
    Message r = new Message(query.getHeader().getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setOpcode(query.getHeader().getOpcode());
    h.setRcode(rcode & 0xF);
    Record q = query.getQuestion();
    if (q != null) {
      r.addRecord(q, Section.QUESTION);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      List<EDNSOption> options = new ArrayList<>();
      if (ede != null) {
        options.add(new ExtendedErrorCodeOption(ede.code(), ede.text()));
      }
      r.addRecord(new OPTRecord(config.maxUdpPayload(), rcode >>> 4, 0,
          opt.getFlags() & Flags.DO, options), Section.ADDITIONAL);
    }
    return r;
  }

  private Message error(Message query, int rcode, ZoneAnswer.Ede ede) {
    return reply(query, rcode, ede);
  }

  private Message networkReply(Message query, ZoneAnswer a) {
    Message r = reply(query, a.rcode(), a.ede());
    if (a.authoritative()) {
      r.getHeader().setFlag(Flags.AA);
    }
    add(r, a.answer(), Section.ANSWER);
    add(r, a.authority(), Section.AUTHORITY);
    add(r, a.additional(), Section.ADDITIONAL);
    return r;
  }

  /** An upstream's answer relayed: its sections and rcode, our header flags and EDNS. */
  private Message relayed(Message query, Message up) {
    Message r = reply(query, up.getRcode(), null);
    boolean wantsAd = query.getHeader().getFlag(Flags.AD)
        || (query.getOPT() != null && (query.getOPT().getFlags() & Flags.DO) != 0);
    if (wantsAd && up.getHeader().getFlag(Flags.AD)) {
      r.getHeader().setFlag(Flags.AD);
    }
    if (query.getHeader().getFlag(Flags.CD)) {
      r.getHeader().setFlag(Flags.CD);
    }
    add(r, up.getSection(Section.ANSWER), Section.ANSWER);
    add(r, up.getSection(Section.AUTHORITY), Section.AUTHORITY);
    add(r, up.getSection(Section.ADDITIONAL), Section.ADDITIONAL);
    return r;
  }

  private static void add(Message r, List<Record> records, int section) {
    for (Record rec : records) {
      if (rec.getType() != Type.OPT) {
        r.addRecord(rec, section);
      }
    }
  }

  private static byte[] render(Message m, int limit) {
    return fit(m, m.toWire(), limit);
  }

  /** {@code full} if it fits in {@code limit}, else the message truncated to fit, with TC. */
  private static byte[] fit(Message m, byte[] full, int limit) {
    return full.length <= limit ? full : m.toWire(limit);
  }

  private static byte[] truncate(byte[] full, int limit) {
    try {
      return new Message(full).toWire(limit);
    } catch (IOException e) {
      throw new IllegalStateException("a cached answer does not parse", e);
    }
  }

  private static CompletableFuture<byte[]> done(byte[] bytes) {
    return CompletableFuture.completedFuture(bytes);
  }

  /** A bare header: the query's id, opcode and RD, QR set, {@code rcode}, no sections. */
  private static byte[] headerOnly(byte[] query, int rcode) {
    if (query.length < HEADER || (query[2] & 0x80) != 0) {
      return null;
    }
    byte[] out = new byte[HEADER];
    out[0] = query[0];
    out[1] = query[1];
    out[2] = (byte) (0x80 | (query[2] & 0x79)); // QR, opcode and RD of the query
    out[3] = (byte) (0x80 | (rcode & 0xF)); // RA
    return out;
  }
}

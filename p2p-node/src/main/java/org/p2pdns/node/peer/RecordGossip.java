package org.p2pdns.node.peer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.peer.PeerMessageCodec;
import org.p2pdns.common.record.Commitment;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordListener;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.ratelimit.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads records by push: every record the node stores (from a client or a peer) goes to every
 * link except the one it came from; every RECORD a peer pushes goes through the node's one record
 * path ({@link RecordService#submit}), validated before it is stored or forwarded. Duplicates are
 * not forwarded: the record service reports them as DUPLICATE and tells no listener, and a short
 * memory of recent digests skips even their validation. Also answers RECORD_REQUEST by name and
 * by page (the whole-store transfer); {@link CatchUp} answers it by digest.
 */
public final class RecordGossip implements PeerMessageListener, RecordListener {
  private static final Logger LOG = LoggerFactory.getLogger(RecordGossip.class);
  /** Recent digests remembered, to drop repeats without validating them again. */
  private static final int SEEN_CAPACITY = 65_536;
  /** A record that went this many hops is stored but not forwarded again. */
  static final int MAX_HOPS = 64;
  /** Refusals that show the sender forwarded something no honest node would. */
  private static final Set<RefusalReason> SENDER_AT_FAULT = EnumSet.of(RefusalReason.MALFORMED,
      RefusalReason.BAD_SIGNATURE, RefusalReason.BAD_NAME, RefusalReason.OUTSIDE_SUBTREE,
      RefusalReason.TOO_LARGE, RefusalReason.BAD_RR, RefusalReason.INSUFFICIENT_POW,
      RefusalReason.BAD_LIFETIME, RefusalReason.EARLY_REVEAL);

  /**
   * RECORD pushes one link may bring at once, and per second after that. The excess is dropped
   * before validation and costs the peer nothing (an honest relay can burst), and the link is not
   * read for a moment, so the sender is slowed to the rate; reconciliation at the next link-up
   * repairs what an honest burst lost. Bounds the work one peer can make this node do.
   */
  static final int PUSH_BURST = 2_000;
  static final double PUSH_PER_SECOND = 200;
  /** How long a link over its budget is not read: about ten tokens' worth. */
  static final long PAUSE_MILLIS = 50;

  private final RecordService records;
  private final PeerNetwork network;
  private final java.time.Clock clock;
  private final Map<PeerLink, TokenBucket> pushBudgets =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong overLimit = new AtomicLong();
  /** Digest (hex) to the hop count it arrived with; insertion order, bounded. */
  private final Map<String, Integer> seen = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > SEEN_CAPACITY;
    }
  };
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong repeats = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();

  public RecordGossip(RecordService records, PeerNetwork network, java.time.Clock clock) {
    this.records = records;
    this.network = network;
    this.clock = clock;
    records.setEvidenceAsker((peerId, name) -> network.link(peerId)
        .ifPresent(l -> l.send(new PeerMessage.LineageQuery(name))));
  }

  public RecordGossip(RecordService records, PeerNetwork network) {
    this(records, network, java.time.Clock.systemUTC());
  }

  @Override
  public void onLinkUp(PeerLink link) {
    pushBudgets.put(link, new TokenBucket(PUSH_BURST, PUSH_PER_SECOND, clock.millis()));
  }

  @Override
  public void onLinkDown(PeerLink link) {
    pushBudgets.remove(link);
  }

  @Override
  public void onMessage(PeerLink link, PeerMessage message) {
    if (message instanceof PeerMessage.RecordPush push) {
      onPush(link, push);
    } else if (message instanceof PeerMessage.CommitmentPush push) {
      onCommitment(link, push);
    } else if (message instanceof PeerMessage.LineageQuery q) {
      Optional<RecordService.LineageFacts> facts = records.lineageFacts(q.name());
      link.send(facts.isEmpty()
          ? new PeerMessage.Lineage(q.name(), Optional.empty(), Optional.empty(), 0)
          : new PeerMessage.Lineage(q.name(), Optional.of(facts.get().lineage()),
              facts.get().countedTime(), facts.get().heldSince()));
    } else if (message instanceof PeerMessage.Lineage l) {
      records.peerLineage(link.nodeId(), l.name(), l.lineage(), l.countedTime())
          .ifPresent(waiting -> records.submit(waiting, Origin.peer(link.nodeId())));
    } else if (message instanceof PeerMessage.RecordsByName r) {
      List<byte[]> out = new ArrayList<>();
      for (String name : r.names()) {
        records.current(name).ifPresent(rec -> out.add(rec.encoded()));
      }
      sendPaged(link, r.requestId(), out, false);
    } else if (message instanceof PeerMessage.RecordPage r) {
      // One RECORDS frame per page: when the records do not fit, the page ends early with
      // more = 1 and the asker goes on after its last name.
      RecordService.NamesPage page = records.names(r.afterName(), r.limit());
      List<byte[]> out = new ArrayList<>(page.names().size());
      int bytes = PeerMessageCodec.RECORDS_OVERHEAD;
      boolean more = page.more();
      for (String name : page.names()) {
        Optional<SignedRecord> rec = records.current(name);
        if (rec.isEmpty()) {
          continue;
        }
        int add = rec.get().encodedLength() + PeerMessageCodec.RECORDS_PER_RECORD_OVERHEAD;
        if (!out.isEmpty() && bytes + add > PeerMessageCodec.MAX_FRAME_BYTES) {
          more = true;
          break;
        }
        out.add(rec.get().encoded());
        bytes += add;
      }
      link.send(new PeerMessage.Records(r.requestId(), out, more));
    }
    // RECORD_REQUEST by digest is answered by CatchUp, which keeps the digest index.
  }

  /**
   * Sends the records in as few RECORDS frames as the frame limit allows; every frame but the
   * last says more = 1 (further frames with the same request id follow).
   */
  private static void sendPaged(PeerLink link, long requestId, List<byte[]> encoded,
      boolean more) {
    List<byte[]> page = new ArrayList<>();
    int bytes = PeerMessageCodec.RECORDS_OVERHEAD;
    for (byte[] r : encoded) {
      int add = r.length + PeerMessageCodec.RECORDS_PER_RECORD_OVERHEAD;
      if (!page.isEmpty() && bytes + add > PeerMessageCodec.MAX_FRAME_BYTES) {
        link.send(new PeerMessage.Records(requestId, page, true));
        page = new ArrayList<>();
        bytes = PeerMessageCodec.RECORDS_OVERHEAD;
      }
      page.add(r);
      bytes += add;
    }
    link.send(new PeerMessage.Records(requestId, page, more));
  }

  private void onPush(PeerLink link, PeerMessage.RecordPush push) {
    received.incrementAndGet();
    TokenBucket budget = pushBudgets.get(link);
    if (budget != null) {
      boolean ok;
      synchronized (budget) {
        ok = budget.tryTake(clock.millis());
      }
      if (!ok) {
        overLimit.incrementAndGet();
        // Back-pressure: stop reading the link until a token is due, so that a flooder's
        // records wait in its own socket instead of being decrypted here and dropped.
        link.pauseReading(PAUSE_MILLIS);
        return;
      }
    }
    String digest = HexFormat.of().formatHex(push.digest());
    synchronized (seen) {
      if (seen.containsKey(digest)) {
        repeats.incrementAndGet();
        return;
      }
      seen.put(digest, push.hops());
    }
    records.submit(push.record(), Origin.peer(link.nodeId())).whenComplete((result, err) -> {
      if (err != null) {
        LOG.error("submitting a record from peer {} failed", link.nodeId(), err);
        return;
      }
      Optional<RefusalReason> reason = result.refusal().map(RefusalReason.Refusal::reason);
      if (reason.isPresent()) {
        synchronized (seen) {
          seen.remove(digest); // another copy may yet be valid later (e.g. after a clock catch-up)
        }
        if (SENDER_AT_FAULT.contains(reason.get())) {
          invalid.incrementAndGet();
          LOG.debug("peer {} pushed an invalid record: {}", link.nodeId(), result);
          link.penalize(PeerScore.Offence.INVALID_RECORD);
        }
      }
    });
  }

  private void onCommitment(PeerLink link, PeerMessage.CommitmentPush push) {
    Commitment c;
    try {
      c = Commitment.decode(push.commitment());
    } catch (MalformedException e) {
      LOG.debug("peer {} pushed a malformed commitment: {}", link.nodeId(), e.getMessage());
      link.penalize(PeerScore.Offence.INVALID_RECORD);
      return;
    }
    records.submitCommitment(c, Origin.peer(link.nodeId())).whenComplete((result, err) -> {
      if (err != null) {
        LOG.error("submitting a commitment from peer {} failed", link.nodeId(), err);
        return;
      }
      if (result.refusal().map(r -> r.reason() == RefusalReason.INSUFFICIENT_POW).orElse(false)) {
        invalid.incrementAndGet();
        LOG.debug("peer {} pushed a commitment without its work", link.nodeId());
        link.penalize(PeerScore.Offence.INVALID_RECORD);
      }
    });
  }

  /** A commitment this node now keeps: push it to every other link, once. */
  @Override
  public void commitmentKept(Commitment commitment, Origin origin) {
    String from = origin instanceof Origin.Peer p ? p.nodeId() : null;
    PeerMessage.CommitmentPush push = new PeerMessage.CommitmentPush(commitment.encode());
    for (PeerLink link : network.links()) {
      if (!link.nodeId().equals(from) && link.send(push)) {
        forwarded.incrementAndGet();
      }
    }
  }

  /** Called on the record writer thread after a record was stored: push it on. */
  @Override
  public void recordStored(SignedRecord record, Origin origin) {
    if (origin instanceof Origin.Voted) {
      return; // a new node's voted record: every peer it asked holds it already
    }
    String digest = record.digestHex();
    int hops;
    synchronized (seen) {
      Integer arrived = seen.get(digest);
      hops = arrived == null ? 0 : arrived + 1;
      seen.putIfAbsent(digest, hops);
    }
    if (hops >= MAX_HOPS) {
      return;
    }
    String from = origin instanceof Origin.Peer p ? p.nodeId() : null;
    PeerMessage.RecordPush push = new PeerMessage.RecordPush(hops, record.encoded());
    for (PeerLink link : network.links()) {
      if (!link.nodeId().equals(from) && link.send(push)) {
        forwarded.incrementAndGet();
      }
    }
  }

  /** One line for people: what gossip did since start. */
  public String summary() {
    return received.get() + " records received (" + repeats.get() + " repeats, " + invalid.get()
        + " invalid, " + overLimit.get() + " over a peer's rate limit), " + forwarded.get()
        + " sent";
  }
}

package org.p2pdns.node.trust;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.common.peer.Endorsement;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.node.peer.PeerLink;
import org.p2pdns.node.peer.PeerMessageListener;
import org.p2pdns.node.peer.PeerNetwork;
import org.p2pdns.node.peer.PeerScore;
import org.p2pdns.node.ratelimit.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads endorsements (docs/protocol.md 3.3 ENDORSEMENTS): sends every endorsement held to a
 * peer when its link comes up, checks the signatures of what peers send on a thread of its own,
 * stores the new ones in the {@link WebOfTrust} and pushes them to every link.
 *
 * <p>A peer that sends an endorsement whose signature does not hold loses score (as for a bad
 * node announcement). Each link may bring at most {@link #BURST} endorsements at once and
 * {@link #PER_SECOND} a second after that; the excess is dropped unread (the peer sends all it
 * holds again at the next link), so a peer cannot make this node verify signatures without
 * bound. Messages waiting for the checking thread are bounded too.
 */
public final class EndorsementGossip implements PeerMessageListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndorsementGossip.class);
  /** Endorsement lists a link may bring at once: every list a node keeps, twice over. */
  static final int BURST = 2 * WebOfTrust.MAX_ENDORSERS;
  static final double PER_SECOND = 50;
  private static final int MAX_QUEUED_MESSAGES = 256;

  private final WebOfTrust web;
  private final PeerNetwork network;
  private final Clock clock;
  private final ExecutorService checker;
  private final Map<PeerLink, TokenBucket> budgets = new ConcurrentHashMap<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  public EndorsementGossip(WebOfTrust web, PeerNetwork network, Clock clock) {
    this.web = web;
    this.network = network;
    this.clock = clock;
    this.checker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(MAX_QUEUED_MESSAGES), r -> {
          Thread t = new Thread(r, "endorsement-checker");
          t.setDaemon(true);
          return t;
        });
    web.addListener(this::push);
  }

  @Override
  public void onLinkUp(PeerLink link) {
    budgets.put(link, new TokenBucket(BURST, PER_SECOND, clock.millis()));
    List<Endorsement> all = web.all();
    for (int i = 0; i < all.size(); i += PeerMessage.MAX_ENDORSEMENTS) {
      link.send(new PeerMessage.Endorsements(all.subList(i,
          Math.min(all.size(), i + PeerMessage.MAX_ENDORSEMENTS))));
    }
  }

  @Override
  public void onLinkDown(PeerLink link) {
    budgets.remove(link);
  }

  @Override
  public void onMessage(PeerLink link, PeerMessage message) {
    if (!(message instanceof PeerMessage.Endorsements m) || m.endorsements().isEmpty()) {
      return;
    }
    TokenBucket budget = budgets.get(link);
    if (budget == null) {
      return;
    }
    List<Endorsement> taken = new ArrayList<>(m.endorsements().size());
    synchronized (budget) {
      long now = clock.millis();
      for (Endorsement e : m.endorsements()) {
        if (budget.tryTake(now)) {
          taken.add(e);
        }
      }
    }
    received.addAndGet(m.endorsements().size());
    dropped.addAndGet(m.endorsements().size() - taken.size());
    if (taken.isEmpty()) {
      return;
    }
    try {
      checker.execute(() -> check(link, taken));
    } catch (RejectedExecutionException e) {
      dropped.addAndGet(taken.size());
      LOG.debug("endorsements from {} dropped: the checker is busy", link.nodeId());
    }
  }

  private void check(PeerLink link, List<Endorsement> endorsements) {
    byte[] networkId = web.networkId();
    List<Endorsement> valid = new ArrayList<>(endorsements.size());
    int bad = 0;
    for (Endorsement e : endorsements) {
      if (e.verify(networkId)) {
        valid.add(e);
      } else {
        bad++;
      }
    }
    if (bad > 0) {
      invalid.addAndGet(bad);
      LOG.debug("peer {} sent {} endorsements whose signature does not hold", link.nodeId(), bad);
      link.penalize(PeerScore.Offence.INVALID_ANNOUNCEMENT);
    }
    if (valid.isEmpty()) {
      return;
    }
    try {
      web.accept(valid);
    } catch (SQLException e) {
      LOG.error("cannot store endorsements", e);
    }
  }

  /** Sends newly stored endorsements to every link. */
  private void push(List<Endorsement> fresh) {
    for (int i = 0; i < fresh.size(); i += PeerMessage.MAX_ENDORSEMENTS) {
      network.broadcast(new PeerMessage.Endorsements(fresh.subList(i,
          Math.min(fresh.size(), i + PeerMessage.MAX_ENDORSEMENTS))), null);
    }
  }

  /** One line for people. */
  public String summary() {
    return received.get() + " endorsements received (" + invalid.get() + " with a bad "
        + "signature, " + dropped.get() + " over the rate limit)";
  }

  @Override
  public void close() {
    checker.shutdownNow();
  }
}

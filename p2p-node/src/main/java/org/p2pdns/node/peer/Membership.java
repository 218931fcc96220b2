package org.p2pdns.node.peer;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.DisconnectReason;
import org.p2pdns.common.peer.NodeAnnouncement;
import org.p2pdns.common.peer.PeerAddress;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node learns every node. Keeps the known nodes (in memory and in {@link NodeTable}),
 * exchanges NODES with each peer, dials known nodes and bootstrap peers with exponential back-off
 * and jitter, and checks that an address reaches its node before passing it on.
 *
 * <p>Runs on one thread (the peer network's membership executor): every method here is called
 * there, so its state needs no locks.
 */
final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  /** How far in the future an announcement's time may lie before it is ignored. */
  private static final long MAX_ANNOUNCEMENT_SKEW_MS = 10 * 60_000L;

  private final PeerNetwork network;
  private final NodeTable table;
  private final Clock clock;
  private final Random random = new Random();
  private final TreeMap<String, KnownNode> known = new TreeMap<>();
  private final List<BootstrapPeer> bootstrap = new ArrayList<>();
  /** The last NODES page asked of each link, so a peer cannot make us page forever. */
  private final Map<PeerSession, String> pagingAfter = new WeakHashMap<>();
  /**
   * Node entries each link may bring: as many as the table holds at once, then
   * {@link #ENTRIES_PER_SECOND}; the excess is skipped unverified (it costs the peer nothing).
   */
  private final Map<PeerSession, org.p2pdns.node.ratelimit.TokenBucket> entryBudgets =
      new WeakHashMap<>();
  static final double ENTRIES_PER_SECOND = 20;
  /** Announcements ignored: over a link's budget, or no room in a full table. */
  private long entriesSkipped;
  private long nodesForgotten;

  /** A node this one knows of. */
  private static final class KnownNode {
    final String id;
    NodeAnnouncement announcement;
    final long firstSeen;
    long lastContact;
    int failures;
    long nextAttempt;
    boolean dialing;
    /** Address to the time this node reached it there; 0 when only announced or relayed. */
    final LinkedHashMap<PeerAddress, Long> addresses = new LinkedHashMap<>();

    KnownNode(NodeAnnouncement announcement, long firstSeen) {
      this.id = announcement.nodeId();
      this.announcement = announcement;
      this.firstSeen = firstSeen;
    }

    List<PeerAddress> reached() {
      return addresses.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<PeerAddress, Long>comparingByValue().reversed())
          .map(Map.Entry::getKey).limit(NodeAnnouncement.MAX_ADDRESSES).toList();
    }

    /** Reached addresses first (most recent first), then the rest. */
    List<PeerAddress> dialOrder() {
      List<PeerAddress> out = new ArrayList<>(reached());
      for (PeerAddress a : addresses.keySet()) {
        if (!out.contains(a)) {
          out.add(a);
        }
      }
      return out;
    }
  }

  private static final class BootstrapPeer {
    final DialTarget target;
    int failures;
    long nextAttempt;
    boolean dialing;
    boolean done;

    BootstrapPeer(DialTarget target) {
      this.target = target;
    }
  }

  Membership(PeerNetwork network, NodeTable table, Clock clock) {
    this.network = network;
    this.table = table;
    this.clock = clock;
  }

  /** Loads the stored nodes (their back-offs start afresh) and the bootstrap list. */
  void start(List<DialTarget> bootstrapTargets) {
    try {
      for (NodeTable.Row row : table.loadAll()) {
        NodeAnnouncement a;
        try {
          a = NodeAnnouncement.decode(row.announcement());
        } catch (MalformedException e) {
          LOG.warn("stored node {} has an unreadable announcement; skipped", row.nodeId());
          continue;
        }
        if (!a.nodeId().equals(row.nodeId()) || a.nodeId().equals(network.nodeId())) {
          continue;
        }
        KnownNode n = new KnownNode(a, row.firstSeen());
        n.lastContact = row.lastContact();
        n.failures = row.failures();
        for (Map.Entry<String, Long> e : row.addresses().entrySet()) {
          try {
            n.addresses.put(PeerAddress.parse(e.getKey()), e.getValue());
          } catch (IllegalArgumentException bad) {
            LOG.warn("stored node {} has a bad address '{}'; skipped", row.nodeId(), e.getKey());
          }
        }
        if (network.score() instanceof DecayingPeerScore s) {
          s.seed(n.id, row.score());
        }
        known.put(n.id, n);
      }
    } catch (SQLException e) {
      LOG.error("cannot read the node table; starting with no known nodes", e);
    }
    for (DialTarget t : bootstrapTargets) {
      bootstrap.add(new BootstrapPeer(t));
    }
    LOG.info("{} known nodes, {} bootstrap peers", known.size(), bootstrap.size());
  }

  /** Starts the dials that are due. */
  void tick() {
    long now = clock.millis();
    for (BootstrapPeer b : bootstrap) {
      if (b.done || b.dialing || b.nextAttempt > now) {
        continue;
      }
      Optional<String> pin = b.target.pinnedId();
      if (pin.isPresent() && network.isLinked(pin.get())) {
        b.done = true;
        continue;
      }
      b.dialing = true;
      dial(b.target, false).whenComplete((s, err) -> network.onMembershipThread(() -> {
        b.dialing = false;
        DisconnectReason reason = reasonOf(err);
        if (err == null || reason == DisconnectReason.SELF) {
          b.done = true; // a bootstrap entry naming this node itself is not retried
        } else {
          b.failures++;
          b.nextAttempt = clock.millis() + backoff(b.failures);
          LOG.debug("bootstrap peer {}: {}; next try in {} ms", b.target, message(err),
              b.nextAttempt - clock.millis());
        }
      }));
    }
    int budget = network.config().maxLinks() - network.linkCount() - dialingCount();
    for (KnownNode n : known.values()) {
      if (budget <= 0) {
        break;
      }
      if (n.dialing || n.nextAttempt > now || n.addresses.isEmpty() || network.isLinked(n.id)
          || network.score().refused(n.id)) {
        continue;
      }
      List<PeerAddress> order = n.dialOrder();
      dialKnown(n, order.get(n.failures % order.size()), false);
      budget--;
    }
  }

  private int dialingCount() {
    int c = 0;
    for (KnownNode n : known.values()) {
      if (n.dialing) {
        c++;
      }
    }
    return c;
  }

  private void dialKnown(KnownNode n, PeerAddress address, boolean probe) {
    n.dialing = true;
    dial(DialTarget.pinned(n.id, address), probe).whenComplete((s, err) -> network.onMembershipThread(
        () -> {
          n.dialing = false;
          if (err != null && probe) {
            LOG.debug("node {} does not answer at its announced {}: {}", n.id, address,
                message(err));
          } else if (err != null) {
            dialFailed(n, address, err);
          }
        }));
  }

  /** Dials and, on success, records that the address reaches the node that answered. */
  CompletableFuture<PeerSession> dial(DialTarget target, boolean probe) {
    CompletableFuture<PeerSession> f = network.dialRaw(target, probe);
    f.whenComplete((s, err) -> {
      if (err == null) {
        network.onMembershipThread(() -> reached(s, target.address()));
      }
    });
    return f;
  }

  private static DisconnectReason reasonOf(Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return t instanceof PeerHandshakeException h ? h.reason() : DisconnectReason.OTHER;
  }

  private void dialFailed(KnownNode n, PeerAddress address, Throwable err) {
    DisconnectReason reason = reasonOf(err);
    n.failures++;
    n.nextAttempt = clock.millis() + backoff(n.failures);
    if (reason == DisconnectReason.ID_MISMATCH || reason == DisconnectReason.SELF
        || reason == DisconnectReason.NETWORK_MISMATCH) {
      // Another node (or none of ours) answers there now: the address is not this node's.
      n.addresses.remove(address);
      deleteAddress(n.id, address);
    }
    LOG.debug("dial of node {} at {} failed ({}): {}; next try in {} ms", n.id, address, reason,
        message(err), n.nextAttempt - clock.millis());
    save(n);
  }

  private long backoff(int failures) {
    long base = network.config().reconnectBase().toMillis();
    long max = network.config().reconnectMax().toMillis();
    long d = base << Math.min(30, Math.max(0, failures - 1));
    d = Math.min(max, d);
    // Equal jitter: half fixed, half random, so nodes that failed together spread apart.
    return d / 2 + (long) (random.nextDouble() * (d / 2 + 1));
  }

  /** A dial reached the node {@code s} proved to be at {@code address}. */
  private void reached(PeerSession s, PeerAddress address) {
    KnownNode n = learn(s.announcement(), true);
    if (n == null) {
      return;
    }
    long now = clock.millis();
    Long before = n.addresses.put(address, now);
    n.failures = 0;
    n.lastContact = now;
    save(n);
    saveAddress(n.id, address, now);
    if (before == null || before == 0) {
      // A newly confirmed address is news for every peer.
      PeerMessage.Nodes push = new PeerMessage.Nodes(List.of(entry(n)), false);
      for (PeerLink link : network.links()) {
        if (!link.nodeId().equals(n.id)) {
          link.send(push);
        }
      }
    }
  }

  void linkUp(PeerSession s) {
    KnownNode n = learn(s.announcement(), true);
    if (n == null) {
      return;
    }
    n.lastContact = clock.millis();
    n.failures = 0;
    if (!s.outbound()) {
      // Its announced addresses are candidates; check that they reach it before passing them on.
      InetSocketAddress remote = s.remoteAddress();
      String sourceHost = remote == null ? null : remote.getAddress().getHostAddress();
      for (PeerAddress a : s.announcement().addresses()) {
        PeerAddress concrete = a.isSourcePlaceholder()
            ? (sourceHost == null ? null : a.withHost(sourceHost)) : a;
        if (concrete == null) {
          continue;
        }
        n.addresses.putIfAbsent(concrete, 0L);
        if (n.addresses.get(concrete) == 0 && !n.dialing) {
          dialKnown(n, concrete, true);
        }
      }
    }
    save(n);
    for (Map.Entry<PeerAddress, Long> e : n.addresses.entrySet()) {
      saveAddress(n.id, e.getKey(), e.getValue());
    }
  }

  void linkDown(PeerSession s) {
    KnownNode n = known.get(s.nodeId());
    if (n == null || network.isLinked(n.id)) {
      return;
    }
    long now = clock.millis();
    n.lastContact = now;
    // Try again soon: the peer may have restarted. Jitter keeps both sides from dialing at once.
    n.nextAttempt = now + backoff(1);
    save(n);
  }

  /**
   * Stores a verified announcement when it is new or newer; returns the node, null for self.
   * {@code direct}: it came from the node itself (its HELLO), so its announced addresses become
   * candidates; an announcement relayed in NODES contributes only the addresses the relay
   * reached, so an address nobody reached is never spread.
   */
  private KnownNode learn(NodeAnnouncement a, boolean direct) {
    if (a.nodeId().equals(network.nodeId())) {
      return null;
    }
    KnownNode n = known.get(a.nodeId());
    if (n == null) {
      // Node ids are free to make: the table is bounded. A node heard of only second-hand has
      // a place only when one can be freed (a node never reached); a peer linked to us does.
      if (known.size() >= network.config().maxKnownNodes() && !forgetOneUnreached()
          && !direct) {
        entriesSkipped++;
        return null;
      }
      n = new KnownNode(a, clock.millis());
      known.put(n.id, n);
      save(n);
    } else if (a.issuedAt() > n.announcement.issuedAt()) {
      n.announcement = a;
      save(n);
    }
    if (direct) {
      addAnnounced(n);
    }
    return n;
  }

  /**
   * Forgets the node seen first among those never reached nor linked (no contact, no reached
   * address, no dial running); false when there is none.
   */
  private boolean forgetOneUnreached() {
    KnownNode victim = null;
    for (KnownNode k : known.values()) {
      if (k.lastContact == 0 && !k.dialing && k.reached().isEmpty() && !network.isLinked(k.id)
          && (victim == null || k.firstSeen < victim.firstSeen)) {
        victim = k;
      }
    }
    if (victim == null) {
      return false;
    }
    known.remove(victim.id);
    nodesForgotten++;
    try {
      table.deleteNode(victim.id);
    } catch (SQLException e) {
      LOG.error("cannot delete node {}", victim.id, e);
    }
    return true;
  }

  /** Announcements skipped (over budget, or no room) and nodes forgotten for room. */
  String boundsSummary() {
    return known.size() + " nodes known; " + entriesSkipped + " announcements skipped, "
        + nodesForgotten + " unreached nodes forgotten for room";
  }

  private static void addAnnounced(KnownNode n) {
    for (PeerAddress a : n.announcement.addresses()) {
      if (!a.isSourcePlaceholder()) {
        n.addresses.putIfAbsent(a, 0L);
      }
    }
  }

  void nodesRequest(PeerSession s, PeerMessage.NodesRequest req) {
    List<PeerMessage.NodeEntry> page = new ArrayList<>();
    boolean more = false;
    for (KnownNode n : known.tailMap(req.afterNodeId(), false).values()) {
      if (n.id.equals(s.nodeId()) || n.reached().isEmpty()) {
        continue;
      }
      if (page.size() == req.limit()) {
        more = true;
        break;
      }
      page.add(entry(n));
    }
    s.send(new PeerMessage.Nodes(page, more));
  }

  void nodes(PeerSession s, PeerMessage.Nodes msg) {
    long now = clock.millis();
    byte[] networkId = network.networkId();
    org.p2pdns.node.ratelimit.TokenBucket budget = entryBudgets.computeIfAbsent(s,
        k -> new org.p2pdns.node.ratelimit.TokenBucket(network.config().maxKnownNodes(),
            ENTRIES_PER_SECOND, now));
    for (PeerMessage.NodeEntry e : msg.nodes()) {
      NodeAnnouncement a = e.announcement();
      KnownNode held = known.get(a.nodeId());
      if (held != null && held.announcement.equals(a) && e.reached().isEmpty()) {
        continue; // nothing new: no signature to check
      }
      if (!budget.tryTake(now)) {
        entriesSkipped++;
        continue;
      }
      if (!a.verify(networkId)) {
        s.penalize(PeerScore.Offence.INVALID_ANNOUNCEMENT);
        continue;
      }
      if (a.issuedAt() > now + MAX_ANNOUNCEMENT_SKEW_MS) {
        continue; // a clock far ahead; not the relay's fault
      }
      KnownNode n = learn(a, false);
      if (n == null) {
        continue;
      }
      for (PeerAddress r : e.reached()) {
        // Only where the node itself said it listens: a relay cannot send us elsewhere.
        boolean announced = n.announcement.addresses().stream().anyMatch(x -> x.port() == r.port()
            && (x.isSourcePlaceholder() || x.host().equals(r.host())));
        if (announced && n.addresses.putIfAbsent(r, 0L) == null) {
          saveAddress(n.id, r, 0);
        }
      }
    }
    if (msg.more() && !msg.nodes().isEmpty()) {
      String last = msg.nodes().get(msg.nodes().size() - 1).announcement().nodeId();
      String asked = pagingAfter.getOrDefault(s, "");
      if (last.compareTo(asked) > 0) {
        pagingAfter.put(s, last);
        s.send(new PeerMessage.NodesRequest(last, PeerMessage.MAX_NODES));
      }
    }
  }

  private static PeerMessage.NodeEntry entry(KnownNode n) {
    return new PeerMessage.NodeEntry(n.announcement, n.reached());
  }

  List<NodeStatus> statuses() {
    long now = clock.millis();
    List<NodeStatus> out = new ArrayList<>(known.size());
    for (KnownNode n : known.values()) {
      Optional<PeerLink> link = network.link(n.id);
      NodeStatus.State state;
      String address;
      if (link.isPresent()) {
        state = NodeStatus.State.CONNECTED;
        InetSocketAddress r = link.get().remoteAddress();
        address = link.get().outbound() && r != null
            ? r.getAddress().getHostAddress() + ":" + r.getPort()
            : n.reached().stream().findFirst().map(PeerAddress::toString)
                .orElse(r == null ? "" : r.getAddress().getHostAddress() + " (inbound)");
      } else {
        List<PeerAddress> order = n.dialOrder();
        address = order.isEmpty() ? "" : order.get(n.failures % order.size()).toString();
        if (network.score().refused(n.id)) {
          state = NodeStatus.State.BANNED;
        } else if (n.dialing) {
          state = NodeStatus.State.CONNECTING;
        } else if (n.failures >= network.config().unreachableAfter()) {
          state = NodeStatus.State.UNREACHABLE;
        } else if (n.addresses.isEmpty() || network.linkCount() >= network.config().maxLinks()) {
          state = NodeStatus.State.IDLE; // nothing to dial, or no room for another link
        } else {
          state = NodeStatus.State.BACKOFF; // a dial is due or waits for its back-off
        }
      }
      out.add(new NodeStatus(n.id, address, state, n.lastContact, network.score().score(n.id)));
    }
    out.sort(Comparator.comparing(NodeStatus::nodeId));
    return out;
  }

  int knownCount() {
    return known.size();
  }

  private void save(KnownNode n) {
    try {
      table.saveNode(n.id, n.announcement.encoded(), n.announcement.issuedAt(), n.firstSeen,
          n.lastContact, n.failures, network.score().score(n.id));
    } catch (SQLException e) {
      LOG.error("cannot store node {}", n.id, e);
    }
  }

  private void saveAddress(String id, PeerAddress a, long reachedAt) {
    try {
      table.saveAddress(id, a.toString(), reachedAt);
    } catch (SQLException e) {
      LOG.error("cannot store an address of node {}", id, e);
    }
  }

  private void deleteAddress(String id, PeerAddress a) {
    try {
      table.deleteAddress(id, a.toString());
    } catch (SQLException e) {
      LOG.error("cannot delete an address of node {}", id, e);
    }
  }

  private static String message(Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return t.getMessage();
  }
}

package org.p2pdns.node.trust;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.peer.Endorsement;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.wire.MalformedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web of trust: the operator's weights (configuration and {@code p2pdns trust}), the signed
 * endorsement lists nodes make of each other, and the weights that flow along them.
 *
 * <p>How weight flows (docs/security.md, "Web of trust"):
 * <ol>
 *   <li>The roots are the nodes the operator named, with the operator's weight ({@code p2pdns
 *       trust} wins over {@code node.trust}). A root of weight 0 is distrusted: nothing flows to
 *       it or from it.
 *   <li>In rounds 1 to {@link #MAX_DEPTH}, each node that got a positive weight in the round
 *       before lends {@link #DECAY} times its weight, shared equally among the nodes its latest
 *       list endorses. A node not weighed yet gets the sum of what is lent to it in that round,
 *       capped at {@link #CAP_FRACTION} times the largest root weight. A node keeps the weight of
 *       the first round that reached it.
 * </ol>
 * So weight only ever flows away from the operator's roots: nodes that nobody the operator trusts
 * has endorsed (a ring of hostile nodes endorsing each other, however large) weigh 0; everything
 * an endorser lends together is at most half its weight, so endorsing many nodes does not make
 * more weight; a chain loses half per step and ends after three.
 *
 * <p>Memory is bounded: one list of at most {@link Endorsement#MAX_ENDORSED} nodes per endorser,
 * and at most {@link #MAX_ENDORSERS} endorsers; once full, an endorser with weight pushes out one
 * without, and an endorser without weight is not kept. Thread-safe: every change holds the
 * object's lock and is stored before it returns; weights are read from the last computed
 * snapshot without locking.
 */
public final class WebOfTrust implements TrustWeights {
  private static final Logger LOG = LoggerFactory.getLogger(WebOfTrust.class);
  /** The share of its weight an endorser lends, split among the nodes it endorses. */
  public static final double DECAY = 0.5;
  /** No derived weight exceeds this fraction of the largest root weight. */
  public static final double CAP_FRACTION = 0.5;
  /** Endorsement steps from a root after which nothing flows. */
  public static final int MAX_DEPTH = 3;
  /** Endorsers whose lists are kept. */
  public static final int MAX_ENDORSERS = 2000;
  /** How far in the future an endorsement's time may lie before it is ignored. */
  public static final long MAX_FUTURE_MILLIS = 10 * 60_000L;

  /** What became of one endorsement list offered to {@link #accept}. */
  public enum Outcome {
    /** Stored: the first or a newer list of its endorser. */
    NEW,
    /** The same or a newer list of its endorser is held already. */
    OLD,
    /** Dated too far in the future. */
    FUTURE,
    /** No room: the endorser has no weight and the table is full. */
    FULL
  }

  /** A weight and where it comes from, for people. */
  private record Derived(double weight, String via) {}

  private final Map<String, Long> configRoots;
  private final Map<String, Long> operatorRoots = new TreeMap<>();
  private final Map<String, Endorsement> byEndorser = new HashMap<>();
  private final TrustStore store;
  private final Ed25519Keys.KeyPair nodeKey;
  private final String selfId;
  private final byte[] networkId;
  private final Clock clock;
  private final List<Consumer<List<Endorsement>>> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, Derived> snapshot = Map.of();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong refusedFull = new AtomicLong();

  private WebOfTrust(Map<String, Long> configRoots, TrustStore store, Ed25519Keys.KeyPair nodeKey,
      byte[] networkId, Clock clock) {
    this.configRoots = Map.copyOf(configRoots);
    this.store = store;
    this.nodeKey = nodeKey;
    this.selfId = NodeIds.idOf(nodeKey.publicKey());
    this.networkId = networkId.clone();
    this.clock = clock;
  }

  /** Loads the operator's weights and the endorsements held from {@code store}. */
  public static WebOfTrust load(Map<String, Long> configRoots, TrustStore store,
      Ed25519Keys.KeyPair nodeKey, byte[] networkId, Clock clock) throws SQLException {
    WebOfTrust w = new WebOfTrust(configRoots, store, nodeKey, networkId, clock);
    synchronized (w) {
      w.operatorRoots.putAll(store.operatorWeights());
      int skipped = 0;
      for (byte[] bytes : store.endorsements()) {
        try {
          Endorsement e = Endorsement.decode(bytes);
          w.byEndorser.put(e.endorserId(), e);
        } catch (MalformedException e) {
          skipped++;
        }
      }
      if (skipped > 0) {
        LOG.warn("{} stored endorsements could not be read and were skipped", skipped);
      }
      w.recompute();
    }
    return w;
  }

  /** Tells {@code listener} of the endorsement lists stored from now on (to spread them). */
  public void addListener(Consumer<List<Endorsement>> listener) {
    listeners.add(listener);
  }

  @Override
  public double weightOf(String nodeId) {
    Derived d = snapshot.get(nodeId);
    return d == null ? 0 : d.weight;
  }

  /** The weight in thousandths, rounded, as the node query protocol carries it. */
  public long weightMilliOf(String nodeId) {
    return Math.round(weightOf(nodeId) * 1000);
  }

  public String nodeId() {
    return selfId;
  }

  public byte[] networkId() {
    return networkId.clone();
  }

  // ---- the operator's weights ----

  /** Sets the operator's weight of a node (stored before it returns). */
  public synchronized void setOperatorWeight(String nodeId, long weightMilli)
      throws SQLException {
    checkNodeId(nodeId);
    if (weightMilli < 0 || weightMilli > TrustRoots.MAX_WEIGHT_MILLI) {
      throw new IllegalArgumentException("weight outside 0.." + TrustRoots.MAX_WEIGHT_MILLI
          / 1000);
    }
    store.setOperatorWeight(nodeId, weightMilli, clock.millis());
    operatorRoots.put(nodeId, weightMilli);
    recompute();
  }

  /** Removes the operator's weight of a node (the configured one, if any, applies again). */
  public synchronized boolean removeOperatorWeight(String nodeId) throws SQLException {
    boolean had = store.removeOperatorWeight(nodeId);
    operatorRoots.remove(nodeId);
    recompute();
    return had;
  }

  /**
   * Every node the operator named and every node with a weight, highest weight first: what
   * {@code p2pdns trust --list} shows.
   */
  public synchronized List<NodeResponse.TrustEntry> entries() {
    Map<String, Derived> s = snapshot;
    TreeSet<String> ids = new TreeSet<>();
    ids.addAll(configRoots.keySet());
    ids.addAll(operatorRoots.keySet());
    s.forEach((id, d) -> {
      if (d.weight > 0) {
        ids.add(id);
      }
    });
    List<NodeResponse.TrustEntry> out = new ArrayList<>();
    for (String id : ids) {
      Derived d = s.get(id);
      out.add(new NodeResponse.TrustEntry(id, operatorRoots.getOrDefault(id, -1L),
          configRoots.getOrDefault(id, -1L), d == null ? 0 : Math.round(d.weight * 1000),
          d == null ? "no weight" : d.via));
    }
    out.sort(Comparator.comparingLong(NodeResponse.TrustEntry::weightMilli).reversed()
        .thenComparing(NodeResponse.TrustEntry::nodeId));
    return out;
  }

  // ---- endorsements ----

  /**
   * This node endorses {@code nodeId}, or withdraws its endorsement: signs a new list with the
   * node key, stores it, and tells the listeners (which spread it). Throws
   * {@link IllegalStateException} with a message for people when it cannot.
   */
  public Endorsement endorse(String nodeId, boolean withdraw) throws SQLException {
    Endorsement e;
    synchronized (this) {
      checkNodeId(nodeId);
      if (nodeId.equals(selfId)) {
        throw new IllegalStateException("a node does not endorse itself");
      }
      Endorsement held = byEndorser.get(selfId);
      TreeSet<String> list = new TreeSet<>(held == null ? List.of() : held.endorsed());
      if (withdraw && !list.remove(nodeId)) {
        throw new IllegalStateException("this node does not endorse " + nodeId);
      }
      if (!withdraw) {
        if (list.contains(nodeId)) {
          throw new IllegalStateException("this node already endorses " + nodeId);
        }
        if (list.size() >= Endorsement.MAX_ENDORSED) {
          throw new IllegalStateException("this node endorses " + list.size() + " nodes, the "
              + "most it may; withdraw one first");
        }
        list.add(nodeId);
      }
      // Strictly newer than the list it replaces, whatever the clock did.
      long at = Math.max(clock.millis(), held == null ? 0 : held.issuedAt() + 1);
      e = Endorsement.sign(nodeKey, networkId, List.copyOf(list), at);
      if (put(e) != Outcome.NEW) {
        throw new IllegalStateException("no room for the endorsement");
      }
      stored.incrementAndGet();
      recompute();
    }
    tell(List.of(e));
    return e;
  }

  /** The nodes this node endorses now. */
  public synchronized List<String> ownEndorsements() {
    Endorsement own = byEndorser.get(selfId);
    return own == null ? List.of() : own.endorsed();
  }

  /**
   * Offers endorsement lists from a peer whose signatures the caller has verified; stores the
   * ones that are new and tells the listeners of them. Returns each one's outcome, in order.
   */
  public List<Outcome> accept(List<Endorsement> verified) throws SQLException {
    List<Outcome> out = new ArrayList<>(verified.size());
    List<Endorsement> fresh = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      Map<String, Endorsement> before = new HashMap<>(byEndorser);
      try {
        store.inTransaction(() -> {
          for (Endorsement e : verified) {
            out.add(e.issuedAt() > now + MAX_FUTURE_MILLIS ? Outcome.FUTURE : put(e));
          }
          return null;
        });
      } catch (SQLException | RuntimeException e) {
        // Nothing was stored: the memory goes back to what the disk holds.
        byEndorser.clear();
        byEndorser.putAll(before);
        throw e;
      }
      for (int i = 0; i < out.size(); i++) {
        switch (out.get(i)) {
          case NEW -> fresh.add(verified.get(i));
          case FULL -> refusedFull.incrementAndGet();
          default -> ignored.incrementAndGet();
        }
      }
      stored.addAndGet(fresh.size());
      if (!fresh.isEmpty()) {
        recompute();
      }
    }
    if (!fresh.isEmpty()) {
      tell(fresh);
    }
    return out;
  }

  /** Every endorsement list held (to send a peer when a link comes up). */
  public synchronized List<Endorsement> all() {
    return new ArrayList<>(byEndorser.values());
  }

  /** One line for people. */
  public String summary() {
    int endorsers;
    synchronized (this) {
      endorsers = byEndorser.size();
    }
    long weighed = snapshot.values().stream().filter(d -> d.weight > 0).count();
    return weighed + " nodes with weight; endorsement lists of " + endorsers + " nodes held ("
        + stored.get() + " stored, " + ignored.get() + " old, " + refusedFull.get()
        + " refused for room since start)";
  }

  private void tell(List<Endorsement> fresh) {
    for (Consumer<List<Endorsement>> l : listeners) {
      try {
        l.accept(fresh);
      } catch (RuntimeException ex) {
        LOG.error("endorsement listener {} failed", l, ex);
      }
    }
  }

  /** Stores a list when it is newer than its endorser's held one and there is room. */
  private Outcome put(Endorsement e) throws SQLException {
    String endorser = e.endorserId();
    Endorsement held = byEndorser.get(endorser);
    if (held != null && held.issuedAt() >= e.issuedAt()) {
      return Outcome.OLD;
    }
    if (held == null && byEndorser.size() >= MAX_ENDORSERS && !makeRoomFor(endorser)) {
      return Outcome.FULL;
    }
    store.putEndorsement(endorser, e.issuedAt(), e.encoded());
    byEndorser.put(endorser, e);
    return Outcome.NEW;
  }

  /** Drops the list of one endorser without weight, when {@code newcomer} has weight. */
  private boolean makeRoomFor(String newcomer) throws SQLException {
    if (weightOf(newcomer) <= 0 && !newcomer.equals(selfId)) {
      return false;
    }
    for (String id : byEndorser.keySet()) {
      if (!id.equals(selfId) && weightOf(id) <= 0) {
        byEndorser.remove(id);
        store.deleteEndorser(id);
        return true;
      }
    }
    return false;
  }

  /** Computes every weight from the roots (see the class comment) and publishes the snapshot. */
  private void recompute() {
    Map<String, Long> roots = new TreeMap<>(configRoots);
    roots.putAll(operatorRoots);
    Map<String, Derived> w = new HashMap<>();
    double max = 0;
    List<String> frontier = new ArrayList<>();
    for (Map.Entry<String, Long> r : roots.entrySet()) {
      double weight = r.getValue() / 1000.0;
      String via = operatorRoots.containsKey(r.getKey()) ? "operator (p2pdns trust)"
          : "operator (node.trust)";
      w.put(r.getKey(), new Derived(weight, via));
      max = Math.max(max, weight);
      if (weight > 0) {
        frontier.add(r.getKey());
      }
    }
    double cap = CAP_FRACTION * max;
    for (int depth = 1; depth <= MAX_DEPTH && !frontier.isEmpty(); depth++) {
      Map<String, Double> sums = new TreeMap<>();
      Map<String, String> strongest = new HashMap<>();
      Map<String, Double> strongestShare = new HashMap<>();
      for (String endorser : frontier) {
        Endorsement list = byEndorser.get(endorser);
        if (list == null) {
          continue;
        }
        List<String> endorsed = list.endorsed().stream().filter(id -> !id.equals(endorser))
            .toList();
        if (endorsed.isEmpty()) {
          continue;
        }
        double share = DECAY * w.get(endorser).weight / endorsed.size();
        for (String id : endorsed) {
          if (w.containsKey(id)) {
            continue; // weighed in an earlier round, or a root
          }
          sums.merge(id, share, Double::sum);
          if (share > strongestShare.getOrDefault(id, 0.0)) {
            strongestShare.put(id, share);
            strongest.put(id, endorser);
          }
        }
      }
      List<String> next = new ArrayList<>();
      for (Map.Entry<String, Double> s : sums.entrySet()) {
        double weight = Math.min(cap, s.getValue());
        w.put(s.getKey(), new Derived(weight, "endorsed by " + strongest.get(s.getKey())
            .substring(0, 16) + ".. (" + depth + (depth == 1 ? " step" : " steps")
            + " from a root)"));
        if (weight > 0) {
          next.add(s.getKey());
        }
      }
      frontier = next;
    }
    snapshot = Map.copyOf(w);
  }

  private static void checkNodeId(String nodeId) {
    if (!NodeIds.isNodeId(nodeId)) {
      throw new IllegalArgumentException("'" + nodeId + "' is not a node id (64 lower-case hex "
          + "digits)");
    }
  }
}

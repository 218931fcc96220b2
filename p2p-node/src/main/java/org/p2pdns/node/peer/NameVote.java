package org.p2pdns.node.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RecordValidator.Verdict;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.trust.TrustWeights;

/**
 * How a node with no history of its own takes one name's record from what several peers list
 * (docs/protocol.md 3.8b). Versions that share a claim key and claim terms are one lineage: the
 * record rules order them ({@link RecordValidator#decide}), so a stale serial simply loses to a newer one and
 * is no dispute. Only different lineages compete. Each peer that listed some version of the name
 * gives its trust weight to the lineage of its version; a peer that listed nothing abstains.
 * A lineage wins when its supporters hold more than half of the weight of all peers that listed
 * the name; when those peers hold no weight at all, only unanimity settles the name. Anything
 * else leaves it contested. Pure: no state, no I/O; the new node and the simulation both run it.
 */
public final class NameVote {
  /** Most competing lineages kept for a contested name. */
  public static final int MAX_CANDIDATES = 8;

  private NameVote() {}

  /** One lineage: its newest version, the peers that listed a version of it, their weight. */
  public record Candidate(SignedRecord record, Set<String> supporters, double weight) {
    public Candidate {
      supporters = Set.copyOf(supporters);
    }

    /** The lineage's id (claim key and claim terms, {@link RecordValidator#lineageId}), in hex. */
    public String lineage() {
      return HexFormat.of().formatHex(RecordValidator.lineageId(record));
    }
  }

  /** What the vote decided. */
  public sealed interface Outcome {
    /** The name takes {@code winner.record()}. */
    record Settled(Candidate winner, double totalWeight, int lineages) implements Outcome {}

    /** No lineage holds a majority of the weight: the candidates, strongest first (bounded). */
    record Contested(List<Candidate> candidates, double totalWeight) implements Outcome {
      public Contested {
        candidates = List.copyOf(candidates);
      }
    }

    /** No peer listed a valid version. */
    record Absent() implements Outcome {}
  }

  /**
   * Decides one name.
   *
   * @param versionByPeer each peer that listed a version of the name, with that version (already
   *     checked with {@link RecordValidator#check}); peers whose version could not be fetched or
   *     was invalid are left out (they abstain)
   */
  public static Outcome decide(Map<String, SignedRecord> versionByPeer, TrustWeights trust,
      RecordValidator validator) {
    if (versionByPeer.isEmpty()) {
      return new Outcome.Absent();
    }
    // Lineage (claim key) -> newest version and supporters; TreeMap for a deterministic order.
    Map<String, SignedRecord> newest = new TreeMap<>();
    Map<String, Set<String>> supporters = new TreeMap<>();
    Map<String, Double> weight = new LinkedHashMap<>();
    double total = 0;
    // Peers in id order, so that folding versions is deterministic (the rules make it order
    // independent anyway: docs/protocol.md 1.10).
    for (String peer : new TreeSet<>(versionByPeer.keySet())) {
      SignedRecord v = versionByPeer.get(peer);
      String lineage = HexFormat.of().formatHex(RecordValidator.lineageId(v));
      newest.merge(lineage, v, (held, incoming) -> newer(incoming, held, validator));
      supporters.computeIfAbsent(lineage, k -> new TreeSet<>()).add(peer);
      double w = weightOf(trust, peer);
      weight.merge(lineage, w, Double::sum);
      total += w;
    }
    List<Candidate> candidates = new ArrayList<>(newest.size());
    for (Map.Entry<String, SignedRecord> e : newest.entrySet()) {
      candidates.add(new Candidate(e.getValue(), supporters.get(e.getKey()),
          weight.getOrDefault(e.getKey(), 0.0)));
    }
    candidates.sort(Comparator.comparingDouble(Candidate::weight).reversed()
        .thenComparing(Comparator.comparingInt((Candidate c) -> c.supporters().size())
            .reversed()));
    Candidate best = candidates.get(0);
    if (total > 0 ? best.weight() > total / 2 : candidates.size() == 1) {
      return new Outcome.Settled(best, total, candidates.size());
    }
    return new Outcome.Contested(candidates.subList(0, Math.min(MAX_CANDIDATES,
        candidates.size())), total);
  }

  /** The weight of a peer, never negative or NaN whatever the trust source says. */
  static double weightOf(TrustWeights trust, String peer) {
    double w = trust.weightOf(peer);
    return w > 0 && Double.isFinite(w) ? w : 0;
  }

  /** Of two versions of one lineage, the one the record rules keep. */
  static SignedRecord newer(SignedRecord incoming, SignedRecord held, RecordValidator validator) {
    if (Arrays.equals(incoming.digest(), held.digest())) {
      return held;
    }
    return validator.decide(incoming, Optional.of(held)) instanceof Verdict.Accept ? incoming
        : held;
  }
}

package org.p2pdns.bench.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.record.ProofOfWork;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.peer.NameVote;
import org.p2pdns.node.trust.TrustWeights;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Poisoning a new node, simulated: a new node asks k peers, of which a fraction is hostile, and
 * takes each name by the node's own vote ({@link NameVote#decide}, the code the node runs) over
 * real signed records. Honest peers list the latest honest version of every name. The hostile
 * peers act together (the strongest case): for half of the names they all serve one validly
 * signed claim of their own key; of the other names each omits a third and serves the stale
 * serial of another third. For each hostile fraction and each way the operator gave trust, it
 * reports the names taken from the hostile side (poisoned) and the names left contested; a
 * column shows what a plain majority by count would have taken, for comparison (not a rule of the
 * node). The last row, every peer hostile, shows the limit of any vote: with no honest voice
 * and no trust, the hostile claims are all the node hears.
 *
 * <p>Usage: {@code PoisoningSimulation [names] [peers]} (defaults 200 and 10).
 */
public final class PoisoningSimulation {
  private PoisoningSimulation() {}

  private static final NetworkParams PARAMS = NetworkParams.defaults().withPowBits(4);

  public static void main(String[] args) throws Exception {
    int names = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    if (names < 2 || k < 2 || k > 1000) {
      System.err.println("usage: PoisoningSimulation [names >= 2] [peers 2..1000]");
      System.exit(2);
    }
    long now = Clock.systemUTC().instant().getEpochSecond();
    RecordValidator validator = new RecordValidator(PARAMS, Clock.systemUTC());
    RecordSigner signer = new RecordSigner(PARAMS.networkId());
    Ed25519Keys.KeyPair hostileKey = Ed25519Keys.generate();
    List<SignedRecord> honestClaim = new ArrayList<>();
    List<SignedRecord> honestLatest = new ArrayList<>();
    List<SignedRecord> hostileClaim = new ArrayList<>();
    for (int i = 0; i < names; i++) {
      String name = "sim" + i + ".p2p";
      Ed25519Keys.KeyPair owner = Ed25519Keys.generate();
      SignedRecord claim = sign(signer, owner, name, 1, now, mine(name, owner));
      honestClaim.add(claim);
      honestLatest.add(sign(signer, owner, name, 2, now + 1, claim.content().powNonce()));
      hostileClaim.add(i % 2 == 0 ? sign(signer, hostileKey, name, 1, now,
          mine(name, hostileKey)) : null);
    }
    System.out.printf("%d names (%d disputed by the hostile peers, one lineage of theirs), %d "
        + "peers; cells: poisoned / contested names%n%n", names, (names + 1) / 2, k);
    System.out.println("| hostile peers | no trust | 1 honest peer trusted | 2 honest + 1 hostile "
        + "trusted (equal weights) | 1 hostile peer trusted (misplaced) | majority by count "
        + "(not the node's rule) |");
    System.out.println("|---|---|---|---|---|---|");
    // 0..90% as the issue asks, then every peer hostile: the limit of any vote.
    for (int pct = 0; pct <= 100; pct += 10) {
      int hostile = k * pct / 100;
      int honest = k - hostile;
      List<String> peers = new ArrayList<>();
      for (int p = 0; p < k; p++) {
        peers.add((p < hostile ? "hostile-" : "honest-") + p);
      }
      // Each peer's view: name index -> version, or absent.
      List<Map<Integer, SignedRecord>> views = new ArrayList<>();
      for (int p = 0; p < k; p++) {
        Map<Integer, SignedRecord> view = new HashMap<>();
        for (int i = 0; i < names; i++) {
          if (p >= hostile) {
            view.put(i, honestLatest.get(i));
          } else if (hostileClaim.get(i) != null) {
            view.put(i, hostileClaim.get(i));
          } else if ((i / 2 + p) % 3 == 1) {
            view.put(i, honestClaim.get(i)); // stale serial
          } else if ((i / 2 + p) % 3 == 2) {
            view.put(i, honestLatest.get(i));
          } // else omitted
        }
        views.add(view);
      }
      String honest0 = honest > 0 ? peers.get(hostile) : null;
      String honest1 = honest > 1 ? peers.get(hostile + 1) : null;
      String hostile0 = hostile > 0 ? peers.get(0) : null;
      String noTrust = cell(names, peers, views, honestClaim, TrustWeights.none(), validator);
      String oneHonest = honest0 == null ? "-" : cell(names, peers, views, honestClaim,
          trusting(Set.of(honest0)), validator);
      String mixed = honest1 == null || hostile0 == null ? "-" : cell(names, peers, views,
          honestClaim, trusting(Set.of(honest0, honest1, hostile0)), validator);
      String misplaced = hostile0 == null ? "-" : cell(names, peers, views, honestClaim,
          trusting(Set.of(hostile0)), validator);
      String byCount = byCount(names, peers, views, honestClaim);
      System.out.printf("| %d of %d (%d%%) | %s | %s | %s | %s | %s |%n", hostile, k, pct,
          noTrust, oneHonest, mixed, misplaced, byCount);
    }
  }

  private static TrustWeights trusting(Set<String> ids) {
    return id -> ids.contains(id) ? 1.0 : 0.0;
  }

  /** Runs the node's vote on every name: "poisoned / contested". */
  private static String cell(int names, List<String> peers, List<Map<Integer, SignedRecord>> views,
      List<SignedRecord> honestClaim, TrustWeights trust, RecordValidator validator) {
    int poisoned = 0;
    int contested = 0;
    for (int i = 0; i < names; i++) {
      Map<String, SignedRecord> byPeer = new HashMap<>();
      for (int p = 0; p < peers.size(); p++) {
        SignedRecord v = views.get(p).get(i);
        if (v != null) {
          byPeer.put(peers.get(p), v);
        }
      }
      NameVote.Outcome o = NameVote.decide(byPeer, trust, validator);
      if (o instanceof NameVote.Outcome.Contested) {
        contested++;
      } else if (o instanceof NameVote.Outcome.Settled s && !Arrays.equals(
          s.winner().record().content().claimKey(), honestClaim.get(i).content().claimKey())) {
        poisoned++;
      }
    }
    return poisoned + " / " + contested;
  }

  /** What a plain majority of the peers that listed a name (by count, lineage) would take. */
  private static String byCount(int names, List<String> peers,
      List<Map<Integer, SignedRecord>> views, List<SignedRecord> honestClaim) {
    int poisoned = 0;
    int undecided = 0;
    for (int i = 0; i < names; i++) {
      Map<String, Integer> votes = new HashMap<>();
      int total = 0;
      for (int p = 0; p < peers.size(); p++) {
        SignedRecord v = views.get(p).get(i);
        if (v != null) {
          votes.merge(Ed25519Keys.toHex(v.content().claimKey()), 1, Integer::sum);
          total++;
        }
      }
      String honestLineage = Ed25519Keys.toHex(honestClaim.get(i).content().claimKey());
      String winner = null;
      for (Map.Entry<String, Integer> e : votes.entrySet()) {
        if (e.getValue() * 2 > total) {
          winner = e.getKey();
        }
      }
      if (winner == null) {
        undecided++;
      } else if (!winner.equals(honestLineage)) {
        poisoned++;
      }
    }
    return poisoned + " / " + undecided;
  }

  private static long mine(String name, Ed25519Keys.KeyPair key) throws InterruptedException {
    return ProofOfWork.mine(PARAMS.networkId(), name, key.publicKey(), PARAMS.powBits(), 1,
        n -> { }, new AtomicBoolean());
  }

  private static SignedRecord sign(RecordSigner signer, Ed25519Keys.KeyPair key, String name,
      long serial, long issuedAt, long nonce) throws Exception {
    List<Record> rrs = List.of(new ARecord(Name.fromString(name + "."), DClass.IN, 300,
        java.net.InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) serial})));
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, name, serial, issuedAt,
        issuedAt + Duration.ofDays(30).toSeconds(), key.publicKey(), nonce, List.of(), rrs);
    return signer.sign(c, key);
  }
}

package org.p2pdns.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.Node;
import org.p2pdns.node.TestNodes;
import org.p2pdns.node.NodeConfig;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.store.RecordStore.NameDigest;
import org.p2pdns.node.trust.TrustWeights;

/**
 * A new node bootstraps from real nodes of which most (by count) are hostile: real nodes with
 * their own identities that serve validly signed claims of their own keys for names honest
 * owners hold, omit names, and serve stale serials (docs/protocol.md 3.8b, docs/security.md
 * "Poisoning a new node"). With trust on the honest side it ends with exactly the honest records;
 * without, the disputed names are contested and none is taken from the hostile side, until a
 * trusted peer links up.
 */
class BootstrapVoteTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Names the hostile nodes claim with their own keys. */
  private static final int DISPUTED = 5;
  private static final int NAMES = 10;

  private final TestNetwork net = new TestNetwork();
  private final long now = Clock.systemUTC().instant().getEpochSecond();
  private final Ed25519Keys.KeyPair honestOwner = Ed25519Keys.generate();
  private final List<Node> nodes = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void closeNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private Node start(String name, List<String> bootstrap, int votePeers, TrustWeights trust)
      throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Config config = TestNodes.config(dir, bootstrap)
        .set("node.bootstrap-peers", Integer.toString(votePeers))
        .set("node.bootstrap-wait", "20s")
        .build();
    Node n = Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC(),
        trust);
    nodes.add(n);
    return n;
  }

  private static String pinned(Node n) {
    return n.identity().nodeId() + "@127.0.0.1:" + n.peerNetwork().boundAddress().getPort();
  }

  private static void submitAll(Node node, List<SignedRecord> records) throws Exception {
    List<CompletableFuture<SubmitResult>> results = new ArrayList<>();
    for (SignedRecord r : records) {
      results.add(node.records().submit(r.encoded(), Origin.CLIENT));
    }
    for (CompletableFuture<SubmitResult> f : results) {
      assertThat(f.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(SubmitResult.Outcome.STORED);
    }
  }

  private static Map<String, String> contents(Node n) {
    Map<String, String> out = new TreeMap<>();
    for (NameDigest nd : n.records().digests("", 1_000_000)) {
      out.put(nd.name(), HexFormat.of().formatHex(nd.digest()));
    }
    return out;
  }

  private static String name(int i) {
    return "n" + i + ".p2p";
  }

  /** The honest store: names 0..9 claimed by the honest owner, 7 and 8 updated to serial 2. */
  private List<SignedRecord> honestClaims() {
    List<SignedRecord> out = new ArrayList<>();
    for (int i = 0; i < NAMES; i++) {
      out.add(net.claim(honestOwner, name(i), now,
          TestNetwork.rrs(name(i) + ".", "@ 300 IN A 192.0.2.1")));
    }
    return out;
  }

  private List<SignedRecord> honestLatest(List<SignedRecord> claims) {
    List<SignedRecord> out = new ArrayList<>(claims);
    for (int i : new int[] {7, 8}) {
      out.set(i, net.update(claims.get(i), honestOwner, now + 1,
          TestNetwork.rrs(name(i) + ".", "@ 300 IN A 192.0.2.2")));
    }
    return out;
  }

  /**
   * What one hostile node serves, with its own key: claims of names 0..4, nothing for 5 and 6
   * (omitted), the stale serial 1 of 7 and 8, and the honest 9.
   */
  private List<SignedRecord> hostileView(Ed25519Keys.KeyPair hostileKey,
      List<SignedRecord> claims) {
    List<SignedRecord> out = new ArrayList<>();
    for (int i = 0; i < DISPUTED; i++) {
      out.add(net.claim(hostileKey, name(i), now,
          TestNetwork.rrs(name(i) + ".", "@ 300 IN A 203.0.113.66")));
    }
    out.add(claims.get(7));
    out.add(claims.get(8));
    out.add(claims.get(9));
    return out;
  }

  /** Two honest nodes and three hostile ones (their own keys), none linked to another. */
  private record Peers(List<Node> honest, List<Node> hostile, List<SignedRecord> honestRecords) {
    List<String> all() {
      List<String> out = new ArrayList<>();
      honest.forEach(n -> out.add(pinned(n)));
      hostile.forEach(n -> out.add(pinned(n)));
      return out;
    }
  }

  private Peers peers() throws Exception {
    List<SignedRecord> claims = honestClaims();
    List<SignedRecord> honestRecords = honestLatest(claims);
    List<Node> honest = new ArrayList<>();
    List<Node> hostile = new ArrayList<>();
    for (int h = 0; h < 2; h++) {
      Node n = start("honest" + h, List.of(), 0, TrustWeights.none());
      submitAll(n, honestRecords);
      honest.add(n);
    }
    for (int i = 0; i < 3; i++) {
      Node x = start("hostile" + i, List.of(), 0, TrustWeights.none());
      submitAll(x, hostileView(Ed25519Keys.generate(), claims));
      hostile.add(x);
    }
    return new Peers(honest, hostile, honestRecords);
  }

  private static Map<String, String> digests(List<SignedRecord> records) {
    Map<String, String> out = new TreeMap<>();
    records.forEach(r -> out.put(r.name(), r.digestHex()));
    return out;
  }

  private static TrustWeights trusting(Set<String> ids) {
    return id -> ids.contains(id) ? 1.0 : 0.0;
  }

  @Test
  void withTrustOnTheHonestMinorityTheNewNodeTakesExactlyTheHonestRecords() throws Exception {
    Peers p = peers();
    Node fresh = start("fresh", p.all(), 5, trusting(Set.of(
        p.honest().get(0).identity().nodeId(), p.honest().get(1).identity().nodeId())));
    await().atMost(WAIT).until(() -> fresh.bootstrap().orElseThrow().done());
    assertThat(contents(fresh)).isEqualTo(digests(p.honestRecords()));
    assertThat(fresh.contested().count()).isZero();
    // The hostile peers lost every dispute and kept their score: losing a vote costs nothing.
    for (Node x : p.hostile()) {
      assertThat(fresh.peerNetwork().score().score(x.identity().nodeId())).isZero();
    }
    // Afterwards the node behaves as any: reconciliation with the hostile peers changes nothing.
    await().atMost(WAIT).until(() -> fresh.catchUp().sessionsCompleted() >= 5);
    assertThat(contents(fresh)).isEqualTo(digests(p.honestRecords()));
  }

  @Test
  void withoutTrustAHostileMajorityLeavesDisputedNamesContestedUntilATrustedPeerLinks()
      throws Exception {
    Peers p = peers();
    // A third honest node the new node's operator trusts, not among its bootstrap peers.
    Node trusted = start("trusted", List.of(), 0, TrustWeights.none());
    submitAll(trusted, p.honestRecords());
    Node fresh = start("fresh", p.all(), 5, trusting(Set.of(trusted.identity().nodeId())));
    await().atMost(WAIT).until(() -> fresh.bootstrap().orElseThrow().done());

    Map<String, String> honest = digests(p.honestRecords());
    // Disputed names: contested, nothing taken from either side; the rest honest.
    for (int i = 0; i < NAMES; i++) {
      if (i < DISPUTED) {
        assertThat(fresh.contested().isContested(name(i))).as(name(i)).isTrue();
        assertThat(fresh.records().current(name(i))).as(name(i)).isEmpty();
        assertThat(fresh.records().lookup(name(i)).status()).isEqualTo(LookupStatus.CONTESTED);
      } else {
        assertThat(fresh.records().current(name(i)).orElseThrow().digestHex()).as(name(i))
            .isEqualTo(honest.get(name(i)));
      }
    }
    assertThat(fresh.contested().count()).isEqualTo(DISPUTED);
    // The query protocol says CONTESTED with the candidates; the status counts and lists them.
    try (NodeClient client = new NodeClient(fresh.controlEndpoint())) {
      NodeResponse.Lookup l = client.lookup(name(0)).get(10, TimeUnit.SECONDS);
      assertThat(l.status()).isEqualTo(LookupStatus.CONTESTED);
      assertThat(l.detail()).contains("4 candidates").contains(Ed25519Keys.toHex(
          honestOwner.publicKey()));
      NodeResponse.Status status = client.status().get(10, TimeUnit.SECONDS);
      assertThat(status.fields()).anySatisfy(f -> {
        assertThat(f.key()).isEqualTo("contested names");
        assertThat(f.value()).startsWith(DISPUTED + " ");
      });
      assertThat(status.fields()).anySatisfy(f ->
          assertThat(f.key()).isEqualTo("contested " + name(0)));
    }
    // Reconciliation with the untrusted peers after the vote does not settle anything.
    await().atMost(WAIT).until(() -> fresh.catchUp().sessionsCompleted() >= 5);
    assertThat(fresh.contested().count()).isEqualTo(DISPUTED);
    // Nobody lost score for disagreeing.
    for (Node n : nodes.subList(0, 5)) {
      assertThat(fresh.peerNetwork().score().score(n.identity().nodeId())).isZero();
    }

    // A restart forgets nothing: the node does not vote again, the names stay contested.
    fresh.close();
    Node again = start("fresh", p.all(), 5, trusting(Set.of(trusted.identity().nodeId())));
    assertThat(again.bootstrap()).isEmpty();
    assertThat(again.contested().count()).isEqualTo(DISPUTED);
    assertThat(again.records().lookup(name(0)).status()).isEqualTo(LookupStatus.CONTESTED);
    await().atMost(WAIT).until(() -> again.catchUp().sessionsCompleted() >= 5);
    assertThat(again.contested().count()).isEqualTo(DISPUTED);

    // A trusted peer links up: its versions settle every disputed name, for the honest owner.
    again.peerNetwork().connect(DialTarget.parse(pinned(trusted))).get(30, TimeUnit.SECONDS);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(again.contested().count()).isZero();
      assertThat(contents(again)).isEqualTo(honest);
    });
    assertThat(again.contested().settledLater()).isEqualTo(DISPUTED);
  }

  /**
   * The fetch runs behind the listings, never ahead of the slowest one: a name is decided only
   * once every asked peer has listed past it. The hostile peer's list starts with a full page of
   * names that sort before the disputed ones, so the honest list reaches the disputed names
   * first; deciding them then would settle them for the honest owner by the only version listed
   * so far, instead of leaving them contested.
   */
  @Test
  void aNameIsDecidedOnlyOnceEveryPeerHasListedPastIt() throws Exception {
    List<SignedRecord> claims = honestClaims();
    Node honest = start("honest", List.of(), 0, TrustWeights.none());
    submitAll(honest, claims);
    Ed25519Keys.KeyPair hostileKey = Ed25519Keys.generate();
    List<SignedRecord> hostileRecords = new ArrayList<>();
    int filler = NameListing.MAX_ENTRIES + 1;
    for (int i = 0; i < filler; i++) {
      String name = String.format("a%05d.p2p", i);
      hostileRecords.add(net.claim(hostileKey, name, now,
          TestNetwork.rrs(name + ".", "@ 300 IN A 203.0.113.1")));
    }
    for (int i = 0; i < DISPUTED; i++) {
      hostileRecords.add(net.claim(hostileKey, name(i), now,
          TestNetwork.rrs(name(i) + ".", "@ 300 IN A 203.0.113.66")));
    }
    Node hostile = start("hostile", List.of(), 0, TrustWeights.none());
    submitAll(hostile, hostileRecords);

    Node fresh = start("fresh", List.of(pinned(honest), pinned(hostile)), 2,
        TrustWeights.none());
    await().atMost(WAIT).until(() -> fresh.bootstrap().orElseThrow().done());

    for (int i = 0; i < NAMES; i++) {
      if (i < DISPUTED) {
        assertThat(fresh.contested().isContested(name(i))).as(name(i)).isTrue();
        assertThat(fresh.records().current(name(i))).as(name(i)).isEmpty();
      } else {
        // Omitted by the hostile peer: an omission abstains.
        assertThat(fresh.records().current(name(i)).orElseThrow().digestHex()).as(name(i))
            .isEqualTo(claims.get(i).digestHex());
      }
    }
    assertThat(fresh.contested().count()).isEqualTo(DISPUTED);
    // The names only the hostile peer listed are not disputed by anyone.
    assertThat(fresh.records().count()).isEqualTo(filler + NAMES - DISPUTED);
  }

  /**
   * A voter that listed names ahead of the others and then went away leaves versions nobody can
   * serve once those names are admitted: they abstain, and the vote ends. Two hand-driven peers:
   * d lists m1 and ends; a lists a1 with more to follow; d goes; a ends its list.
   */
  @Test
  void aVoterThatListedAheadAndLeftDoesNotHoldTheVoteOpen() throws Exception {
    try (TestPeer a = new TestPeer(tmp.resolve("a"), Ed25519Keys.generate(), net.networkId(),
            List.of(), TestPeer.fast());
        TestPeer d = new TestPeer(tmp.resolve("d"), Ed25519Keys.generate(), net.networkId(),
            List.of(), TestPeer.fast())) {
      Node fresh = start("fresh", List.of(a.pinned().toString(), d.pinned().toString()), 2,
          TrustWeights.none());
      String id = fresh.identity().nodeId();
      await().atMost(WAIT).until(() -> listRequest(a, 1) != null && listRequest(d, 1) != null);
      sendList(d, id, listRequest(d, 1).requestId(), false,
          List.of(new NameListing.Entry("m1.p2p", new byte[32])));
      byte[] other = new byte[32];
      other[0] = 1;
      sendList(a, id, listRequest(a, 1).requestId(), true,
          List.of(new NameListing.Entry("a1.p2p", other)));
      await().atMost(WAIT).until(() -> listRequest(a, 2) != null);
      // a1 is admitted (both lists are past it) and fetched from a, which no longer has it.
      await().atMost(WAIT).until(() -> a.received.stream()
          .anyMatch(m -> m instanceof PeerMessage.RecordsByDigest));
      PeerMessage.RecordsByDigest asked = (PeerMessage.RecordsByDigest) a.received.stream()
          .filter(m -> m instanceof PeerMessage.RecordsByDigest).findFirst().orElseThrow();
      a.network.link(id).orElseThrow().send(new PeerMessage.Records(asked.requestId(),
          List.of(), false));
      d.close();
      await().atMost(WAIT).until(() -> fresh.peerNetwork().links().size() == 1);
      sendList(a, id, listRequest(a, 2).requestId(), false, List.of());

      await().atMost(WAIT).until(() -> fresh.bootstrap().orElseThrow().done());
      assertThat(fresh.records().count()).isZero();
      assertThat(fresh.contested().count()).isZero();
    }
  }

  /**
   * A voter that lists a name per page, each page in time, cannot hold the vote open: once its
   * listing has run 4 times as long as the fastest voter's plus node.bootstrap-wait (here 3 s),
   * it is cut where it stands and the vote ends with what it listed so far.
   */
  @Test
  void aVoterListingANameAtATimeIsCutAndTheVoteEnds() throws Exception {
    try (TestPeer a = new TestPeer(tmp.resolve("a"), Ed25519Keys.generate(), net.networkId(),
            List.of(), TestPeer.fast());
        TestPeer slow = new TestPeer(tmp.resolve("slow"), Ed25519Keys.generate(),
            net.networkId(), List.of(), TestPeer.fast())) {
      Path dir = tmp.resolve("fresh");
      Files.createDirectories(dir);
      Config config = TestNodes.config(dir, List.of(a.pinned().toString(),
              slow.pinned().toString()))
          .set("node.bootstrap-peers", "2")
          .set("node.bootstrap-wait", "3s")
          .build();
      Node fresh = Node.start(NodeConfig.from(config, tmp, Optional.empty()), Clock.systemUTC(),
          TrustWeights.none());
      nodes.add(fresh);
      String id = fresh.identity().nodeId();
      await().atMost(WAIT).until(() -> listRequest(a, 1) != null && listRequest(slow, 1) != null);
      sendList(a, id, listRequest(a, 1).requestId(), false, List.of());
      // One name a page, every 200 ms, for at most 30 s; its records it no longer has.
      Set<Long> answered = new java.util.HashSet<>();
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (int page = 1; !fresh.bootstrap().orElseThrow().done() && System.nanoTime() < end;
          page++) {
        int n = page;
        await().atMost(WAIT).until(() -> listRequest(slow, n) != null
            || fresh.bootstrap().orElseThrow().done());
        if (fresh.bootstrap().orElseThrow().done()) {
          break;
        }
        sendList(slow, id, listRequest(slow, n).requestId(), true, List.of(
            new NameListing.Entry(String.format("s%05d.p2p", n), new byte[32])));
        answerFetchesWithNothing(slow, id, answered);
        Thread.sleep(200);
      }
      answerFetchesWithNothing(slow, id, answered);
      assertThat(fresh.bootstrap().orElseThrow().done()).isTrue();
      assertThat(fresh.bootstrap().orElseThrow().summary()).contains("done in");
    }
  }

  /** Answers each record request {@code p} received and did not answer yet: nothing held. */
  private static void answerFetchesWithNothing(TestPeer p, String to, Set<Long> answered) {
    for (PeerMessage m : p.received) {
      if (m instanceof PeerMessage.RecordsByDigest r && answered.add(r.requestId())) {
        p.network.link(to).ifPresent(l -> l.send(new PeerMessage.Records(r.requestId(),
            List.of(), false)));
      }
    }
  }

  /** The {@code nth} LIST_REQUEST {@code p} received, or null. */
  private static NameListing.Request listRequest(TestPeer p, int nth) throws Exception {
    List<PeerMessage> requests = p.received.stream().filter(m -> m instanceof PeerMessage.Reconcile r
        && r.type() == NameListing.TYPE_LIST_REQUEST).toList();
    return requests.size() < nth ? null : NameListing.decodeRequest(
        ((PeerMessage.Reconcile) requests.get(nth - 1)).payload());
  }

  private static void sendList(TestPeer p, String to, long requestId, boolean more,
      List<NameListing.Entry> entries) {
    p.network.link(to).orElseThrow().send(new PeerMessage.Reconcile(NameListing.TYPE_LIST,
        NameListing.encodePage(new NameListing.Page(requestId, more, entries))));
  }

  @Test
  void aNodeStoppedBeforeItsVoteEndedVotesAgainThoughItHoldsRecords() throws Exception {
    // Waits for 3 peers it does not have; a client's record gets in meanwhile (clients are not
    // held back), then the node stops mid-wait.
    Node fresh = start("fresh", List.of(), 3, TrustWeights.none());
    assertThat(fresh.bootstrap().orElseThrow().done()).isFalse();
    submitAll(fresh, List.of(honestClaims().get(0)));
    fresh.close();
    // Not empty any more, but the vote never ended: it votes again.
    Node again = start("fresh", List.of(), 3, TrustWeights.none());
    assertThat(again.records().count()).isEqualTo(1);
    assertThat(again.bootstrap()).isPresent();
    assertThat(again.contested().bootstrapping()).isTrue();
  }
}

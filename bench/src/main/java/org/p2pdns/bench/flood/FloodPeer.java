package org.p2pdns.bench.flood;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.p2pdns.common.config.Config;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.peer.DialTarget;
import org.p2pdns.common.peer.PeerMessage;
import org.p2pdns.common.record.RecordContent;
import org.p2pdns.common.record.RecordSigner;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.node.peer.NodeTable;
import org.p2pdns.node.peer.PeerIdentity;
import org.p2pdns.node.peer.PeerLink;
import org.p2pdns.node.peer.PeerMessageListener;
import org.p2pdns.node.peer.PeerNetwork;
import org.p2pdns.node.peer.PeerNetworkConfig;
import org.p2pdns.node.peer.DecayingPeerScore;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The hostile peer of the flood benchmark (bench/flood-bench.sh, docs/performance.md): with a
 * fresh node identity it links to the node over the real peer protocol (TLS, HELLO) and pushes
 * invalid records (a claim with a broken signature, each copy different so that no de-duplication
 * hides it) as fast as its link takes them. When the node bans and disconnects it, it makes a new
 * identity (they are free) and comes back, until the time is up. Prints what it did.
 */
@Command(name = "flood-peer", mixinStandardHelpOptions = true,
    description = "Floods a node with invalid records over the peer protocol (benchmark only).")
public final class FloodPeer implements Callable<Integer> {
  @Option(names = "--peer", required = true, paramLabel = "ID@HOST:PORT",
      description = "The node to flood (its peer address, pinned).")
  String peer;

  @Option(names = "--seconds", defaultValue = "60", description = "How long to flood.")
  int seconds;

  @Option(names = "--mode", defaultValue = "bad-signature",
      description = "bad-signature: claims whose signature cannot hold (the sender is banned "
          + "after 10 and comes back with a new identity); not-owner: validly signed claims of a "
          + "name someone else holds (NOT_OWNER or RATE_LIMITED: an honest node could send them, "
          + "so they cost no score and the link stays up).")
  String mode;

  @Option(names = "--name", defaultValue = "n0000001.p2p",
      description = "For not-owner: the held name to claim.")
  String heldName;

  @Option(names = "--pool", defaultValue = "30000",
      description = "For not-owner: distinct claims signed before the flood (then repeated).")
  int pool;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Network parameters as the node has them (network.pow-bits=...).")
  List<String> set = List.of();

  @Override
  public Integer call() throws Exception {
    Config.Builder cb = Config.builder();
    for (String kv : set) {
      int eq = kv.indexOf('=');
      cb.set(kv.substring(0, eq), kv.substring(eq + 1));
    }
    NetworkParams params = NetworkParams.fromConfig(cb.build());
    DialTarget target = DialTarget.parse(peer);
    boolean notOwner = mode.equals("not-owner");
    if (!notOwner && !mode.equals("bad-signature")) {
      throw new IllegalArgumentException("--mode bad-signature or not-owner");
    }
    byte[] template = invalidRecord(params);
    // Signed before the clock starts, so that signing does not slow the flood down.
    UnwantedClaims unwanted = notOwner ? new UnwantedClaims(params, heldName, pool) : null;
    System.out.println("flooding " + target + " for " + seconds + " s");
    System.out.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long sent = 0;
    long identities = 0;
    long refusedDials = 0;
    long counter = 0;
    Path tmp = Files.createTempDirectory("flood-peer");
    while (System.nanoTime() < deadline) {
      identities++;
      Ed25519Keys.KeyPair key = Ed25519Keys.generate();
      Path dir = Files.createDirectories(tmp.resolve("id" + identities));
      try (NodeTable table = NodeTable.open(dir.resolve("node.db"))) {
        // A long handshake deadline: on a busy machine a niced flooder is slow to get CPU.
        PeerNetworkConfig config = PeerNetworkConfig.builder().listen("127.0.0.1", 0)
            .ioThreads(1).maxLinks(1).handshakeTimeout(Duration.ofSeconds(30))
            .softwareVersion("flood-peer").build();
        PeerNetwork network = new PeerNetwork(config, PeerIdentity.create(key, Clock.systemUTC()),
            params.networkId(), table, new DecayingPeerScore(Clock.systemUTC()),
            PeerMessageListener.NONE, Clock.systemUTC());
        try {
          network.start();
          String nodeId;
          try {
            nodeId = network.connect(target).get(40, TimeUnit.SECONDS);
          } catch (Exception e) {
            refusedDials++;
            continue;
          }
          PeerLink link = network.link(nodeId).orElse(null);
          while (link != null && link.isOpen() && System.nanoTime() < deadline) {
            long c = counter++;
            byte[] r;
            if (notOwner) {
              r = unwanted.next(c);
            } else {
              r = template.clone();
              // A different signature each time: a new digest, so the node validates each one.
              for (int i = 0; i < 8; i++) {
                r[r.length - 1 - i] = (byte) (c >>> (8 * i));
              }
            }
            if (link.send(new PeerMessage.RecordPush(0, r))) {
              sent++;
            } else {
              // The link's queue is full: as fast as the link allows, no faster.
              LockSupport.parkNanos(100_000);
            }
          }
        } finally {
          network.close();
        }
      }
    }
    System.out.printf("flood-peer (%s): %d records queued in %d s (%.0f/s) by %d identities; "
        + "%d dials refused%n", mode, sent, seconds, sent / (double) seconds, identities,
        refusedDials);
    return 0;
  }

  /** A claim of a fresh name with valid proof of work and a signature that cannot hold. */
  private static byte[] invalidRecord(NetworkParams params) throws Exception {
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    long now = System.currentTimeMillis() / 1000;
    String name = "flood." + params.suffixes().get(0);
    long nonce = 0;
    while (!org.p2pdns.common.record.ProofOfWork.verify(params.networkId(), name,
        key.publicKey(), nonce, params.powBits())) {
      nonce++;
    }
    RecordContent c = new RecordContent(SignedRecord.Kind.DATA, name, 1, now,
        now + Duration.ofDays(30).toSeconds(), key.publicKey(), nonce, List.of(),
        List.of(new ARecord(Name.fromString(name + "."), org.xbill.DNS.DClass.IN, 300,
            java.net.InetAddress.getByName("192.0.2.1"))));
    byte[] bytes = new RecordSigner(params.networkId()).sign(c, key).encoded();
    bytes[bytes.length - 9] ^= 1; // break the signature
    return bytes;
  }

  /**
   * Claims of a name held by someone else, validly signed by the flooder's key with valid proof
   * of work (mined once: it binds name and key, not the contents), each with other addresses so
   * that each is new to the node: all checks pass, then the node refuses NOT_OWNER (or
   * RATE_LIMITED). The signature checks are what they cost.
   */
  private static final class UnwantedClaims {
    private final Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    private final RecordSigner signer;
    private final String name;
    private final long nonce;
    private final long now = System.currentTimeMillis() / 1000;
    private final List<byte[]> signed = new java.util.ArrayList<>();

    UnwantedClaims(NetworkParams params, String name, int pool) {
      this.signer = new RecordSigner(params.networkId());
      this.name = name;
      long n = 0;
      while (!org.p2pdns.common.record.ProofOfWork.verify(params.networkId(), name,
          key.publicKey(), n, params.powBits())) {
        n++;
      }
      this.nonce = n;
      for (int i = 0; i < pool; i++) {
        signed.add(make(i));
      }
    }

    /** The c-th claim; after the pool, its repeats (which the node drops unread). */
    byte[] next(long c) {
      return signed.get((int) (c % signed.size()));
    }

    private byte[] make(long c) {
      try {
        byte[] ip = {10, (byte) (c >>> 16), (byte) (c >>> 8), (byte) c};
        RecordContent content = new RecordContent(SignedRecord.Kind.DATA, name, 1, now,
            now + Duration.ofDays(30).toSeconds(), key.publicKey(), nonce, List.of(),
            List.of(new ARecord(Name.fromString(name + "."), org.xbill.DNS.DClass.IN, 300,
                java.net.InetAddress.getByAddress(ip))));
        return signer.sign(content, key).encoded();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new FloodPeer()).execute(args));
  }
}

package org.p2pdns.common.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * A node's signed list of the nodes it vouches for ({@code p2pdns endorse}). Only the endorser
 * can make one (it signs with its node key), so anyone can check it and a relay cannot change it.
 * A newer list ({@code issuedAt}) from the same endorser replaces the older one whole: a node
 * withdraws an endorsement by signing a list without it, and an older list cannot be replayed
 * over a newer one. A list holds at most {@link #MAX_ENDORSED} nodes, so what one endorser can
 * make others keep is bounded.
 *
 * <p>Wire form (docs/protocol.md, 3.3 ENDORSEMENTS): {@code u8 version=1, 32 endorser public key,
 * i64 issuedAt (Unix ms), u8 count (0..16), count x 32 endorsed node id (the raw bytes of the
 * hex id, ascending, no repeats), 64 signature}. The signature covers
 * {@code "p2pdns-endorsement-v1" || network id || every byte before the signature}, so an
 * endorsement of one network never verifies in another.
 */
public record Endorsement(byte[] endorserKey, long issuedAt, List<String> endorsed,
    byte[] signature) {
  public static final int VERSION = 1;
  /** Most nodes one endorser vouches for at a time. */
  public static final int MAX_ENDORSED = 16;
  /** Largest encoding. */
  public static final int MAX_BYTES = 1 + 32 + 8 + 1 + MAX_ENDORSED * 32 + 64;
  private static final byte[] CONTEXT =
      "p2pdns-endorsement-v1".getBytes(StandardCharsets.US_ASCII);

  public Endorsement {
    if (endorserKey.length != Ed25519Keys.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("endorser key must be 32 bytes");
    }
    if (signature.length != Ed25519Keys.SIGNATURE_BYTES) {
      throw new IllegalArgumentException("signature must be 64 bytes");
    }
    if (issuedAt < 0) {
      throw new IllegalArgumentException("issuedAt is negative");
    }
    endorsed = List.copyOf(endorsed);
    if (endorsed.size() > MAX_ENDORSED) {
      throw new IllegalArgumentException(endorsed.size() + " endorsed nodes exceed "
          + MAX_ENDORSED);
    }
    for (int i = 0; i < endorsed.size(); i++) {
      if (!NodeIds.isNodeId(endorsed.get(i))) {
        throw new IllegalArgumentException("'" + endorsed.get(i) + "' is not a node id");
      }
      if (i > 0 && endorsed.get(i - 1).compareTo(endorsed.get(i)) >= 0) {
        throw new IllegalArgumentException("endorsed node ids must ascend without repeats");
      }
    }
    endorserKey = endorserKey.clone();
    signature = signature.clone();
  }

  /** Makes and signs a list with the endorser's node key; the ids are sorted here. */
  public static Endorsement sign(Ed25519Keys.KeyPair nodeKey, byte[] networkId,
      List<String> endorsed, long issuedAt) {
    byte[] pk = nodeKey.publicKey();
    List<String> sorted = endorsed.stream().distinct().sorted().toList();
    byte[] body = body(pk, issuedAt, sorted);
    return new Endorsement(pk, issuedAt, sorted, nodeKey.sign(signingMessage(networkId, body)));
  }

  /** Whether the endorser's signature holds for this network. */
  public boolean verify(byte[] networkId) {
    return Ed25519Keys.verify(endorserKey, signingMessage(networkId,
        body(endorserKey, issuedAt, endorsed)), signature);
  }

  /** The endorser's node id. */
  public String endorserId() {
    return NodeIds.idOf(endorserKey);
  }

  @Override
  public byte[] endorserKey() {
    return endorserKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  private static byte[] body(byte[] key, long issuedAt, List<String> endorsed) {
    WireWriter w = new WireWriter(MAX_BYTES).u8(VERSION).bytes(key).i64(issuedAt)
        .u8(endorsed.size());
    for (String id : endorsed) {
      w.bytes(HexFormat.of().parseHex(id));
    }
    return w.toByteArray();
  }

  private static byte[] signingMessage(byte[] networkId, byte[] body) {
    return new WireWriter(CONTEXT.length + networkId.length + body.length).bytes(CONTEXT)
        .bytes(networkId).bytes(body).toByteArray();
  }

  public void writeTo(WireWriter w) {
    w.bytes(body(endorserKey, issuedAt, endorsed)).bytes(signature);
  }

  public byte[] encoded() {
    WireWriter w = new WireWriter(MAX_BYTES);
    writeTo(w);
    return w.toByteArray();
  }

  /** Reads one endorsement at the cursor; the signature is not checked here. */
  public static Endorsement readFrom(WireReader r) throws MalformedException {
    int version = r.u8("endorsement version");
    if (version != VERSION) {
      throw new MalformedException("unknown endorsement version " + version);
    }
    byte[] key = r.bytes(Ed25519Keys.PUBLIC_KEY_BYTES, "endorser key");
    long issuedAt = r.i64("endorsement time");
    if (issuedAt < 0) {
      throw new MalformedException("endorsement time " + issuedAt + " is negative");
    }
    int n = r.u8("endorsed count");
    if (n > MAX_ENDORSED) {
      throw new MalformedException(n + " endorsed nodes exceed " + MAX_ENDORSED);
    }
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(HexFormat.of().formatHex(r.bytes(32, "endorsed node id")));
    }
    byte[] sig = r.bytes(Ed25519Keys.SIGNATURE_BYTES, "endorsement signature");
    try {
      return new Endorsement(key, issuedAt, ids, sig);
    } catch (IllegalArgumentException e) {
      throw new MalformedException("endorsement: " + e.getMessage(), e);
    }
  }

  public static Endorsement decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    Endorsement e = readFrom(r);
    r.expectEnd("endorsement");
    return e;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endorsement e && Arrays.equals(encoded(), e.encoded());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Endorsement[" + endorserId() + " at " + issuedAt + " endorses " + endorsed + "]";
  }
}

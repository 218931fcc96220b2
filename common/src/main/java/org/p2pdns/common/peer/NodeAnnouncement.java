package org.p2pdns.common.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * A node's signed statement of where it listens. Only the node itself can make one (it signs with
 * its identity key), so a relay can pass an announcement on but cannot change it. A newer
 * {@code issuedAt} replaces an older one.
 *
 * <p>Wire form (docs/protocol.md, part 3): {@code u8 version=1, 32 public key, i64 issuedAt (Unix
 * ms), u8 count, count x (u8 host length, host ASCII, u16 port), 64 signature}. The signature
 * covers {@code "p2pdns-node-announcement-v1" || network id || every byte before the signature},
 * so an announcement of one network never verifies in another.
 */
public record NodeAnnouncement(byte[] publicKey, long issuedAt, List<PeerAddress> addresses,
    byte[] signature) {
  public static final int VERSION = 1;
  public static final int MAX_ADDRESSES = 8;
  /** Largest encoding: header, 8 addresses of the longest host, signature. */
  public static final int MAX_BYTES = 1 + 32 + 8 + 1 + MAX_ADDRESSES * (1 + 253 + 2) + 64;
  private static final byte[] CONTEXT =
      "p2pdns-node-announcement-v1".getBytes(StandardCharsets.US_ASCII);

  public NodeAnnouncement {
    if (publicKey.length != Ed25519Keys.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("public key must be 32 bytes");
    }
    if (signature.length != Ed25519Keys.SIGNATURE_BYTES) {
      throw new IllegalArgumentException("signature must be 64 bytes");
    }
    addresses = List.copyOf(addresses);
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException(addresses.size() + " addresses exceed " + MAX_ADDRESSES);
    }
    if (issuedAt < 0) {
      throw new IllegalArgumentException("issuedAt is negative");
    }
    publicKey = publicKey.clone();
    signature = signature.clone();
  }

  /** Makes and signs an announcement with the node's identity key. */
  public static NodeAnnouncement sign(Ed25519Keys.KeyPair key, byte[] networkId,
      List<PeerAddress> addresses, long issuedAt) {
    byte[] pk = key.publicKey();
    byte[] body = body(pk, issuedAt, List.copyOf(addresses));
    return new NodeAnnouncement(pk, issuedAt, addresses,
        key.sign(signingMessage(networkId, body)));
  }

  /** Whether the node's signature holds for this network. */
  public boolean verify(byte[] networkId) {
    return Ed25519Keys.verify(publicKey, signingMessage(networkId,
        body(publicKey, issuedAt, addresses)), signature);
  }

  public String nodeId() {
    return NodeIds.idOf(publicKey);
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  private static byte[] body(byte[] publicKey, long issuedAt, List<PeerAddress> addresses) {
    WireWriter w = new WireWriter(64 + addresses.size() * 24);
    writeBody(w, publicKey, issuedAt, addresses);
    return w.toByteArray();
  }

  private static void writeBody(WireWriter w, byte[] publicKey, long issuedAt,
      List<PeerAddress> addresses) {
    w.u8(VERSION).bytes(publicKey).i64(issuedAt).u8(addresses.size());
    for (PeerAddress a : addresses) {
      byte[] host = a.host().getBytes(StandardCharsets.US_ASCII);
      w.u8(host.length).bytes(host).u16(a.port());
    }
  }

  private static byte[] signingMessage(byte[] networkId, byte[] body) {
    return new WireWriter(CONTEXT.length + networkId.length + body.length).bytes(CONTEXT)
        .bytes(networkId).bytes(body).toByteArray();
  }

  public void writeTo(WireWriter w) {
    writeBody(w, publicKey, issuedAt, addresses);
    w.bytes(signature);
  }

  public byte[] encoded() {
    WireWriter w = new WireWriter(128);
    writeTo(w);
    return w.toByteArray();
  }

  /** Reads one announcement at the cursor; the signature is not checked here. */
  public static NodeAnnouncement readFrom(WireReader r) throws MalformedException {
    int version = r.u8("announcement version");
    if (version != VERSION) {
      throw new MalformedException("unknown announcement version " + version);
    }
    byte[] pk = r.bytes(Ed25519Keys.PUBLIC_KEY_BYTES, "announcement public key");
    long issuedAt = r.i64("announcement time");
    if (issuedAt < 0) {
      throw new MalformedException("announcement time " + issuedAt + " is negative");
    }
    int n = r.u8("address count");
    if (n > MAX_ADDRESSES) {
      throw new MalformedException(n + " addresses exceed " + MAX_ADDRESSES);
    }
    List<PeerAddress> addresses = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String host = new String(r.bytes(r.u8("host length"), "host"), StandardCharsets.US_ASCII);
      int port = r.u16("port");
      if (!host.equals(host.toLowerCase(java.util.Locale.ROOT))) {
        throw new MalformedException("announced host '" + host + "' is not lower case");
      }
      try {
        addresses.add(new PeerAddress(host, port));
      } catch (IllegalArgumentException e) {
        throw new MalformedException("bad announced address: " + e.getMessage(), e);
      }
    }
    byte[] sig = r.bytes(Ed25519Keys.SIGNATURE_BYTES, "announcement signature");
    return new NodeAnnouncement(pk, issuedAt, addresses, sig);
  }

  public static NodeAnnouncement decode(byte[] bytes) throws MalformedException {
    WireReader r = new WireReader(bytes);
    NodeAnnouncement a = readFrom(r);
    r.expectEnd("announcement");
    return a;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeAnnouncement a && Arrays.equals(encoded(), a.encoded());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "NodeAnnouncement[node=" + nodeId() + ", issuedAt=" + issuedAt + ", addresses="
        + addresses + "]";
  }
}

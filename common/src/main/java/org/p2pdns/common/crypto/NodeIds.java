package org.p2pdns.common.crypto;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** A node's id: SHA-256 of a context string and the node's Ed25519 public key, in hex. */
public final class NodeIds {
  public static final int HEX_LENGTH = 64;
  private static final byte[] CONTEXT = "p2pdns-node-id-v1".getBytes(StandardCharsets.US_ASCII);

  private NodeIds() {}

  public static String idOf(byte[] publicKey) {
    return HexFormat.of().formatHex(Hashes.sha256(CONTEXT, publicKey));
  }

  /** Whether {@code text} has the form of a node id (64 lower-case hex digits). */
  public static boolean isNodeId(String text) {
    return text.length() == HEX_LENGTH && text.chars().allMatch(
        c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}

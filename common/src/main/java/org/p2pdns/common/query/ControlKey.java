package org.p2pdns.common.query;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pdns.common.crypto.KeyFiles;
import org.p2pdns.common.wire.WireWriter;

/**
 * The node's control key: 32 random bytes in {@code control.key} in the data dir, readable only
 * by the node's owner (0600), as unbound-control and rndc keep theirs. Requests that change the
 * node (connect; later trust, endorse) carry an HMAC-SHA256 made with it, so only someone who can
 * read the data dir can send them; JeroMQ's local endpoint alone protects nothing (any local user
 * can connect to a TCP port).
 */
public final class ControlKey {
  public static final String FILE_NAME = "control.key";
  public static final int KEY_BYTES = 32;
  public static final int MAC_BYTES = 32;
  /** How far a request's time may lie from the node's clock. */
  public static final long MAX_AGE_MILLIS = 60_000;
  private static final byte[] CONTEXT = "p2pdns-control-v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;

  private ControlKey(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a control key is " + KEY_BYTES + " bytes");
    }
    this.key = key.clone();
  }

  public static ControlKey of(byte[] key) {
    return new ControlKey(key);
  }

  /** The node's key in {@code dataDir}, made (0600) at first start. */
  public static ControlKey loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      byte[] k = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(k);
      try {
        KeyFiles.writeSecret(file, (HexFormat.of().formatHex(k) + "\n")
            .getBytes(StandardCharsets.US_ASCII));
      } catch (KeyFiles.KeyFileException e) {
        if (!Files.exists(file)) { // another process may have made it at the same moment
          throw new IOException(e.getMessage(), e);
        }
      }
    }
    return read(file);
  }

  /** Reads a control key file (64 hex digits). */
  public static ControlKey read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      throw new IOException("control key " + file + " does not exist (the node makes it at its "
          + "first start)", e);
    }
    try {
      return new ControlKey(HexFormat.of().parseHex(text));
    } catch (IllegalArgumentException e) {
      throw new IOException("control key " + file + " is not " + 2 * KEY_BYTES + " hex digits",
          e);
    }
  }

  /**
   * HMAC-SHA256 over {@code "p2pdns-control-v1" || u8 request type || i64 request id ||
   * i64 issuedAt || the request's fields as encoded}.
   */
  public byte[] mac(int requestType, long requestId, long issuedAt, byte[] fields) {
    byte[] message = new WireWriter(64 + fields.length).bytes(CONTEXT).u8(requestType)
        .i64(requestId).i64(issuedAt).bytes(fields).toByteArray();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Whether {@code mac} is right, in constant time. */
  public boolean verify(int requestType, long requestId, long issuedAt, byte[] fields,
      byte[] mac) {
    return MessageDigest.isEqual(mac(requestType, requestId, issuedAt, fields), mac);
  }
}

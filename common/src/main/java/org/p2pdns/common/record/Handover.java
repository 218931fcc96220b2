package org.p2pdns.common.record;

import java.util.Arrays;
import org.p2pdns.common.crypto.Ed25519Keys;

/**
 * One link of a name's ownership chain: the key in charge before it (the claim key, or the
 * previous link's {@code toKey}) signs that {@code toKey} holds the name from {@code serial} on.
 */
public record Handover(byte[] toKey, long serial, byte[] signature) {
  public Handover {
    if (toKey.length != Ed25519Keys.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("handover key must be 32 bytes");
    }
    if (signature.length != Ed25519Keys.SIGNATURE_BYTES) {
      throw new IllegalArgumentException("handover signature must be 64 bytes");
    }
    if (serial < 1) {
      throw new IllegalArgumentException("handover serial must be positive");
    }
    toKey = toKey.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] toKey() {
    return toKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Handover h && serial == h.serial && Arrays.equals(toKey, h.toKey)
        && Arrays.equals(signature, h.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Handover[to=" + Ed25519Keys.toHex(toKey) + ", serial=" + serial + "]";
  }
}

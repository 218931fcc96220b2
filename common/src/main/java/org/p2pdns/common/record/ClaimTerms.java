package org.p2pdns.common.record;

import java.util.Arrays;
import java.util.Optional;
import org.p2pdns.common.crypto.Ed25519Keys;

/**
 * What a claim fixes for its whole lineage besides the claim key (docs/protocol.md 1.5a): the
 * commitment it reveals, if it was committed first, and the recovery key, if the claimant named
 * one. Carried unchanged by every later version; a version with other terms belongs to another
 * lineage.
 */
public final class ClaimTerms {
  public static final int SALT_BYTES = 16;
  /** A plain claim: no commitment, no recovery key (format version 1). */
  public static final ClaimTerms NONE = new ClaimTerms(null, null);

  /** The revealed commitment: when it was committed and the salt that hid the claim. */
  public record Reveal(long committedAt, byte[] salt) {
    public Reveal {
      if (salt.length != SALT_BYTES) {
        throw new IllegalArgumentException("salt must be " + SALT_BYTES + " bytes");
      }
      salt = salt.clone();
    }

    @Override
    public byte[] salt() {
      return salt.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reveal r && r.committedAt == committedAt && Arrays.equals(salt, r.salt);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(committedAt) * 31 + Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
      return "Reveal[committedAt=" + committedAt + "]";
    }
  }

  private final Reveal reveal;
  private final byte[] recoveryKey;

  private ClaimTerms(Reveal reveal, byte[] recoveryKey) {
    if (recoveryKey != null && recoveryKey.length != Ed25519Keys.PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException("recovery key must be 32 bytes");
    }
    this.reveal = reveal;
    this.recoveryKey = recoveryKey == null ? null : recoveryKey.clone();
  }

  public static ClaimTerms of(Optional<Reveal> reveal, Optional<byte[]> recoveryKey) {
    return reveal.isEmpty() && recoveryKey.isEmpty() ? NONE
        : new ClaimTerms(reveal.orElse(null), recoveryKey.orElse(null));
  }

  public ClaimTerms withReveal(Reveal r) {
    return new ClaimTerms(r, recoveryKey);
  }

  public ClaimTerms withRecoveryKey(byte[] key) {
    return new ClaimTerms(reveal, key);
  }

  public Optional<Reveal> reveal() {
    return Optional.ofNullable(reveal);
  }

  public Optional<byte[]> recoveryKey() {
    return recoveryKey == null ? Optional.empty() : Optional.of(recoveryKey.clone());
  }

  public boolean isNone() {
    return reveal == null && recoveryKey == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClaimTerms t && java.util.Objects.equals(reveal, t.reveal)
        && Arrays.equals(recoveryKey, t.recoveryKey);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(reveal) * 31 + Arrays.hashCode(recoveryKey);
  }

  @Override
  public String toString() {
    return "ClaimTerms[" + (reveal == null ? "uncommitted" : reveal) + (recoveryKey == null ? ""
        : ", recovery " + Ed25519Keys.toHex(recoveryKey)) + "]";
  }
}

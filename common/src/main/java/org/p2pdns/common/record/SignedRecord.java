package org.p2pdns.common.record;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.p2pdns.common.crypto.Hashes;
import org.xbill.DNS.Record;

/**
 * One name's signed record: everything the network knows of a registered name. Immutable. Made by
 * {@link RecordCodec#decode} from bytes or by {@link RecordSigner} from content and a key; equality
 * and hashing use the canonical encoding, which is also what is stored and sent.
 */
public final class SignedRecord {
  /** What the record says of its name. */
  public enum Kind {
    /** The name's resource records. */
    DATA(0),
    /** The owner revoked the name: nothing is served, nothing older can be replayed. */
    TOMBSTONE(1);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Optional<Kind> fromCode(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  private final RecordContent content;
  private final byte[] signature;
  private final byte[] encoded;
  private volatile byte[] digest;

  SignedRecord(RecordContent content, byte[] signature, byte[] encoded) {
    this.content = content;
    this.signature = signature.clone();
    this.encoded = encoded;
  }

  public RecordContent content() {
    return content;
  }

  public Kind kind() {
    return content.kind();
  }

  public String name() {
    return content.name();
  }

  public long serial() {
    return content.serial();
  }

  public long issuedAt() {
    return content.issuedAt();
  }

  public long expiresAt() {
    return content.expiresAt();
  }

  public List<Record> rrs() {
    return content.rrs();
  }

  public List<Handover> handovers() {
    return content.handovers();
  }

  /** The key that may sign the next version: the end of the ownership chain. */
  public byte[] ownerKey() {
    return content.ownerKey();
  }

  /** The key this version is signed with. */
  public byte[] signerKey() {
    return content.signerKey();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** The canonical encoding: what is signed, stored and sent. */
  public byte[] encoded() {
    return encoded.clone();
  }

  public int encodedLength() {
    return encoded.length;
  }

  /** SHA-256 of the encoding: the record's identity in gossip and reconciliation. */
  public byte[] digest() {
    byte[] d = digest;
    if (d == null) {
      d = Hashes.sha256(encoded);
      digest = d;
    }
    return d.clone();
  }

  public String digestHex() {
    return HexFormat.of().formatHex(digest());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedRecord r && Arrays.equals(encoded, r.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "SignedRecord[" + kind() + " " + name() + " serial=" + serial() + " rrs="
        + rrs().size() + "]";
  }
}

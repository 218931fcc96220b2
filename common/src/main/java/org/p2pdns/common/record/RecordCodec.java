package org.p2pdns.common.record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The signed record's one canonical byte form (docs/protocol.md, "Signed record"). Bytes in,
 * typed value out, {@link MalformedException} on anything that is not exactly one canonical
 * encoding: a record has one encoding, so equal records have equal bytes and equal digests.
 */
public final class RecordCodec {
  /** A plain claim's lineage. */
  public static final int FORMAT_VERSION = 1;
  /** A lineage with claim terms (a revealed commitment, a recovery key): v1 plus a trailer. */
  public static final int FORMAT_VERSION_TERMS = 2;
  static final int TERMS_REVEAL = 1;
  static final int TERMS_RECOVERY = 2;
  /** No record is larger than this on any network; the network's own limit is lower. */
  public static final int ABSOLUTE_MAX_BYTES = 65_535;

  private static final byte[] RECORD_CONTEXT = "p2pdns-record-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HANDOVER_CONTEXT =
      "p2pdns-handover-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RECOVERY_CONTEXT =
      "p2pdns-recovery-v1".getBytes(StandardCharsets.US_ASCII);

  private RecordCodec() {}

  public static byte[] encodeBody(RecordContent c) {
    WireWriter w = new WireWriter(256);
    ClaimTerms t = c.terms();
    w.u8(t.isNone() ? FORMAT_VERSION : FORMAT_VERSION_TERMS).u8(c.kind().code()).string16(c.name()).i64(c.serial())
        .i64(c.issuedAt()).i64(c.expiresAt()).bytes(c.claimKey()).i64(c.powNonce());
    w.u8(c.handovers().size());
    for (Handover h : c.handovers()) {
      w.bytes(h.toKey()).i64(h.serial()).bytes(h.signature());
    }
    w.u16(c.rrs().size());
    for (Record r : c.rrs()) {
      w.bytes16(r.toWireCanonical());
    }
    if (!t.isNone()) {
      w.u8((t.reveal().isPresent() ? TERMS_REVEAL : 0)
          | (t.recoveryKey().isPresent() ? TERMS_RECOVERY : 0));
      t.reveal().ifPresent(v -> w.i64(v.committedAt()).bytes(v.salt()));
      t.recoveryKey().ifPresent(w::bytes);
    }
    return w.toByteArray();
  }

  /** The bytes the owner signs: a context string, the network id, the body. */
  public static byte[] signingMessage(byte[] networkId, byte[] body) {
    byte[] m = new byte[RECORD_CONTEXT.length + networkId.length + body.length];
    System.arraycopy(RECORD_CONTEXT, 0, m, 0, RECORD_CONTEXT.length);
    System.arraycopy(networkId, 0, m, RECORD_CONTEXT.length, networkId.length);
    System.arraycopy(body, 0, m, RECORD_CONTEXT.length + networkId.length, body.length);
    return m;
  }

  /** The bytes the previous owner signs to hand a name to {@code toKey} from {@code serial} on. */
  public static byte[] handoverMessage(byte[] networkId, String name, byte[] fromKey, byte[] toKey,
      long serial) {
    return new WireWriter(160).bytes(HANDOVER_CONTEXT).bytes(networkId).string16(name)
        .bytes(fromKey).bytes(toKey).i64(serial).toByteArray();
  }

  /**
   * The bytes a recovery key signs to hand a name from {@code fromKey} (the owner it overrides)
   * to {@code toKey} from {@code serial} on (a recovery link, docs/protocol.md 1.5b).
   */
  public static byte[] recoveryMessage(byte[] networkId, String name, byte[] fromKey,
      byte[] toKey, long serial) {
    return new WireWriter(160).bytes(RECOVERY_CONTEXT).bytes(networkId).string16(name)
        .bytes(fromKey).bytes(toKey).i64(serial).toByteArray();
  }

  public static SignedRecord assemble(RecordContent content, byte[] signature) {
    if (signature.length != Ed25519Keys.SIGNATURE_BYTES) {
      throw new IllegalArgumentException("signature must be 64 bytes");
    }
    byte[] body = encodeBody(content);
    byte[] encoded = Arrays.copyOf(body, body.length + signature.length);
    System.arraycopy(signature, 0, encoded, body.length, signature.length);
    return new SignedRecord(content, signature, encoded);
  }

  public static SignedRecord decode(byte[] bytes) throws MalformedException {
    if (bytes.length > ABSOLUTE_MAX_BYTES) {
      throw new MalformedException("record of " + bytes.length + " bytes exceeds "
          + ABSOLUTE_MAX_BYTES);
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("format version");
    if (version != FORMAT_VERSION && version != FORMAT_VERSION_TERMS) {
      throw new MalformedException("unknown record format version " + version);
    }
    int kindCode = r.u8("kind");
    SignedRecord.Kind kind = SignedRecord.Kind.fromCode(kindCode)
        .orElseThrow(() -> new MalformedException("unknown record kind " + kindCode));
    byte[] nameBytes = r.bytes16("name");
    String name = new String(nameBytes, StandardCharsets.US_ASCII);
    if (!Arrays.equals(nameBytes, name.getBytes(StandardCharsets.US_ASCII))) {
      throw new MalformedException("name is not ASCII");
    }
    long serial = r.i64("serial");
    long issued = r.i64("issued");
    long expires = r.i64("expires");
    byte[] claimKey = r.bytes(Ed25519Keys.PUBLIC_KEY_BYTES, "claim key");
    long nonce = r.i64("pow nonce");
    int handoverCount = r.u8("handover count");
    List<Handover> handovers = new ArrayList<>(handoverCount);
    for (int i = 0; i < handoverCount; i++) {
      byte[] to = r.bytes(Ed25519Keys.PUBLIC_KEY_BYTES, "handover key");
      long hs = r.i64("handover serial");
      byte[] sig = r.bytes(Ed25519Keys.SIGNATURE_BYTES, "handover signature");
      try {
        handovers.add(new Handover(to, hs, sig));
      } catch (IllegalArgumentException e) {
        throw new MalformedException("handover " + i + ": " + e.getMessage());
      }
    }
    int rrCount = r.u16("rr count");
    List<Record> rrs = new ArrayList<>(Math.min(rrCount, 1024));
    byte[] previous = null;
    for (int i = 0; i < rrCount; i++) {
      byte[] wire = r.bytes16("rr " + i);
      Record rec;
      try {
        rec = Record.fromWire(wire, Section.ANSWER);
      } catch (IOException | RuntimeException e) {
        throw new MalformedException("rr " + i + " does not parse: " + e.getMessage(), e);
      }
      byte[] canonical;
      try {
        canonical = rec.toWireCanonical();
      } catch (RuntimeException e) {
        throw new MalformedException("rr " + i + " does not encode: " + e.getMessage(), e);
      }
      if (!Arrays.equals(canonical, wire)) {
        throw new MalformedException("rr " + i + " is not in canonical form");
      }
      if (previous != null && Arrays.compareUnsigned(previous, wire) >= 0) {
        throw new MalformedException("rrs are not in canonical order without duplicates");
      }
      previous = wire;
      rrs.add(rec);
    }
    ClaimTerms terms = ClaimTerms.NONE;
    if (version == FORMAT_VERSION_TERMS) {
      int flags = r.u8("terms flags");
      if (flags == 0 || (flags & ~(TERMS_REVEAL | TERMS_RECOVERY)) != 0) {
        throw new MalformedException("bad terms flags " + flags);
      }
      if ((flags & TERMS_REVEAL) != 0) {
        long committedAt = r.i64("commitment time");
        terms = terms.withReveal(new ClaimTerms.Reveal(committedAt,
            r.bytes(ClaimTerms.SALT_BYTES, "salt")));
      }
      if ((flags & TERMS_RECOVERY) != 0) {
        terms = terms.withRecoveryKey(r.bytes(Ed25519Keys.PUBLIC_KEY_BYTES, "recovery key"));
      }
    }
    byte[] signature = r.bytes(Ed25519Keys.SIGNATURE_BYTES, "signature");
    r.expectEnd("signed record");
    RecordContent content;
    try {
      content = new RecordContent(kind, name, serial, issued, expires, claimKey, nonce, handovers,
          rrs, terms);
    } catch (IllegalArgumentException e) {
      throw new MalformedException(e.getMessage(), e);
    }
    return new SignedRecord(content, signature, bytes.clone());
  }
}

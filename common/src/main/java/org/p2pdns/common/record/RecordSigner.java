package org.p2pdns.common.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.common.crypto.Ed25519Keys;

/** Signs record content and ownership handovers with an owner key. */
public final class RecordSigner {
  private final byte[] networkId;

  public RecordSigner(byte[] networkId) {
    this.networkId = networkId.clone();
  }

  /** Signs {@code content}; the key must be the content's signer (the owner in charge). */
  public SignedRecord sign(RecordContent content, Ed25519Keys.KeyPair key) {
    boolean recovery = content.handsOver() && content.terms().recoveryKey()
        .map(k -> Arrays.equals(k, key.publicKey())).orElse(false);
    if (!recovery && !Arrays.equals(content.signerKey(), key.publicKey())) {
      throw new IllegalArgumentException("this version must be signed by "
          + Ed25519Keys.toHex(content.signerKey()) + ", not " + Ed25519Keys.toHex(key.publicKey()));
    }
    byte[] sig = key.sign(RecordCodec.signingMessage(networkId, RecordCodec.encodeBody(content)));
    return RecordCodec.assemble(content, sig);
  }

  /**
   * The handover chain of {@code current} extended by one link: {@code owner} (the current
   * owner) hands the name to {@code toKey} from {@code serial} on.
   */
  public List<Handover> extendChain(SignedRecord current, Ed25519Keys.KeyPair owner,
      byte[] toKey, long serial) {
    if (!Arrays.equals(current.ownerKey(), owner.publicKey())) {
      throw new IllegalArgumentException("only the current owner can hand the name over");
    }
    byte[] sig = owner.sign(RecordCodec.handoverMessage(networkId, current.name(),
        owner.publicKey(), toKey, serial));
    List<Handover> chain = new ArrayList<>(current.handovers());
    chain.add(new Handover(toKey, serial, sig));
    return chain;
  }

  /**
   * A recovery: the first {@code keep} links of {@code current}'s chain, then a link signed by the
   * lineage's recovery key that hands the name from the owner at that point to {@code toKey} from
   * {@code serial} on. It overrides every owner-signed link after those kept (docs/protocol.md
   * 1.5b).
   */
  public List<Handover> recoveryChain(SignedRecord current, int keep,
      Ed25519Keys.KeyPair recoveryKey, byte[] toKey, long serial) {
    byte[] named = current.content().terms().recoveryKey().orElseThrow(
        () -> new IllegalArgumentException(current.name() + " has no recovery key"));
    if (!Arrays.equals(named, recoveryKey.publicKey())) {
      throw new IllegalArgumentException("the recovery key of " + current.name() + " is "
          + Ed25519Keys.toHex(named));
    }
    List<Handover> chain = new ArrayList<>(current.handovers().subList(0, keep));
    byte[] from = keep == 0 ? current.content().claimKey() : chain.get(keep - 1).toKey();
    byte[] sig = recoveryKey.sign(RecordCodec.recoveryMessage(networkId, current.name(), from,
        toKey, serial));
    chain.add(new Handover(toKey, serial, sig));
    return chain;
  }
}

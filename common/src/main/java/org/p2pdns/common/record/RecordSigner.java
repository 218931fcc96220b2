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
    if (!Arrays.equals(content.signerKey(), key.publicKey())) {
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
}

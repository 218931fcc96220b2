package org.p2pdns.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HashesTest {
  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void leadingZeroBitsEdgeCases() {
    assertThat(Hashes.leadingZeroBits(new byte[0])).isZero();
    assertThat(Hashes.leadingZeroBits(new byte[32])).isEqualTo(256);
    assertThat(Hashes.leadingZeroBits(bytes(0x80))).isZero();
    assertThat(Hashes.leadingZeroBits(bytes(0xff, 0))).isZero();
    assertThat(Hashes.leadingZeroBits(bytes(0x7f))).isEqualTo(1);
    assertThat(Hashes.leadingZeroBits(bytes(0x01))).isEqualTo(7);
    assertThat(Hashes.leadingZeroBits(bytes(0x00, 0x80))).isEqualTo(8);
    assertThat(Hashes.leadingZeroBits(bytes(0x00, 0x01, 0xff))).isEqualTo(15);
    assertThat(Hashes.leadingZeroBits(bytes(0x00, 0x00, 0x00, 0x10))).isEqualTo(27);
    assertThat(Hashes.leadingZeroBits(bytes(0x00))).isEqualTo(8);
  }

  @Test
  void sha256OfPartsIsSha256OfTheirConcatenation() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    String expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(HexFormat.of().formatHex(Hashes.sha256(abc))).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(Hashes.sha256(bytes('a'), bytes('b', 'c'), new byte[0])))
        .isEqualTo(expected);
  }

  @Test
  void nodeIdIsTheHashOfContextAndKey() {
    byte[] pk = Ed25519Keys.fromPrivate(new byte[32]).publicKey();
    String id = NodeIds.idOf(pk);
    assertThat(id).isEqualTo(HexFormat.of().formatHex(Hashes.sha256(
        "p2pdns-node-id-v1".getBytes(StandardCharsets.US_ASCII), pk)));
    assertThat(NodeIds.isNodeId(id)).isTrue();
    assertThat(NodeIds.isNodeId(id.toUpperCase(java.util.Locale.ROOT))).isFalse();
    assertThat(NodeIds.isNodeId(id.substring(1))).isFalse();
    assertThat(NodeIds.isNodeId(id.substring(1) + "g")).isFalse();
  }

  @Test
  void ed25519SignsVerifiesAndRejectsWithoutThrowing() {
    Ed25519Keys.KeyPair k = Ed25519Keys.generate();
    byte[] msg = "message".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = k.sign(msg);
    assertThat(Ed25519Keys.verify(k.publicKey(), msg, sig)).isTrue();
    assertThat(Ed25519Keys.verify(k.publicKey(), "other".getBytes(StandardCharsets.US_ASCII),
        sig)).isFalse();
    assertThat(Ed25519Keys.verify(new byte[31], msg, sig)).isFalse();
    assertThat(Ed25519Keys.verify(k.publicKey(), msg, new byte[63])).isFalse();
    assertThat(Ed25519Keys.verify(null, msg, sig)).isFalse();
    byte[] garbageKey = new byte[32];
    java.util.Arrays.fill(garbageKey, (byte) 0xff);
    assertThat(Ed25519Keys.verify(garbageKey, msg, sig)).isFalse();
    // RFC 8032 test 1: the empty message under the published key.
    Ed25519Keys.KeyPair rfc = Ed25519Keys.fromPrivate(HexFormat.of().parseHex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    assertThat(Ed25519Keys.toHex(rfc.publicKey()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertThat(Ed25519Keys.toHex(rfc.sign(new byte[0]))).isEqualTo(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  }

  @Test
  void publicKeysParseFrom64HexDigits() {
    byte[] pk = Ed25519Keys.generate().publicKey();
    assertThat(Ed25519Keys.parsePublicKey(" " + Ed25519Keys.toHex(pk).toUpperCase() + "\n"))
        .isEqualTo(pk);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ed25519Keys.parsePublicKey("abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Ed25519Keys.parsePublicKey("z".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hex digits");
  }
}

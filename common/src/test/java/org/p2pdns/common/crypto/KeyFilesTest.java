package org.p2pdns.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.KeyFiles.KeyFileException;

class KeyFilesTest {
  @TempDir
  Path dir;

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  void plainKeyRoundTripsWithMode0600() throws Exception {
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    Path file = dir.resolve("sub/owner.key");
    KeyFiles.write(file, key, null);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    String text = Files.readString(file);
    assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(KeyFiles.isEncrypted(text)).isFalse();
    assertThat(KeyFiles.read(file, null)).isEqualTo(key);
    // A passphrase given for a plain key is not needed and does no harm.
    assertThat(KeyFiles.read(file, "unused".toCharArray())).isEqualTo(key);
    // No temporary file is left next to the key.
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void encryptedKeyRoundTrips() throws Exception {
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    Path file = dir.resolve("owner.key");
    KeyFiles.write(file, key, "correct horse".toCharArray());
    String text = Files.readString(file);
    assertThat(text).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(KeyFiles.isEncrypted(text)).isTrue();
    assertThat(KeyFiles.read(file, "correct horse".toCharArray())).isEqualTo(key);

    assertThatThrownBy(() -> KeyFiles.read(file, "wrong horse".toCharArray()))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("wrong passphrase");
    assertThatThrownBy(() -> KeyFiles.read(file, null))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("a passphrase is needed");
    assertThatThrownBy(() -> KeyFiles.read(file, new char[0]))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("a passphrase is needed");
  }

  @Test
  void refusesToOverwriteAnExistingFile() throws Exception {
    Path file = dir.resolve("owner.key");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> KeyFiles.write(file, Ed25519Keys.generate(), null))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("refusing to overwrite");
    assertThat(Files.readString(file)).isEqualTo("precious");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void missingFileIsAClearError() {
    Path file = dir.resolve("none.key");
    assertThatThrownBy(() -> KeyFiles.read(file, null)).isInstanceOf(KeyFileException.class)
        .hasMessage("key file " + file + " does not exist");
  }

  @Test
  void notAKeyIsRefused() throws Exception {
    Path empty = dir.resolve("empty.key");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> KeyFiles.read(empty, null)).isInstanceOf(KeyFileException.class)
        .hasMessageContaining("no private key");
    Path text = dir.resolve("text.key");
    Files.writeString(text, "hello, I am not a key\n");
    assertThatThrownBy(() -> KeyFiles.read(text, null)).isInstanceOf(KeyFileException.class)
        .hasMessageContaining(text.toString());
    Path garbage = dir.resolve("garbage.key");
    Files.writeString(garbage, pem("PRIVATE KEY", new byte[] {0x30, 0x03, 1, 2, 3}));
    assertThatThrownBy(() -> KeyFiles.read(garbage, null)).isInstanceOf(KeyFileException.class);
    Path truncated = dir.resolve("truncated.key");
    String good = KeyFiles.toPem(Ed25519Keys.generate(), null);
    Files.writeString(truncated, good.substring(0, good.length() / 2));
    assertThatThrownBy(() -> KeyFiles.read(truncated, null)).isInstanceOf(KeyFileException.class);
  }

  @Test
  void anEcKeyIsRefusedAsNotEd25519() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    Path file = dir.resolve("ec.key");
    Files.writeString(file, pem("PRIVATE KEY", gen.generateKeyPair().getPrivate().getEncoded()));
    assertThatThrownBy(() -> KeyFiles.read(file, null)).isInstanceOf(KeyFileException.class)
        .hasMessageContaining("not an Ed25519 key");
  }

  @Test
  void readsEd25519KeysWrittenByOtherTools() throws Exception {
    // The JDK writes PKCS#8 Ed25519 as openssl genpkey -algorithm ed25519 does.
    KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
    java.security.KeyPair jdk = gen.generateKeyPair();
    Path file = dir.resolve("jdk.key");
    Files.writeString(file, pem("PRIVATE KEY", jdk.getPrivate().getEncoded()));
    Ed25519Keys.KeyPair read = KeyFiles.read(file, null);
    byte[] x509 = jdk.getPublic().getEncoded();
    assertThat(read.publicKey()).isEqualTo(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
  }

  @Test
  void writeSecretHasTheSameGuarantees() throws Exception {
    Path file = dir.resolve("control.key");
    KeyFiles.writeSecret(file, new byte[] {1, 2, 3});
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThatThrownBy(() -> KeyFiles.writeSecret(file, new byte[] {9}))
        .isInstanceOf(KeyFileException.class);
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
  }
}

package org.p2pdns.common.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfoBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEInputDecryptorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Ed25519 private keys as PEM files: PKCS#8 ("PRIVATE KEY", as {@code openssl genpkey -algorithm
 * ed25519} writes), or encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", PBES2 with PBKDF2 and AES-256)
 * when a passphrase is given. Written with mode 0600 through a temporary file and an atomic move,
 * and never over an existing file.
 */
public final class KeyFiles {
  /** A Bouncy Castle provider object for PBE only; it is never installed as a JCA provider. */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static final int PBKDF2_ITERATIONS = 200_000;

  private KeyFiles() {}

  /** A key file that cannot be read as an Ed25519 key: a message for people. */
  public static final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
      super(message);
    }

    public KeyFileException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static String toPem(Ed25519Keys.KeyPair key, char[] passphrase) throws KeyFileException {
    try {
      PrivateKeyInfo info = PrivateKeyInfoFactory.createPrivateKeyInfo(
          new Ed25519PrivateKeyParameters(key.privateKey(), 0));
      PemObject pem;
      if (passphrase == null || passphrase.length == 0) {
        pem = new PemObject("PRIVATE KEY", info.getEncoded());
      } else {
        PKCS8EncryptedPrivateKeyInfo enc = new PKCS8EncryptedPrivateKeyInfoBuilder(info)
            .build(new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
                .setProvider(BC).setIterationCount(PBKDF2_ITERATIONS)
                .setRandom(new SecureRandom()).build(passphrase));
        pem = new PemObject("ENCRYPTED PRIVATE KEY", enc.getEncoded());
      }
      StringWriter sw = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
        w.writeObject(pem);
      }
      return sw.toString();
    } catch (IOException | OperatorCreationException e) {
      throw new KeyFileException("cannot encode the key: " + e.getMessage(), e);
    }
  }

  /** Whether the PEM text holds an encrypted key (a passphrase is needed). */
  public static boolean isEncrypted(String pem) {
    return pem.contains("BEGIN ENCRYPTED PRIVATE KEY");
  }

  public static Ed25519Keys.KeyPair fromPem(String pem, char[] passphrase) throws KeyFileException {
    Object obj;
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      obj = p.readObject();
    } catch (IOException | RuntimeException e) {
      throw new KeyFileException("not a PEM key file: " + e.getMessage(), e);
    }
    PrivateKeyInfo info;
    if (obj instanceof PKCS8EncryptedPrivateKeyInfo enc) {
      if (passphrase == null || passphrase.length == 0) {
        throw new KeyFileException("the key is encrypted: a passphrase is needed");
      }
      try {
        info = enc.decryptPrivateKeyInfo(
            new JcePKCSPBEInputDecryptorProviderBuilder().setProvider(BC).build(passphrase));
      } catch (PKCSException | RuntimeException e) {
        throw new KeyFileException("wrong passphrase, or a damaged key file", e);
      }
    } else if (obj instanceof PrivateKeyInfo pki) {
      info = pki;
    } else {
      throw new KeyFileException("no private key in the file");
    }
    AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
    if (!EdECObjectIdentifiers.id_Ed25519.equals(alg.getAlgorithm())) {
      throw new KeyFileException("not an Ed25519 key (algorithm " + alg.getAlgorithm() + ")");
    }
    try {
      byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
      if (seed.length != Ed25519Keys.PRIVATE_KEY_BYTES) {
        throw new KeyFileException("Ed25519 private key of " + seed.length + " bytes");
      }
      return Ed25519Keys.fromPrivate(seed);
    } catch (IOException | RuntimeException e) {
      throw new KeyFileException("damaged Ed25519 key: " + e.getMessage(), e);
    }
  }

  public static Ed25519Keys.KeyPair read(Path file, char[] passphrase) throws KeyFileException {
    try {
      return fromPem(Files.readString(file, StandardCharsets.US_ASCII), passphrase);
    } catch (NoSuchFileException e) {
      throw new KeyFileException("key file " + file + " does not exist");
    } catch (IOException e) {
      throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage(), e);
    } catch (KeyFileException e) {
      throw new KeyFileException(file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a new key file with mode 0600; refuses to replace an existing file. */
  public static void write(Path file, Ed25519Keys.KeyPair key, char[] passphrase)
      throws KeyFileException {
    writeSecret(file, toPem(key, passphrase).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Writes secret bytes to a new file readable only by its owner (0600), durably: a temporary
   * file in the same directory is written, synced, and moved into place. Refuses to replace an
   * existing file.
   */
  public static void writeSecret(Path file, byte[] content) throws KeyFileException {
    Path abs = file.toAbsolutePath();
    if (Files.exists(abs)) {
      throw new KeyFileException(abs + " already exists; refusing to overwrite it");
    }
    Path tmp = null;
    try {
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (var ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(content));
      }
      try (var fc = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        fc.force(true);
      }
      try {
        // A hard link never replaces an existing file, unlike a rename.
        Files.createLink(abs, tmp);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (UnsupportedOperationException | IOException e) {
        Files.move(tmp, abs);
      }
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException(abs + " already exists; refusing to overwrite it");
    } catch (IOException e) {
      throw new KeyFileException("cannot write " + abs + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The temporary file is hidden and harmless; the key itself was written or refused.
        }
      }
    }
  }
}

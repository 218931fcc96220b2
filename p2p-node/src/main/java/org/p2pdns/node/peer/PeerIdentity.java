package org.p2pdns.node.peer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.crypto.NodeIds;

/**
 * The node's identity on peer links: its Ed25519 key and a self-signed X.509 certificate made from
 * it. The certificate asserts nothing beyond the key (peers check that the node id is the hash of
 * that key), so its dates are wide and it is remade whenever the stored one does not match the key.
 *
 * <p>The certificate is built with Bouncy Castle's lightweight API and signed with {@link
 * Ed25519Keys}; the JDK's own provider parses it and runs TLS. Bouncy Castle is never installed as
 * a JCA provider (that breaks TLS 1.3 with Ed25519 in the JDK).
 */
public final class PeerIdentity {
  /** The certificate file in the data dir. */
  public static final String CERT_FILE = "node.crt";
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b,
      0x65, 0x70, 0x03, 0x21, 0x00};
  private static final Duration VALIDITY = Duration.ofDays(36_500);

  private final Ed25519Keys.KeyPair key;
  private final X509Certificate certificate;
  private final PrivateKey jdkPrivateKey;
  private final String nodeId;

  private PeerIdentity(Ed25519Keys.KeyPair key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
    this.jdkPrivateKey = jdkPrivateKey(key);
    this.nodeId = NodeIds.idOf(key.publicKey());
  }

  /** A fresh certificate, kept only in memory (tests, and nodes without a data dir). */
  public static PeerIdentity create(Ed25519Keys.KeyPair key, Clock clock) {
    return new PeerIdentity(key, selfSigned(key, clock));
  }

  /**
   * The certificate stored at {@code certFile} when it holds this key, else a new one written
   * there (atomically, replacing a stale one).
   */
  public static PeerIdentity loadOrCreate(Ed25519Keys.KeyPair key, Path certFile, Clock clock)
      throws IOException {
    if (Files.exists(certFile)) {
      Optional<X509Certificate> stored = readPem(Files.readString(certFile,
          StandardCharsets.US_ASCII));
      if (stored.isPresent() && Arrays.equals(rawPublicKey(stored.get()).orElse(null),
          key.publicKey())) {
        return new PeerIdentity(key, stored.get());
      }
    }
    X509Certificate cert = selfSigned(key, clock);
    Path dir = certFile.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + certFile.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, toPem(cert), StandardCharsets.US_ASCII);
      Files.move(tmp, certFile, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new PeerIdentity(key, cert);
  }

  public Ed25519Keys.KeyPair key() {
    return key;
  }

  public String nodeId() {
    return nodeId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  PrivateKey jdkPrivateKey() {
    return jdkPrivateKey;
  }

  /** The raw 32-byte Ed25519 key of a certificate, empty when it holds another kind of key. */
  public static Optional<byte[]> rawPublicKey(X509Certificate cert) {
    byte[] spki = cert.getPublicKey().getEncoded();
    if (spki == null || spki.length != ED25519_SPKI_PREFIX.length + 32
        || !Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0,
            ED25519_SPKI_PREFIX.length)) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length));
  }

  static X509Certificate selfSigned(Ed25519Keys.KeyPair key, Clock clock) {
    String id = NodeIds.idOf(key.publicKey());
    X500Name name = new X500Name("CN=p2pdns node " + id.substring(0, 16));
    Instant now = clock.instant();
    AlgorithmIdentifier ed25519 = new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name,
        new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name,
        new SubjectPublicKeyInfo(ed25519, key.publicKey()));
    byte[] der;
    try {
      der = builder.build(new Ed25519ContentSigner(key)).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("encoding a certificate in memory", e);
    }
    return parseDer(der);
  }

  private static X509Certificate parseDer(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK refuses a certificate we made", e);
    }
  }

  private static PrivateKey jdkPrivateKey(Ed25519Keys.KeyPair key) {
    try {
      // PKCS#8 version 1 without the optional public key: the form every JDK reads.
      byte[] der = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
          new DEROctetString(key.privateKey())).getEncoded();
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("the JDK (15 or later) reads Ed25519 keys", e);
    }
  }

  static String toPem(X509Certificate cert) {
    StringWriter sw = new StringWriter();
    try (PemWriter w = new PemWriter(sw)) {
      w.writeObject(new PemObject("CERTIFICATE", cert.getEncoded()));
    } catch (IOException | CertificateException e) {
      throw new IllegalStateException("encoding a certificate in memory", e);
    }
    return sw.toString();
  }

  private static Optional<X509Certificate> readPem(String pem) {
    try (PemReader r = new PemReader(new StringReader(pem))) {
      PemObject o = r.readPemObject();
      if (o == null || !o.getType().equals("CERTIFICATE")) {
        return Optional.empty();
      }
      return Optional.of(parseDer(o.getContent()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a damaged file is replaced by a new certificate
    }
  }

  /** Signs the certificate with Bouncy Castle's raw Ed25519 (no JCA provider involved). */
  private static final class Ed25519ContentSigner implements ContentSigner {
    private final Ed25519Keys.KeyPair key;
    private final ByteArrayOutputStream tbs = new ByteArrayOutputStream();

    Ed25519ContentSigner(Ed25519Keys.KeyPair key) {
      this.key = key;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
    }

    @Override
    public OutputStream getOutputStream() {
      return tbs;
    }

    @Override
    public byte[] getSignature() {
      return key.sign(tbs.toByteArray());
    }
  }
}

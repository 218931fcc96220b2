package org.p2pdns.node.peer;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.p2pdns.common.crypto.Ed25519Keys;

/**
 * Trusts any self-signed Ed25519 certificate. There is no authority to ask: a node is its key.
 * TLS proves that the peer holds the certificate's key; the handshake then checks that the node
 * id the peer claims is the hash of that key, and that it equals the pinned id when there is one.
 */
final class Ed25519PeerTrust extends X509ExtendedTrustManager {
  static final Ed25519PeerTrust INSTANCE = new Ed25519PeerTrust();

  private Ed25519PeerTrust() {}

  private static void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer sent no certificate");
    }
    X509Certificate leaf = chain[0];
    byte[] key = PeerIdentity.rawPublicKey(leaf).orElseThrow(
        () -> new CertificateException("the peer's certificate key is not Ed25519"));
    byte[] tbs;
    try {
      tbs = leaf.getTBSCertificate();
    } catch (CertificateEncodingException e) {
      throw new CertificateException("unreadable peer certificate", e);
    }
    if (!"1.3.101.112".equals(leaf.getSigAlgOID())
        || !Ed25519Keys.verify(key, tbs, leaf.getSignature())) {
      throw new CertificateException("the peer's certificate is not self-signed with Ed25519");
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}

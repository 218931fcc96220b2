package org.p2pdns.node.peer;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS profile of peer links: TLS 1.3 only, the JDK's provider, both sides present their
 * self-signed Ed25519 certificate (mutual authentication), no host name check (ids are checked
 * instead, by {@link HandshakeHandler}).
 */
final class PeerTls {
  static final String PROTOCOL = "TLSv1.3";

  private final SslContext server;
  private final SslContext client;

  PeerTls(PeerIdentity identity) throws SSLException {
    server = SslContextBuilder.forServer(identity.jdkPrivateKey(), identity.certificate())
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOL)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(Ed25519PeerTrust.INSTANCE)
        .build();
    client = SslContextBuilder.forClient()
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOL)
        .keyManager(identity.jdkPrivateKey(), identity.certificate())
        .trustManager(Ed25519PeerTrust.INSTANCE)
        .endpointIdentificationAlgorithm(null)
        .build();
  }

  SslContext server() {
    return server;
  }

  SslContext client() {
    return client;
  }

  static List<String> protocols() {
    return List.of(PROTOCOL);
  }
}

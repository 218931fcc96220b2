package org.p2pdns.frontend.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** What the operator reads when the DNS port cannot be bound. */
class BindFailureTest {
  @Test
  void aPrivilegedPortNamesRootAndTheCapability() {
    String m = DnsServer.BindFailure.of("UDP", new InetSocketAddress("127.0.0.1", 53),
        new SocketException("bind(..) failed: Permission denied")).getMessage();
    assertThat(m).contains("UDP 127.0.0.1:53").contains("root").contains("CAP_NET_BIND_SERVICE")
        .contains("--listen");
  }

  @Test
  void aPortInUseSaysSo() {
    String m = DnsServer.BindFailure.of("TCP", new InetSocketAddress("127.0.0.1", 5353),
        new BindException("Address already in use")).getMessage();
    assertThat(m).contains("TCP 127.0.0.1:5353").contains("in use");
  }

  @Test
  void permissionOnAHighPortDoesNotBlameThePortNumber() {
    String m = DnsServer.BindFailure.of("UDP", new InetSocketAddress("127.0.0.1", 5353),
        new SocketException("Permission denied")).getMessage();
    assertThat(m).doesNotContain("CAP_NET_BIND_SERVICE").contains("Permission denied");
  }
}

package org.p2pdns.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.frontend.testing.TestDnsServer;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Names outside the network: forwarded, cached by TTL, failed over, never for network names. */
@Timeout(60)
class ForwardingTest extends FrontendTestBase {

  @Test
  void otherNamesAreForwardedAndTheAnswerRelayed() throws Exception {
    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask("host.example.com", Type.A, tcp, 1232);
      assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(answers(m)).containsExactly("host.example.com A 203.0.113.5");
      assertThat(m.getHeader().getFlag(Flags.AA)).as("not our zone").isFalse();
      assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
    }
    assertThat(upstream.seen()).anyMatch(s -> s.name().equals("host.example.com")
        && s.recursionDesired());
  }

  @Test
  void forwardedAnswersAreCachedWithTtlsCountingDown() throws Exception {
    Message first = ask("example.com", Type.A);
    assertThat(first.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(300);
    clock.advance(Duration.ofSeconds(100));
    Message second = ask("example.com", Type.A);
    assertThat(answers(second)).containsExactly("example.com A 203.0.113.1");
    assertThat(second.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(200);
    assertThat(upstream.count("example.com")).isEqualTo(1);
    // Past its TTL the answer is asked for again.
    clock.advance(Duration.ofSeconds(201));
    ask("example.com", Type.A);
    assertThat(upstream.count("example.com")).isEqualTo(2);
  }

  @Test
  void negativeAnswersAreCachedForTheSoaMinimum() throws Exception {
    assertThat(ask("nothing.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    clock.advance(Duration.ofSeconds(TestDnsServer.NEGATIVE_MINIMUM - 1));
    Message again = ask("nothing.example.com", Type.A);
    assertThat(again.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(again.getSection(Section.AUTHORITY)).hasSize(1);
    assertThat(upstream.count("nothing.example.com")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    ask("nothing.example.com", Type.A);
    assertThat(upstream.count("nothing.example.com")).isEqualTo(2);
  }

  @Test
  void aTruncatedUpstreamAnswerIsFetchedOverTcp() throws Exception {
    Message m = askTcp("big.example.com", Type.TXT);
    assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(m.getSection(Section.ANSWER)).hasSize(30);
    assertThat(upstream.seen()).anyMatch(s -> s.name().equals("big.example.com") && s.tcp());
    // And a UDP client gets it truncated.
    Message udp = ask("big.example.com", Type.TXT, false, 1232);
    assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
  }

  @Test
  void aDeadUpstreamIsSkipped() throws Exception {
    frontend.close();
    InetSocketAddress dead;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      dead = new InetSocketAddress("127.0.0.1", s.getLocalPort());
    }
    // Nothing listens on "dead" any more (its port was free a moment ago and stays unused).
    frontend = Frontend.start(config(List.of(dead, upstream.address())), clock, null);
    assertThat(answers(ask("host.example.com", Type.A))).containsExactly(
        "host.example.com A 203.0.113.5");
    assertThat(answers(ask("example.com", Type.A))).containsExactly(
        "example.com A 203.0.113.1");
  }

  @Test
  void withoutUpstreamOtherNamesGetServfailWithAReason() throws Exception {
    frontend.close();
    frontend = Frontend.start(config(List.of()), Clock.systemUTC(), null);
    Message m = ask("example.com", Type.A);
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    List<EDNSOption> ede = m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertThat(ede).hasSize(1);
    assertThat(((ExtendedErrorCodeOption) ede.get(0)).getErrorCode())
        .isEqualTo(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY);
    assertThat(ede.get(0).toString()).contains("upstream");
    // Network names still work.
    assertThat(answers(ask("www.example.p2p", Type.A))).containsExactly(
        "www.example.p2p A 192.0.2.2");
  }

  @Test
  void networkNamesNeverGoUpstreamWhateverHappens() throws Exception {
    for (String name : List.of("p2p", "example.p2p", "nobody.p2p", "x.y.z.nobody.p2p",
        "contested.p2p", "revoked.p2p", "-bad-.p2p", "www.sub.example.p2p")) {
      for (int type : new int[] {Type.A, Type.AAAA, Type.TXT, Type.NS, Type.DS}) {
        ask(name, type);
      }
    }
    node.stop();
    Message down = ask("other.p2p", Type.A);
    assertThat(down.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }
}

package org.p2pdns.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.frontend.testing.TestDnsServer;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Network names answered as an authoritative zone, over real UDP and TCP. */
@Timeout(60)
class NetworkNamesTest extends FrontendTestBase {

  @Test
  void registeredNamesAnswerAuthoritativelyOverUdpAndTcp() throws Exception {
    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask("example.p2p", Type.A, tcp, 1232);
      assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
      assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
      assertThat(m.getHeader().getFlag(Flags.RD)).as("RD copied").isTrue();
      assertThat(answers(m)).containsExactly("example.p2p A 192.0.2.1");
    }
    assertThat(answers(ask("example.p2p", Type.AAAA))).containsExactly(
        "example.p2p AAAA 2001:db8:0:0:0:0:0:1");
    assertThat(answers(ask("example.p2p", Type.TXT))).containsExactly(
        "example.p2p TXT \"hello\"");
    assertThat(answers(ask("example.p2p", Type.MX))).containsExactly(
        "example.p2p MX 10 mail.example.p2p.");
    assertThat(answers(askTcp("www.example.p2p", Type.A))).containsExactly(
        "www.example.p2p A 192.0.2.2");
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void anUnregisteredNameIsNxdomainWithTheSoa() throws Exception {
    for (String name : List.of("nobody.p2p", "deep.below.nobody.p2p", "revoked.p2p",
        "expired.p2p", "www.revoked.p2p")) {
      Message m = ask(name, Type.A);
      assertThat(m.getRcode()).as(name).isEqualTo(Rcode.NXDOMAIN);
      assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
      assertThat(m.getSection(Section.ANSWER)).isEmpty();
      assertSoaInAuthority(m);
    }
    // A name inside a registered one that its record does not hold: NXDOMAIN too.
    assertThat(ask("nothing.example.p2p", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void aRegisteredNameWithoutTheTypeIsNodataWithTheSoa() throws Exception {
    Message m = ask("example.p2p", Type.SRV);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    assertSoaInAuthority(m);
    // The registered name exists even when its record holds nothing at it.
    Message nog = ask("other.p2p", Type.A);
    assertThat(nog.getRcode()).isEqualTo(Rcode.NOERROR);
    assertSoaInAuthority(nog);
  }

  @Test
  void theApexOfTheSuffixAnswersSoaAndNs() throws Exception {
    Message soa = ask("p2p", Type.SOA);
    assertThat(soa.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(soa.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(soa.getSection(Section.ANSWER)).hasSize(1)
        .first().isInstanceOf(SOARecord.class);
    assertThat(((SOARecord) soa.getSection(Section.ANSWER).get(0)).getMinimum())
        .isEqualTo(NEGATIVE_TTL);
    Message ns = askTcp("p2p", Type.NS);
    assertThat(answers(ns)).containsExactly("p2p NS localhost.");
    Message a = ask("p2p", Type.A);
    assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(a.getSection(Section.ANSWER)).isEmpty();
    assertSoaInAuthority(a);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void anEmptyNonTerminalIsNoErrorWithoutData() throws Exception {
    Message m = ask("b.example.p2p", Type.A);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    assertSoaInAuthority(m);
    assertThat(answers(ask("a.b.example.p2p", Type.A))).containsExactly(
        "a.b.example.p2p A 192.0.2.3");
  }

  @Test
  void cnamesAreFollowedInsideAndAcrossRegisteredNames() throws Exception {
    assertThat(answers(ask("alias.example.p2p", Type.A))).containsExactly(
        "alias.example.p2p CNAME www.example.p2p.", "www.example.p2p A 192.0.2.2");
    Message cross = askTcp("cross.example.p2p", Type.A);
    assertThat(cross.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(answers(cross)).containsExactly(
        "cross.example.p2p CNAME www.other.p2p.", "www.other.p2p A 192.0.2.20");
    // Asking for the CNAME itself gives the CNAME, not the target.
    assertThat(answers(ask("alias.example.p2p", Type.CNAME))).containsExactly(
        "alias.example.p2p CNAME www.example.p2p.");
    // A loop ends: the chain as far as it goes, no hang.
    Message loop = ask("loop1.example.p2p", Type.A);
    assertThat(loop.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(loop)).containsExactly("loop1.example.p2p CNAME loop2.example.p2p.",
        "loop2.example.p2p CNAME loop1.example.p2p.");
    // A target outside the network is resolved upstream, and only that target goes there.
    assertThat(answers(ask("out.example.p2p", Type.A))).containsExactly(
        "out.example.p2p CNAME host.example.com.", "host.example.com A 203.0.113.5");
    assertThat(upstream.count("host.example.com")).isEqualTo(1);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void wildcardsFollowRfc4592() throws Exception {
    assertThat(answers(ask("foo.wild.example.p2p", Type.A))).containsExactly(
        "foo.wild.example.p2p A 192.0.2.9");
    // More labels below the closest encloser match too.
    assertThat(answers(ask("x.y.wild.example.p2p", Type.TXT))).containsExactly(
        "x.y.wild.example.p2p TXT \"wild\"");
    // The wildcard has no AAAA: NODATA, not NXDOMAIN.
    Message noAaaa = ask("foo.wild.example.p2p", Type.AAAA);
    assertThat(noAaaa.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(noAaaa.getSection(Section.ANSWER)).isEmpty();
    // A name that exists is never matched by the wildcard.
    assertThat(answers(ask("exists.wild.example.p2p", Type.A))).containsExactly(
        "exists.wild.example.p2p A 192.0.2.10");
    Message existsTxt = ask("exists.wild.example.p2p", Type.TXT);
    assertThat(existsTxt.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(existsTxt.getSection(Section.ANSWER)).isEmpty();
    // Below a name that exists, the wildcard does not reach: its closest encloser is that name.
    assertThat(ask("x.exists.wild.example.p2p", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    // The wildcard's parent exists as an empty non-terminal.
    assertThat(ask("wild.example.p2p", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  void nsRecordsDelegateAndTheAnswerIsRelayed() throws Exception {
    Message m = ask("www.sub.example.p2p", Type.A);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(m)).containsExactly("www.sub.example.p2p A 198.51.100.7");
    assertThat(m.getHeader().getFlag(Flags.AA)).as("relayed, not ours").isFalse();
    assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
    assertThat(delegated.seen()).contains(
        new TestDnsServer.Seen("www.sub.example.p2p", Type.A, false, false));
    // Without glue in the record: the name server's address comes from another network name.
    Message nog = askTcp("www.nog.p2p", Type.A);
    assertThat(answers(nog)).containsExactly("www.nog.p2p A 198.51.100.8");
    assertThat(nog.getHeader().getFlag(Flags.AA)).isFalse();
    // The delegated server's own negative answer is relayed.
    assertThat(ask("missing.sub.example.p2p", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void aContestedNameIsServfailWithAnExtendedDnsError() throws Exception {
    Message m = ask("contested.p2p", Type.A);
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    OPTRecord opt = m.getOPT();
    assertThat(opt).isNotNull();
    List<EDNSOption> ede = opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertThat(ede).hasSize(1);
    assertThat(ede.get(0).toString()).contains("contested").contains("two owners claim it");
    assertThat(((ExtendedErrorCodeOption) ede.get(0)).getErrorCode())
        .isEqualTo(ExtendedErrorCodeOption.OTHER);
    assertThat(networkNamesSeenUpstream()).isEmpty();
  }

  @Test
  void answersTooLargeForUdpAreTruncatedAndComeWholeOverTcp() throws Exception {
    // ~3.4 KB of TXT: more than our 1232-byte UDP maximum, whatever the client offers.
    Message udp = ask("big.example.p2p", Type.TXT, false, 4096);
    assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(udp.toWire().length).isLessThanOrEqualTo(1232);
    Message tcp = askTcp("big.example.p2p", Type.TXT);
    assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(tcp.getSection(Section.ANSWER)).hasSize(30);
    // Cached now: the cached copy is truncated for UDP in the same way.
    Message again = ask("big.example.p2p", Type.TXT, false, 4096);
    assertThat(again.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(node.lookups("example.p2p")).isEqualTo(1);
  }

  @Test
  void theClientsEdnsPayloadSizeIsHonoured() throws Exception {
    // ~800 bytes: over 512 without EDNS, within a 1232 payload.
    Message noEdns = ask("mid.example.p2p", Type.TXT, false, -1);
    assertThat(noEdns.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(noEdns.getOPT()).as("no OPT to a client that sent none").isNull();
    Message small = ask("mid.example.p2p", Type.TXT, false, 512);
    assertThat(small.getHeader().getFlag(Flags.TC)).isTrue();
    Message fits = ask("mid.example.p2p", Type.TXT, false, 1232);
    assertThat(fits.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(fits.getSection(Section.ANSWER)).hasSize(7);
    assertThat(fits.getOPT().getPayloadSize()).isEqualTo(1232);
    // A payload below 512 counts as 512.
    Message tiny = ask("www.example.p2p", Type.A, false, 100);
    assertThat(answers(tiny)).containsExactly("www.example.p2p A 192.0.2.2");
  }

  @Test
  void queryNameLetterCaseIsEchoedFromTheCache() throws Exception {
    ask("www.example.p2p", Type.A);
    Message m = ask("WwW.ExAmple.P2P", Type.A);
    assertThat(m.getQuestion().getName().toString()).isEqualTo("WwW.ExAmple.P2P.");
    assertThat(m.getSection(Section.ANSWER)).hasSize(1);
    assertThat(node.lookups("example.p2p")).isEqualTo(1);
  }

  private static void assertSoaInAuthority(Message m) {
    List<Record> auth = m.getSection(Section.AUTHORITY);
    assertThat(auth).hasSize(1);
    assertThat(auth.get(0)).isInstanceOf(SOARecord.class);
    assertThat(auth.get(0).getName().toString()).isEqualTo("p2p.");
    assertThat(auth.get(0).getTTL()).isEqualTo(NEGATIVE_TTL);
  }
}

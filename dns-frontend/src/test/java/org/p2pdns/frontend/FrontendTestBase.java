package org.p2pdns.frontend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeResponse.LookupStatus;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.testing.MutableClock;
import org.p2pdns.frontend.testing.TestDnsServer;
import org.p2pdns.frontend.testing.TestNode;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Everything a front-end test needs, all real and on 127.0.0.1: a test node serving signed records
 * of a test network, an upstream DNS server, a DNS server that delegated names point to, and the
 * front-end itself on a free port with a hand-moved clock.
 */
abstract class FrontendTestBase {
  static final TestNetwork NETWORK = new TestNetwork();
  static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();
  static final int NEGATIVE_TTL = 60;

  TestNode node;
  TestDnsServer upstream;
  TestDnsServer delegated;
  MutableClock clock;
  Frontend frontend;
  SignedRecord example;

  static List<Record> rrs(String origin, String... lines) {
    return TestNetwork.rrs(origin, lines);
  }

  static String bigTxt(String owner, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(owner).append(" TXT \"").append(String.valueOf(i).repeat(3)).append("-")
          .append("x".repeat(96)).append("\"\n");
    }
    return sb.toString();
  }

  @BeforeEach
  void startAll() throws Exception {
    clock = new MutableClock();
    long now = clock.instant().getEpochSecond();
    node = new TestNode(NETWORK.params());
    example = NETWORK.claim(OWNER, "example.p2p", now, rrs("example.p2p",
        "@ A 192.0.2.1", "@ AAAA 2001:db8::1", "@ TXT \"hello\"", "@ MX 10 mail.example.p2p.",
        "www A 192.0.2.2",
        "a.b A 192.0.2.3",
        "alias CNAME www.example.p2p.",
        "cross CNAME www.other.p2p.",
        "loop1 CNAME loop2.example.p2p.", "loop2 CNAME loop1.example.p2p.",
        "out CNAME host.example.com.",
        "*.wild A 192.0.2.9", "*.wild TXT \"wild\"", "exists.wild A 192.0.2.10",
        "sub NS ns1.sub.example.p2p.", "ns1.sub A 127.0.0.1",
        bigTxt("big", 30), bigTxt("mid", 7)));
    node.put(example);
    node.put(NETWORK.claim(OWNER, "other.p2p", now, rrs("other.p2p",
        "www A 192.0.2.20", "ns A 127.0.0.1")));
    node.put(NETWORK.claim(OWNER, "nog.p2p", now, rrs("nog.p2p", "@ NS ns.other.p2p.")));
    node.setStatus("contested.p2p", LookupStatus.CONTESTED, "two owners claim it");
    node.setStatus("revoked.p2p", LookupStatus.REVOKED, "");
    node.setStatus("expired.p2p", LookupStatus.EXPIRED, "");

    upstream = new TestDnsServer(rrs("example.com.", "@ A 203.0.113.1",
        "host A 203.0.113.5", bigTxt("big", 30)));
    delegated = new TestDnsServer(rrs("p2p.", "www.sub.example A 198.51.100.7",
        "www.nog A 198.51.100.8"));
    frontend = Frontend.start(config(List.of(upstream.address())), clock, null);
    awaitNodeUp();
  }

  /** On a busy machine the first heartbeat may come after start() stopped waiting for it. */
  void awaitNodeUp() throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!(frontend.node().isUp() && frontend.node().feedSettled())
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (!frontend.node().isUp() || !frontend.node().feedSettled()) {
      throw new IllegalStateException("the front-end did not see the test node within 10 s");
    }
  }

  FrontendConfig config(List<InetSocketAddress> upstreams) {
    return new FrontendConfig(new InetSocketAddress("127.0.0.1", 0), node.endpoint(), upstreams,
        List.of("p2p"), nodeTimeout(), Duration.ofMillis(500), 10_000, NEGATIVE_TTL,
        86_400, Duration.ofMillis(200), 1232, Duration.ofSeconds(10), 100, delegated.port(), 2,
        true);
  }

  /**
   * Generous: this machine is shared and the tests are not about the node being slow; the tests
   * of a slow node set their own.
   */
  Duration nodeTimeout() {
    return Duration.ofSeconds(2);
  }

  @AfterEach
  void stopAll() throws Exception {
    if (frontend != null) {
      frontend.close();
    }
    node.close();
    upstream.close();
    delegated.close();
  }

  /** A resolver for the front-end: UDP or TCP, EDNS payload or none (-1), TC not retried. */
  SimpleResolver resolver(boolean tcp, int ednsPayload) {
    SimpleResolver r = new SimpleResolver(frontend.dnsAddress());
    r.setTCP(tcp);
    r.setIgnoreTruncation(true);
    r.setTimeout(Duration.ofSeconds(3));
    if (ednsPayload < 0) {
      r.setEDNS(-1, 0, 0, List.<EDNSOption>of());
    } else {
      r.setEDNS(0, ednsPayload, 0, List.<EDNSOption>of());
    }
    return r;
  }

  Message ask(String name, int type, boolean tcp, int ednsPayload) throws IOException {
    Record q = Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type,
        DClass.IN);
    return resolver(tcp, ednsPayload).send(Message.newQuery(q));
  }

  Message ask(String name, int type) throws IOException {
    return ask(name, type, false, 1232);
  }

  Message askTcp(String name, int type) throws IOException {
    return ask(name, type, true, 1232);
  }

  static List<String> answers(Message m) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(org.xbill.DNS.Section.ANSWER)) {
      out.add(r.getName().toString(true) + " " + Type.string(r.getType()) + " "
          + r.rdataToString());
    }
    return out;
  }

  /** The network names the upstream was asked about: must stay empty. */
  List<TestDnsServer.Seen> networkNamesSeenUpstream() {
    return upstream.seen().stream()
        .filter(s -> s.name().equals("p2p") || s.name().endsWith(".p2p")).toList();
  }
}

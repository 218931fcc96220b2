package org.p2pdns.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.common.record.SignedRecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The front-end and its node: change notices, the node going away, hanging and coming back. */
@Timeout(60)
class NodeLinkTest extends FrontendTestBase {

  /** Polls {@code check} every 20 ms for at most {@code max}; true once it held. */
  private static boolean within(Duration max, ThrowingCheck check) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (check.holds()) {
        return true;
      }
      Thread.sleep(20);
    }
    return check.holds();
  }

  interface ThrowingCheck {
    boolean holds() throws Exception;
  }

  @Test
  void aChangeNoticeDropsTheCachedAnswerAtOnce() throws Exception {
    assertThat(answers(ask("www.example.p2p", Type.A))).containsExactly(
        "www.example.p2p A 192.0.2.2");
    assertThat(answers(ask("alias.example.p2p", Type.A))).contains(
        "www.example.p2p A 192.0.2.2");
    int lookups = node.lookups("example.p2p");
    ask("www.example.p2p", Type.A);
    assertThat(node.lookups("example.p2p")).as("served from the cache").isEqualTo(lookups);

    long now = clock.instant().getEpochSecond();
    SignedRecord updated = NETWORK.update(example, OWNER, now, rrs("example.p2p",
        "www A 192.0.2.99", "alias CNAME www.example.p2p."));
    node.put(updated);
    // Without a notice the cache would keep the old address for its TTL (300 s).
    assertThat(answers(ask("www.example.p2p", Type.A))).containsExactly(
        "www.example.p2p A 192.0.2.2");
    node.notifyChange("example.p2p", updated.serial());
    assertThat(within(Duration.ofSeconds(5), () -> answers(ask("www.example.p2p", Type.A))
        .equals(List.of("www.example.p2p A 192.0.2.99")))).isTrue();
    assertThat(answers(ask("alias.example.p2p", Type.A))).contains(
        "www.example.p2p A 192.0.2.99");
  }

  @Test
  void aNoticeForANameDropsAnswersThatFollowedACnameIntoIt() throws Exception {
    assertThat(answers(ask("cross.example.p2p", Type.A))).contains(
        "www.other.p2p A 192.0.2.20");
    long now = clock.instant().getEpochSecond();
    node.put(NETWORK.claim(OWNER, "other.p2p", now, rrs("other.p2p", "www A 192.0.2.21")));
    node.notifyChange("other.p2p", 1);
    assertThat(within(Duration.ofSeconds(5), () -> answers(ask("cross.example.p2p", Type.A))
        .contains("www.other.p2p A 192.0.2.21"))).isTrue();
  }

  @Test
  void aNewNameReplacesACachedNxdomainOnNotice() throws Exception {
    assertThat(ask("fresh.p2p", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    node.put(NETWORK.claim(OWNER, "fresh.p2p", clock.instant().getEpochSecond(),
        rrs("fresh.p2p", "@ A 192.0.2.50")));
    node.notifyChange("fresh.p2p", 1);
    assertThat(within(Duration.ofSeconds(5), () -> ask("fresh.p2p", Type.A).getRcode()
        == Rcode.NOERROR)).isTrue();
  }

  @Test
  void withTheNodeDownCachedNamesAreServedAndOthersFailFast() throws Exception {
    assertThat(answers(ask("example.p2p", Type.A))).containsExactly("example.p2p A 192.0.2.1");
    assertThat(answers(askTcp("example.p2p", Type.A))).containsExactly("example.p2p A 192.0.2.1");
    node.stop();
    assertThat(within(Duration.ofSeconds(5), () -> !frontend.node().isUp())).isTrue();

    // Cached: still answered.
    assertThat(answers(ask("example.p2p", Type.A))).containsExactly("example.p2p A 192.0.2.1");
    // Not cached: SERVFAIL, quickly, saying why. The time includes the client's own work on a
    // shared, busy machine, so the median of several counts; none may come near a hang.
    for (boolean tcp : new boolean[] {false, true}) {
      List<Long> times = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        Message m = ask("www.other.p2p", Type.A, tcp, 1232);
        times.add((System.nanoTime() - start) / 1_000_000);
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        List<EDNSOption> ede = m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
        assertThat(((ExtendedErrorCodeOption) ede.get(0)).getErrorCode())
            .isEqualTo(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY);
      }
      java.util.Collections.sort(times);
      assertThat(times.get(2)).as("median SERVFAIL time in ms, " + times).isLessThan(200);
      assertThat(times.get(4)).as("slowest SERVFAIL time in ms, " + times).isLessThan(1500);
    }
    // Other names keep working.
    assertThat(answers(ask("host.example.com", Type.A))).containsExactly(
        "host.example.com A 203.0.113.5");
    // The cache serves only while the TTL lasts.
    clock.advance(Duration.ofSeconds(301));
    assertThat(ask("example.p2p", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);

    // The node returns: the front-end recovers by itself.
    node.start();
    assertThat(within(Duration.ofSeconds(10), () -> answers(ask("www.other.p2p", Type.A))
        .equals(List.of("www.other.p2p A 192.0.2.20")))).isTrue();
    assertThat(answers(ask("example.p2p", Type.A))).containsExactly("example.p2p A 192.0.2.1");
  }

  @Test
  void aNodeThatRestartedIsNotTrustedForWhatWasCached() throws Exception {
    assertThat(answers(ask("www.example.p2p", Type.A))).containsExactly(
        "www.example.p2p A 192.0.2.2");
    // The node restarts (new boot id) with a changed record and sends no notice: the front-end
    // may have missed notices, so it drops every cached network answer.
    node.put(NETWORK.update(example, OWNER, clock.instant().getEpochSecond(),
        rrs("example.p2p", "www A 192.0.2.77")));
    node.restartAsNewProcess();
    assertThat(within(Duration.ofSeconds(10), () -> answers(ask("www.example.p2p", Type.A))
        .equals(List.of("www.example.p2p A 192.0.2.77")))).isTrue();
  }

  @Test
  void aHungNodeCostsAQueryTheNodeTimeoutOnly() throws Exception {
    frontend.close();
    frontend = Frontend.start(config(List.of(upstream.address()))
        .withNodeTimeout(Duration.ofMillis(80)).withHeartbeat(Duration.ofSeconds(30)), clock, null);
    awaitNodeUp();
    node.setMute(true);
    List<Long> times = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      Message m = ask("www.other.p2p", Type.A);
      times.add((System.nanoTime() - start) / 1_000_000);
      assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    }
    java.util.Collections.sort(times);
    // The node timeout is 80 ms; the rest is the client and a busy shared machine.
    assertThat(times.get(0)).as("fastest SERVFAIL in ms, " + times).isGreaterThanOrEqualTo(75);
    assertThat(times.get(1)).as("median SERVFAIL in ms, " + times).isLessThan(400);
    assertThat(times.get(2)).as("slowest SERVFAIL in ms, " + times).isLessThan(1500);
    node.setMute(false);
    assertThat(within(Duration.ofSeconds(5), () -> ask("www.other.p2p", Type.A).getRcode()
        == Rcode.NOERROR)).isTrue();
  }
}

package org.p2pdns.frontend.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.common.testing.MutableClock;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class AnswerCacheTest {
  private final MutableClock clock = new MutableClock();

  private static AnswerCache.Key key(String s) {
    return new AnswerCache.Key(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static Message query(String name, int id, boolean rd) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.getHeader().setID(id);
    if (!rd) {
      q.getHeader().unsetFlag(Flags.RD);
    }
    return q;
  }

  private static byte[] answer(String name, long ttl) throws Exception {
    Message r = query(name, 7, true);
    r.getHeader().setFlag(Flags.QR);
    r.addRecord(new ARecord(Name.fromString(name), DClass.IN, ttl,
        java.net.InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    return r.toWire();
  }

  @Test
  void aHitGetsTheQuerysIdRdAndNameCaseAndLowerTtls() throws Exception {
    AnswerCache cache = new AnswerCache(100, clock);
    cache.put(key("a"), answer("www.example.p2p.", 300), 300, List.of(), cache.generation());
    clock.advance(Duration.ofSeconds(42));
    byte[] q = query("WWW.example.P2P.", 0x4242, false).toWire();
    int qnameEnd = 12 + Name.fromString("www.example.p2p.").length();
    Message m = new Message(cache.get(key("a")).render(q, qnameEnd, clock.millis()));
    assertThat(m.getHeader().getID()).isEqualTo(0x4242);
    assertThat(m.getHeader().getFlag(Flags.RD)).isFalse();
    assertThat(m.getQuestion().getName().toString()).isEqualTo("WWW.example.P2P.");
    assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(258);
  }

  @Test
  void answersExpireWithTheirLifetime() throws Exception {
    AnswerCache cache = new AnswerCache(100, clock);
    cache.put(key("a"), answer("a.p2p.", 300), 10, List.of(), cache.generation());
    clock.advance(Duration.ofSeconds(9));
    assertThat(cache.get(key("a"))).isNotNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(key("a"))).isNull();
    cache.put(key("b"), answer("b.p2p.", 300), 0, List.of(), cache.generation());
    assertThat(cache.get(key("b"))).as("lifetime 0 is not cached").isNull();
  }

  @Test
  void theSizeIsBounded() throws Exception {
    AnswerCache cache = new AnswerCache(50, clock);
    byte[] a = answer("a.p2p.", 300);
    for (int i = 0; i < 500; i++) {
      cache.put(key("k" + i), a, 300, List.of(), cache.generation());
      assertThat(cache.size()).isLessThanOrEqualTo(51);
    }
    assertThat(cache.get(key("k499"))).isNotNull();
  }

  @Test
  void droppingATagDropsExactlyTheAnswersBuiltFromIt() throws Exception {
    AnswerCache cache = new AnswerCache(100, clock);
    byte[] a = answer("a.p2p.", 300);
    cache.put(key("x"), a, 300, List.of("x.p2p"), cache.generation());
    cache.put(key("xy"), a, 300, List.of("x.p2p", "y.p2p"), cache.generation());
    cache.put(key("y"), a, 300, List.of("y.p2p"), cache.generation());
    cache.put(key("upstream"), a, 300, List.of(), cache.generation());
    cache.dropTag("x.p2p");
    assertThat(cache.get(key("x"))).isNull();
    assertThat(cache.get(key("xy"))).isNull();
    assertThat(cache.get(key("y"))).isNotNull();
    cache.dropAllTagged();
    assertThat(cache.get(key("y"))).isNull();
    assertThat(cache.get(key("upstream"))).isNotNull();
  }

  @Test
  void anAnswerMadeWhileAChangeArrivedIsNotStored() throws Exception {
    AnswerCache cache = new AnswerCache(100, clock);
    long before = cache.generation();
    cache.dropTag("other.p2p");
    cache.put(key("x"), answer("x.p2p.", 300), 300, List.of("x.p2p"), before);
    assertThat(cache.get(key("x"))).isNull();
    cache.put(key("x"), answer("x.p2p.", 300), 300, List.of("x.p2p"), cache.generation());
    assertThat(cache.get(key("x"))).isNotNull();
  }

  @Test
  void bytesThatAreNotOneMessageAreNotStored() throws Exception {
    AnswerCache cache = new AnswerCache(100, clock);
    byte[] a = answer("a.p2p.", 300);
    cache.put(key("short"), java.util.Arrays.copyOf(a, a.length - 1), 300, List.of(),
        cache.generation());
    assertThat(cache.get(key("short"))).isNull();
  }
}

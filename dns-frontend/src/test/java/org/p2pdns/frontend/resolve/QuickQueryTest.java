package org.p2pdns.frontend.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class QuickQueryTest {
  private static Message q(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  @Test
  void sameQuestionInAnyCaseGivesTheSameKeyAndEdnsFlavoursDiffer() throws Exception {
    QuickQuery a = QuickQuery.parse(q("www.Example.p2p.", Type.A).toWire());
    QuickQuery b = QuickQuery.parse(q("WWW.example.P2P.", Type.A).toWire());
    assertThat(a).isNotNull();
    assertThat(a.key()).isEqualTo(b.key());
    assertThat(a.qnameEnd()).isEqualTo(12 + 17);
    assertThat(QuickQuery.parse(q("www.example.p2p.", Type.AAAA).toWire()).key())
        .isNotEqualTo(a.key());
    Message edns = q("www.example.p2p.", Type.A);
    edns.addRecord(new OPTRecord(1232, 0, 0, Flags.DO), Section.ADDITIONAL);
    QuickQuery e = QuickQuery.parse(edns.toWire());
    assertThat(e.edns()).isEqualTo(2);
    assertThat(e.payload()).isEqualTo(1232);
    assertThat(e.key()).isNotEqualTo(a.key());
  }

  @Test
  void checkingDisabledAndAuthenticDataAreDifferentQuestions() throws Exception {
    QuickQuery plain = QuickQuery.parse(q("a.p2p.", Type.A).toWire());
    Message cd = q("a.p2p.", Type.A);
    cd.getHeader().setFlag(Flags.CD);
    Message ad = q("a.p2p.", Type.A);
    ad.getHeader().setFlag(Flags.AD);
    assertThat(QuickQuery.parse(cd.toWire()).key()).isNotEqualTo(plain.key());
    assertThat(QuickQuery.parse(ad.toWire()).key()).isNotEqualTo(plain.key())
        .isNotEqualTo(QuickQuery.parse(cd.toWire()).key());
  }

  @Test
  void anythingUnusualIsLeftToTheFullPath() throws Exception {
    Message answer = q("a.p2p.", Type.A);
    answer.getHeader().setFlag(Flags.QR);
    assertThat(QuickQuery.parse(answer.toWire())).isNull();
    Message notify = q("a.p2p.", Type.SOA);
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    assertThat(QuickQuery.parse(notify.toWire())).isNull();
    Message v1 = q("a.p2p.", Type.A);
    v1.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    assertThat(QuickQuery.parse(v1.toWire())).isNull();
    byte[] ok = q("a.p2p.", Type.A).toWire();
    assertThat(QuickQuery.parse(java.util.Arrays.copyOf(ok, ok.length - 1))).isNull();
    assertThat(QuickQuery.parse(java.util.Arrays.copyOf(ok, ok.length + 1))).isNull();
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(64)];
      random.nextBytes(b);
      if (b.length > 5) {
        b[4] = 0;
        b[5] = 1;
      }
      QuickQuery.parse(b);
    }
  }
}

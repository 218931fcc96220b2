package org.p2pdns.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** jnamed's reply rules, with raw packets over real sockets. */
@Timeout(60)
class ReplyRulesTest extends FrontendTestBase {

  private byte[] udpExchange(byte[] query, int waitMs) throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(waitMs);
      s.send(new DatagramPacket(query, query.length, frontend.dnsAddress()));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      return Arrays.copyOf(p.getData(), p.getLength());
    }
  }

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
  }

  @Test
  void aPacketWithQrSetIsDropped() throws Exception {
    Message m = query("example.p2p", Type.A);
    m.getHeader().setFlag(Flags.QR);
    assertThat(udpExchange(m.toWire(), 500)).isNull();
    // The server still answers the next real query.
    assertThat(udpExchange(query("example.p2p", Type.A).toWire(), 3000)).isNotNull();
  }

  @Test
  void garbageWithAReadableHeaderGetsFormerr() throws Exception {
    byte[] q = new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x'};
    byte[] a = udpExchange(q, 3000);
    assertThat(a).isNotNull();
    Message m = new Message(a);
    assertThat(m.getHeader().getID()).isEqualTo(0x1234);
    assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
    // Less than a header: nothing to answer to.
    assertThat(udpExchange(new byte[] {1, 2, 3}, 500)).isNull();
  }

  @Test
  void anOpcodeOtherThanQueryGetsNotimp() throws Exception {
    Message m = query("example.p2p", Type.SOA);
    m.getHeader().setOpcode(Opcode.NOTIFY);
    Message a = new Message(udpExchange(m.toWire(), 3000));
    assertThat(a.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(a.getHeader().getID()).isEqualTo(m.getHeader().getID());
  }

  @Test
  void anUnknownEdnsVersionGetsBadvers() throws Exception {
    Message m = query("example.p2p", Type.A);
    m.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message a = new Message(udpExchange(m.toWire(), 3000));
    assertThat(a.getRcode()).isEqualTo(Rcode.BADVERS);
    assertThat(a.getOPT()).isNotNull();
  }

  @Test
  void twoQuestionsGetFormerr() throws Exception {
    Message m = query("example.p2p", Type.A);
    m.addRecord(Record.newRecord(Name.fromString("other.p2p."), Type.A, DClass.IN),
        Section.QUESTION);
    Message a = new Message(udpExchange(m.toWire(), 3000));
    assertThat(a.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void tcpCarriesSeveralQueriesPerConnection() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(frontend.dnsAddress(), 3000);
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      String[] names = {"example.p2p", "www.example.p2p", "host.example.com", "nobody.p2p"};
      for (String n : names) {
        byte[] q = query(n, Type.A).toWire();
        out.writeShort(q.length);
        out.write(q);
      }
      out.flush();
      int nx = 0;
      int ok = 0;
      for (int i = 0; i < names.length; i++) {
        byte[] a = new byte[in.readUnsignedShort()];
        in.readFully(a);
        Message m = new Message(a);
        if (m.getRcode() == Rcode.NXDOMAIN) {
          nx++;
        } else if (!m.getSection(Section.ANSWER).isEmpty()) {
          ok++;
        }
      }
      assertThat(ok).isEqualTo(3);
      assertThat(nx).isEqualTo(1);
    }
  }

  @Test
  void anIdleTcpConnectionIsClosed() throws Exception {
    frontend.close();
    frontend = Frontend.start(config(java.util.List.of(upstream.address()))
        .withTcpLimits(java.time.Duration.ofMillis(300), 100), clock, null);
    try (Socket s = new Socket()) {
      s.connect(frontend.dnsAddress(), 3000);
      s.setSoTimeout(5000);
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4000);
    }
  }
}

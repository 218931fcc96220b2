package org.p2pdns.frontend.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A small real DNS server on 127.0.0.1 (UDP and TCP on one free port) that answers from a fixed
 * list of records and remembers every question it was asked: the upstream resolver and the
 * delegated name servers of the tests.
 */
public final class TestDnsServer implements AutoCloseable {
  /** One question as this server saw it. */
  public record Seen(String name, int type, boolean tcp, boolean recursionDesired) {}

  public static final long NEGATIVE_MINIMUM = 30;

  private final List<Record> records;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  public TestDnsServer(List<Record> records) throws IOException {
    this.records = List.copyOf(records);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
    tcp = new ServerSocket();
    tcp.setReuseAddress(true);
    tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
    start(this::serveUdp, "test-dns-udp");
    start(this::serveTcp, "test-dns-tcp");
  }

  private void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  public int port() {
    return udp.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port());
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public long count(String name) {
    return seen.stream().filter(s -> s.name().equals(name)).count();
  }

  private void serveUdp() {
    byte[] buf = new byte[65535];
    while (!closed) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        OPTRecord opt = q.getOPT();
        int limit = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
        byte[] out = answer(q, false).toWire(limit);
        udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void serveTcp() {
    while (!closed) {
      try {
        Socket s = tcp.accept();
        start(() -> serveConnection(s), "test-dns-tcp-conn");
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void serveConnection(Socket s) {
    try (s) {
      s.setSoTimeout(5000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (!closed) {
        int len = in.readUnsignedShort();
        byte[] q = new byte[len];
        in.readFully(q);
        byte[] a = answer(new Message(q), true).toWire();
        out.writeShort(a.length);
        out.write(a);
        out.flush();
      }
    } catch (IOException e) {
      // the client closed the connection
    }
  }

  private Message answer(Message q, boolean overTcp) {
    Record question = q.getQuestion();
    Name name = question.getName();
    int type = question.getType();
    seen.add(new Seen(name.toString(true).toLowerCase(java.util.Locale.ROOT), type, overTcp,
        q.getHeader().getFlag(Flags.RD)));
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    if (q.getHeader().getFlag(Flags.RD)) {
      r.getHeader().setFlag(Flags.RD);
    }
    r.addRecord(question, Section.QUESTION);
    boolean nameExists = false;
    for (Record rec : records) {
      if (rec.getName().equals(name)) {
        nameExists = true;
        if (rec.getType() == type || type == Type.ANY) {
          r.addRecord(rec, Section.ANSWER);
        }
      }
    }
    if (r.getSection(Section.ANSWER).isEmpty()) {
      if (!nameExists) {
        r.getHeader().setRcode(Rcode.NXDOMAIN);
      }
      r.addRecord(new SOARecord(Name.root, DClass.IN, 3600, Name.fromConstantString("ns.test."),
          Name.fromConstantString("hostmaster.test."), 1, 3600, 600, 86400, NEGATIVE_MINIMUM),
          Section.AUTHORITY);
    }
    if (q.getOPT() != null) {
      r.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (SocketException e) {
      // already closed
    }
  }
}

package org.p2pdns.cli.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** DNS queries to a front-end started by a test, over UDP or TCP, with dnsjava. */
final class DnsQueries {
  private DnsQueries() {}

  /** A front-end's DNS address, from the {@code dns=HOST:PORT} line of its ready file. */
  record Server(InetAddress host, int port) {
    static Server parse(String hostPort) throws IOException {
      int colon = hostPort.lastIndexOf(':');
      return new Server(InetAddress.getByName(hostPort.substring(0, colon)),
          Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @Override
    public String toString() {
      return host.getHostAddress() + ":" + port;
    }
  }

  /**
   * The front-end's answer. A SERVFAIL is asked again (bounded): the front-end gives the node
   * only frontend.node-timeout before it answers SERVFAIL, and a busy shared CI machine can exceed
   * that; what is checked here is the answer once the node has replied.
   */
  static Message query(Server server, boolean tcp, String name, int type) {
    Message[] last = new Message[1];
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> {
          last[0] = queryOnce(server, tcp, name, type);
          return last[0].getRcode() != Rcode.SERVFAIL;
        });
    return last[0];
  }

  static Message queryOnce(Server server, boolean tcp, String name, int type)
      throws IOException {
    SimpleResolver resolver = new SimpleResolver(server.host());
    resolver.setPort(server.port());
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type,
        DClass.IN)));
  }

  /** The answer section's data, as text ("192.0.2.1"). */
  static List<String> answers(Message m) {
    return m.getSection(Section.ANSWER).stream().map(Record::rdataToString)
        .collect(Collectors.toList());
  }

  /** The A records of {@code name} at {@code server} over UDP (after SERVFAIL retries). */
  static List<String> addresses(Server server, String name) {
    return answers(query(server, false, name, Type.A));
  }
}

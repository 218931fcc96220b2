package org.p2pdns.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.node.query.ChangePublisher;
import org.p2pdns.node.query.PeerView;
import org.p2pdns.node.query.QueryServer;
import org.p2pdns.node.records.Origin;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.records.SubmitResult;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.node.testing.QueryClient;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A measurement, not a test: how fast the record service stores records submitted all at once
 * (validation, decision, SQLite commits) and how many lookups one DEALER gets answered with many
 * in flight. Arguments: RECORDS LOOKUPS. Prints two lines.
 */
public final class WriteAndLookupThroughput {
  private static final int IN_FLIGHT = 500;

  private WriteAndLookupThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int lookups = Integer.parseInt(args[1]);
    TestNetwork net = new TestNetwork();
    Ed25519Keys.KeyPair key = Ed25519Keys.generate();
    long now = Instant.now().getEpochSecond();
    List<SignedRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = "m" + i + ".p2p";
      records.add(net.claim(key, name, now, TestNetwork.rrs(name, "@ 300 IN A 192.0.2.1")));
    }
    Path dir = Files.createTempDirectory("p2pdns-throughput");
    Clock clock = Clock.systemUTC();
    try (ZContext context = new ZContext(1);
        RecordStore store = RecordStore.open(dir.resolve(RecordStore.FILE_NAME), clock);
        ChangePublisher feed = new ChangePublisher(context, "tcp://127.0.0.1:*");
        RecordService service = RecordService.start(store,
            new RecordValidator(net.params(), clock), feed, clock)) {
      long t0 = System.nanoTime();
      List<CompletableFuture<SubmitResult>> results = new ArrayList<>(n);
      for (SignedRecord r : records) {
        results.add(service.submit(r.encoded(), Origin.CLIENT));
      }
      for (CompletableFuture<SubmitResult> f : results) {
        SubmitResult r = f.get(60, TimeUnit.SECONDS);
        if (r.outcome() != SubmitResult.Outcome.STORED) {
          throw new IllegalStateException("not stored: " + r);
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("stored %d records submitted at once in %.2f s: %.0f records/s%n", n, s,
          n / s);

      try (QueryServer server = new QueryServer(context, "tcp://127.0.0.1:*", service,
          new QueryServer.Facts("x", net.params().encode(), 1, feed.endpoint(), "measure"),
          List::of, new org.p2pdns.node.testing.LonePeerView("x", "0.0.0.0:8001"));
          QueryClient ready = new QueryClient(server.endpoint());
          ZContext clientContext = new ZContext(1)) {
        ZMQ.Socket dealer = clientContext.createSocket(SocketType.DEALER);
        dealer.setReceiveTimeOut(10_000);
        dealer.connect(server.endpoint());
        // Connected once the server answers (see QueryClient on JeroMQ's early-send problem).
        dealer.send(NodeQueryCodec.encode(new NodeRequest.Info(-1)));
        if (dealer.recv() == null) {
          throw new IllegalStateException("no answer from the query server");
        }
        long sent = 0;
        long received = 0;
        long l0 = System.nanoTime();
        while (received < lookups) {
          while (sent < lookups && sent - received < IN_FLIGHT) {
            dealer.send(NodeQueryCodec.encode(new NodeRequest.Lookup(sent, "m" + (sent % n)
                + ".p2p")));
            sent++;
          }
          if (dealer.recv() == null) {
            throw new IllegalStateException("lookup answers stopped after " + received);
          }
          received++;
        }
        double ls = (System.nanoTime() - l0) / 1e9;
        System.out.printf("%d lookups over one DEALER, %d in flight, in %.2f s: %.0f lookups/s%n",
            lookups, IN_FLIGHT, ls, lookups / ls);
      }
    }
  }
}

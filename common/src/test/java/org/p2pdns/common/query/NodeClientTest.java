package org.p2pdns.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The client against a real ROUTER on 127.0.0.1 that the test drives frame by frame. */
@Timeout(30)
class NodeClientTest {
  private ZContext serverContext;

  @BeforeEach
  void setUp() {
    serverContext = new ZContext(1);
    serverContext.setLinger(0);
  }

  @AfterEach
  void tearDown() {
    serverContext.close();
  }

  /** A ROUTER bound to a free loopback port, with a receive timeout so no wait is unbounded. */
  private ZMQ.Socket router() {
    ZMQ.Socket router = serverContext.createSocket(SocketType.ROUTER);
    router.setLinger(0);
    router.setReceiveTimeOut(5000);
    router.bindToRandomPort("tcp://127.0.0.1");
    return router;
  }

  private static String endpointOf(ZMQ.Socket socket) {
    String last = socket.getLastEndpoint();
    return last.replace("0.0.0.0", "127.0.0.1");
  }

  /** One request as the node sees it: the peer's routing id and the decoded request. */
  private record Received(byte[] peer, NodeRequest request) {}

  private static Received receive(ZMQ.Socket router) throws MalformedException {
    byte[] peer = router.recv(0);
    assertThat(peer).as("a request within the receive timeout").isNotNull();
    assertThat(router.hasReceiveMore()).isTrue();
    byte[] frame = router.recv(0);
    assertThat(router.hasReceiveMore()).as("one frame per request").isFalse();
    return new Received(peer, NodeQueryCodec.decodeRequest(frame));
  }

  private static void reply(ZMQ.Socket router, byte[] peer, byte[] frame) {
    router.sendMore(peer);
    router.send(frame, 0);
  }

  private static void reply(ZMQ.Socket router, byte[] peer, NodeResponse response) {
    reply(router, peer, NodeQueryCodec.encode(response));
  }

  @Test
  void manyRequestsInFlightAreMatchedByIdWhateverTheOrderOfAnswers() throws Exception {
    ZMQ.Socket router = router();
    try (NodeClient client = new NodeClient(endpointOf(router), Duration.ofSeconds(10), 1000)) {
      int n = 200;
      List<CompletableFuture<NodeResponse.Lookup>> futures = new ArrayList<>();
      List<Thread> senders = new ArrayList<>();
      // Sent from several threads at once: the client must be callable from any thread.
      List<CompletableFuture<NodeResponse.Lookup>> sync =
          java.util.Collections.synchronizedList(futures);
      for (int t = 0; t < 4; t++) {
        int base = t * (n / 4);
        Thread th = new Thread(() -> {
          for (int i = base; i < base + n / 4; i++) {
            sync.add(client.lookup("name" + i + ".p2p"));
          }
        });
        senders.add(th);
        th.start();
      }
      for (Thread th : senders) {
        th.join(5000);
      }
      List<Received> received = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        received.add(receive(router));
      }
      assertThat(client.inFlight()).isEqualTo(n);
      // Answer in reverse order, each echoing the name in its detail.
      for (int i = n - 1; i >= 0; i--) {
        Received r = received.get(i);
        NodeRequest.Lookup l = (NodeRequest.Lookup) r.request();
        reply(router, r.peer(), new NodeResponse.Lookup(l.requestId(),
            NodeResponse.LookupStatus.NOT_FOUND, new byte[0], l.name()));
      }
      List<String> names = new ArrayList<>();
      synchronized (sync) {
        for (CompletableFuture<NodeResponse.Lookup> f : futures) {
          names.add(f.get(5, TimeUnit.SECONDS).detail());
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        expected.add("name" + i + ".p2p");
      }
      assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void eachFutureGetsTheAnswerToItsOwnRequest() throws Exception {
    ZMQ.Socket router = router();
    try (NodeClient client = new NodeClient(endpointOf(router))) {
      CompletableFuture<NodeResponse.Lookup> a = client.lookup("a.p2p");
      CompletableFuture<NodeResponse.Lookup> b = client.lookup("b.p2p");
      Received ra = receive(router);
      Received rb = receive(router);
      for (Received r : List.of(rb, ra)) {
        NodeRequest.Lookup l = (NodeRequest.Lookup) r.request();
        reply(router, r.peer(), new NodeResponse.Lookup(l.requestId(),
            NodeResponse.LookupStatus.CONTESTED, new byte[0], "for " + l.name()));
      }
      assertThat(a.get(5, TimeUnit.SECONDS).detail()).isEqualTo("for a.p2p");
      assertThat(b.get(5, TimeUnit.SECONDS).detail()).isEqualTo("for b.p2p");
    }
  }

  @Test
  void timesOutWhenNoNodeListens() throws Exception {
    ZMQ.Socket placeholder = router();
    String endpoint = endpointOf(placeholder);
    placeholder.close();
    try (NodeClient client = new NodeClient(endpoint, Duration.ofMillis(150), 100)) {
      long start = System.nanoTime();
      CompletableFuture<NodeResponse.Info> f = client.info();
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(ms).isBetween(100L, 2000L);
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void recoversWhenTheNodeAppearsLater() throws Exception {
    ZMQ.Socket placeholder = router();
    String endpoint = endpointOf(placeholder);
    placeholder.close();
    try (NodeClient client = new NodeClient(endpoint, Duration.ofMillis(200), 100)) {
      CompletableFuture<NodeResponse.Info> early = client.info();
      assertThatThrownBy(() -> early.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(
          TimeoutException.class);

      ZMQ.Socket router = serverContext.createSocket(SocketType.ROUTER);
      router.setLinger(0);
      router.setReceiveTimeOut(200);
      router.bind(endpoint);
      // The client reconnects by itself; a request sent now is held until the connection is up.
      CompletableFuture<NodeResponse.Info> f = client.info(Duration.ofSeconds(5));
      byte[] peer = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (peer == null && System.nanoTime() < deadline) {
        peer = router.recv(0);
      }
      assertThat(peer).as("the request reached the node that came up").isNotNull();
      NodeRequest req = NodeQueryCodec.decodeRequest(router.recv(0));
      // The request that timed out while the node was away was not queued for it.
      assertThat(req.requestId()).isEqualTo(2);
      reply(router, peer, new NodeResponse.Info(req.requestId(), new byte[] {1}, "abc", 7,
          "tcp://127.0.0.1:1", "test"));
      NodeResponse.Info answer = f.get(5, TimeUnit.SECONDS);
      assertThat(client.isConnected()).isTrue();
      assertThat(answer.bootId()).isEqualTo(7);
    }
  }

  @Test
  void survivesTheNodeGoingAwayAndComingBack() throws Exception {
    ZMQ.Socket first = router();
    String endpoint = endpointOf(first);
    try (NodeClient client = new NodeClient(endpoint, Duration.ofSeconds(5), 100)) {
      CompletableFuture<NodeResponse.Status> before = client.status();
      Received r = receive(first);
      reply(first, r.peer(), new NodeResponse.Status(r.request().requestId(), List.of()));
      before.get(5, TimeUnit.SECONDS);
      assertThat(client.isConnected()).isTrue();

      serverContext.destroySocket(first);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (client.isConnected() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(client.isConnected()).as("the client noticed the node left").isFalse();
      CompletableFuture<NodeResponse> during =
          client.send(NodeRequest.Status::new, Duration.ofMillis(100));
      assertThatThrownBy(() -> during.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TimeoutException.class);

      ZMQ.Socket second = serverContext.createSocket(SocketType.ROUTER);
      second.setLinger(0);
      second.setReceiveTimeOut(5000);
      second.bind(endpoint);
      CompletableFuture<NodeResponse.Status> after = client.status();
      Received r2 = receive(second);
      // Only the new request arrives: nothing was queued for the node while it was away.
      assertThat(r2.request().requestId()).isEqualTo(3);
      reply(second, r2.peer(), new NodeResponse.Status(3, List.of()));
      after.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void garbageAndAnswersToNobodyAreIgnored() throws Exception {
    ZMQ.Socket router = router();
    try (NodeClient client = new NodeClient(endpointOf(router))) {
      CompletableFuture<NodeResponse.Status> f = client.status();
      Received r = receive(router);
      reply(router, r.peer(), new byte[] {1, 2, 3});
      reply(router, r.peer(), new byte[0]);
      reply(router, r.peer(), new NodeResponse.Status(r.request().requestId() + 1000,
          List.of(new NodeResponse.Field("wrong", "request"))));
      byte[] good = NodeQueryCodec.encode(new NodeResponse.Status(r.request().requestId(),
          List.of(new NodeResponse.Field("records", "3"))));
      byte[] flipped = good.clone();
      flipped[0] ^= 0x7F;
      reply(router, r.peer(), flipped);
      reply(router, r.peer(), good);
      assertThat(f.get(5, TimeUnit.SECONDS).fields())
          .containsExactly(new NodeResponse.Field("records", "3"));
    }
  }

  @Test
  void anErrorAnswerFailsTheTypedCallWithTheNodesReason() throws Exception {
    ZMQ.Socket router = router();
    try (NodeClient client = new NodeClient(endpointOf(router))) {
      CompletableFuture<NodeResponse.Submit> f = client.submit(new byte[] {9, 9});
      Received r = receive(router);
      assertThat(((NodeRequest.Submit) r.request()).record()).containsExactly(9, 9);
      reply(router, r.peer(), new NodeResponse.Error(r.request().requestId(),
          NodeResponse.ErrorCode.BUSY, "try later"));
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(NodeErrorException.class)
          .hasMessageContaining("try later");
    }
  }

  @Test
  void closingFailsWhatIsPendingAndLaterRequests() throws Exception {
    ZMQ.Socket router = router();
    NodeClient client = new NodeClient(endpointOf(router), Duration.ofSeconds(20), 100);
    CompletableFuture<NodeResponse.Nodes> f = client.nodes();
    receive(router);
    long start = System.nanoTime();
    client.close();
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThatThrownBy(() -> client.listNames("", 10).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    client.close();
  }

  @Test
  void anEndpointJeroMqCannotUseIsRefusedAtOnce() {
    assertThatThrownBy(() -> new NodeClient("not-an-endpoint"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-an-endpoint");
  }

  @Test
  void tooManyRequestsInFlightAreRefusedAtOnce() throws Exception {
    ZMQ.Socket router = router();
    try (NodeClient client = new NodeClient(endpointOf(router), Duration.ofSeconds(20), 2)) {
      CompletableFuture<NodeResponse.Info> a = client.info();
      CompletableFuture<NodeResponse.Info> b = client.info();
      CompletableFuture<NodeResponse.Info> c = client.info();
      assertThatThrownBy(() -> c.get(1, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RejectedExecutionException.class);
      Received r = receive(router);
      reply(router, r.peer(), new NodeResponse.Info(r.request().requestId(), new byte[0], "n", 1,
          "", "v"));
      (r.request().requestId() == 1 ? a : b).get(5, TimeUnit.SECONDS);
      // One slot is free again.
      CompletableFuture<NodeResponse.Info> d = client.info();
      Received r2 = receive(router);
      Received r3 = receive(router);
      for (Received x : List.of(r2, r3)) {
        reply(router, x.peer(), new NodeResponse.Info(x.request().requestId(), new byte[0], "n",
            1, "", "v"));
      }
      d.get(5, TimeUnit.SECONDS);
      assertThat(a.isDone() && b.isDone()).isTrue();
    }
  }
}

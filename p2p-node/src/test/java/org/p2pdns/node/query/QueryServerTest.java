package org.p2pdns.node.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.common.crypto.Ed25519Keys;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordValidator;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.testing.TestNetwork;
import org.p2pdns.common.wire.WireWriter;
import org.p2pdns.node.records.RecordService;
import org.p2pdns.node.store.RecordStore;
import org.p2pdns.common.testing.MutableClock;
import org.p2pdns.node.testing.QueryClient;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class QueryServerTest {
  private static final long NOW = 1_790_000_000L;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final TestNetwork NET = new TestNetwork();
  private static final Ed25519Keys.KeyPair OWNER = Ed25519Keys.generate();
  private static final String NODE_ID = "cd".repeat(32);

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(NOW);
  private ZContext context;
  private RecordStore store;
  private RecordService records;
  private ChangePublisher publisher;
  private QueryServer server;

  @BeforeEach
  void start() throws Exception {
    context = new ZContext(1);
    store = RecordStore.open(dir.resolve("node.db"), clock);
    publisher = new ChangePublisher(context, "tcp://127.0.0.1:*");
    records = RecordService.start(store, new RecordValidator(NET.params(), clock), publisher,
        clock);
    server = new QueryServer(context, "tcp://127.0.0.1:*", records,
        new QueryServer.Facts(NODE_ID, NET.params().encode(), 42, publisher.endpoint(), "test"),
        () -> List.of(new NodeResponse.Field("node id", NODE_ID)),
        new org.p2pdns.node.testing.LonePeerView(NODE_ID, "0.0.0.0:8001"));
  }

  @AfterEach
  void stop() {
    records.close();
    server.close();
    publisher.close();
    context.close();
    store.close();
  }

  private static SignedRecord claim(String name) {
    return NET.claim(OWNER, name, NOW, TestNetwork.rrs(name, "@ 300 IN A 192.0.2.1"));
  }

  @Test
  void theBoundEndpointHasTheRealPort() {
    assertThat(server.endpoint()).matches("tcp://127\\.0\\.0\\.1:\\d+")
        .doesNotEndWith(":0");
    assertThat(publisher.endpoint()).matches("tcp://127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void answersManyRequestsInFlightFromSeveralClients() throws Exception {
    records.submit(claim("example.p2p").encoded(), org.p2pdns.node.records.Origin.CLIENT)
        .get();
    try (QueryClient a = new QueryClient(server.endpoint());
        QueryClient b = new QueryClient(server.endpoint())) {
      List<NodeRequest> sent = new ArrayList<>();
      for (long id = 1; id <= 50; id++) {
        NodeRequest r = switch ((int) (id % 5)) {
          case 0 -> new NodeRequest.Info(id);
          case 1 -> new NodeRequest.Lookup(id, id % 2 == 0 ? "example.p2p" : "EXAMPLE.p2p.");
          case 2 -> new NodeRequest.Status(id);
          case 3 -> new NodeRequest.ListNames(id, "", 10);
          default -> new NodeRequest.Nodes(id);
        };
        sent.add(r);
        (id % 2 == 0 ? a : b).send(r);
      }
      Map<Long, NodeResponse> answers = new HashMap<>();
      for (NodeRequest r : sent) {
        answers.put(r.requestId(), (r.requestId() % 2 == 0 ? a : b).await(r.requestId(), WAIT));
      }
      assertThat(answers).hasSize(50);

      NodeResponse.Info info = (NodeResponse.Info) answers.get(5L);
      assertThat(NetworkParams.decode(info.networkParams())).isEqualTo(NET.params());
      assertThat(info.nodeId()).isEqualTo(NODE_ID);
      assertThat(info.bootId()).isEqualTo(42);
      assertThat(info.feedEndpoint()).isEqualTo(publisher.endpoint());

      NodeResponse.Lookup lookup = (NodeResponse.Lookup) answers.get(1L);
      assertThat(lookup.status()).isEqualTo(NodeResponse.LookupStatus.FOUND);
      assertThat(lookup.record())
          .isEqualTo(records.current("example.p2p").orElseThrow().encoded());

      NodeResponse.Status status = (NodeResponse.Status) answers.get(2L);
      assertThat(status.fields()).extracting(NodeResponse.Field::key)
          .contains("node id", "peers", "control bad requests");
      assertThat(status.fields()).filteredOn(f -> f.key().equals("peers"))
          .extracting(NodeResponse.Field::value).first().asString()
          .isEqualTo("no peer layer in this test");

      assertThat(((NodeResponse.Names) answers.get(3L)).names()).containsExactly("example.p2p");
      NodeResponse.Nodes nodes = (NodeResponse.Nodes) answers.get(4L);
      assertThat(nodes.nodes()).extracting(NodeResponse.NodeEntry::nodeId)
          .containsExactly(NODE_ID);
    }
  }

  @Test
  void aSubmittedRecordIsStoredAnnouncedAndFound() throws Exception {
    try (QueryClient client = new QueryClient(server.endpoint());
        ZMQ.Socket sub = context.createSocket(SocketType.SUB)) {
      sub.subscribe(new byte[0]);
      sub.setReceiveTimeOut(200);
      sub.connect(publisher.endpoint());
      SignedRecord r = claim("example.p2p");
      // PUB drops notices until the subscription has arrived: wait until a probe gets through.
      byte[] notice = null;
      for (int attempt = 0; attempt < 50 && notice == null; attempt++) {
        publisher.publish(new ChangeNotice("probe.p2p", 0));
        notice = sub.recv();
      }
      assertThat(notice).as("subscription established").isNotNull();
      while (sub.recv(ZMQ.DONTWAIT) != null) {
        // Drain the other probes.
      }
      sub.setReceiveTimeOut(10_000);

      NodeResponse.Submit submitted = (NodeResponse.Submit) client.call(
          new NodeRequest.Submit(7, r.encoded()), WAIT);
      assertThat(submitted.status()).isEqualTo(NodeResponse.SubmitStatus.STORED);
      assertThat(ChangeNotice.decode(sub.recv())).isEqualTo(new ChangeNotice("example.p2p", 1));

      NodeResponse.Lookup found = (NodeResponse.Lookup) client.call(
          new NodeRequest.Lookup(8, "example.p2p"), WAIT);
      assertThat(found.status()).isEqualTo(NodeResponse.LookupStatus.FOUND);
      assertThat(found.record()).isEqualTo(r.encoded());

      NodeResponse.Submit again = (NodeResponse.Submit) client.call(
          new NodeRequest.Submit(9, r.encoded()), WAIT);
      assertThat(again.status()).isEqualTo(NodeResponse.SubmitStatus.DUPLICATE);

      SignedRecord theft = NET.claim(Ed25519Keys.generate(), "example.p2p", NOW,
          TestNetwork.rrs("example.p2p", "@ 300 IN A 203.0.113.1"));
      NodeResponse.Submit refused = (NodeResponse.Submit) client.call(
          new NodeRequest.Submit(10, theft.encoded()), WAIT);
      assertThat(refused.status()).isEqualTo(NodeResponse.SubmitStatus.REFUSED);
      assertThat(refused.reasonCode()).isEqualTo(RefusalReason.NOT_OWNER.code());
      assertThat(refused.message()).contains("held by key");
    }
  }

  @Test
  void manySubmissionsInFlightAreEachAnswered() throws Exception {
    try (QueryClient client = new QueryClient(server.endpoint())) {
      int n = 30;
      for (int i = 0; i < n; i++) {
        client.send(new NodeRequest.Submit(100 + i, claim("n" + i + ".p2p").encoded()));
        client.send(new NodeRequest.Lookup(1000 + i, "n" + i + ".p2p"));
      }
      for (int i = 0; i < n; i++) {
        NodeResponse.Submit s = (NodeResponse.Submit) client.await(100 + i, WAIT);
        assertThat(s.status()).isEqualTo(NodeResponse.SubmitStatus.STORED);
        client.await(1000 + i, WAIT);
      }
      assertThat(records.count()).isEqualTo(n);
    }
  }

  @Test
  void garbageIsAnsweredOrDroppedAndTheServerKeepsWorking() throws Exception {
    try (QueryClient client = new QueryClient(server.endpoint())) {
      // Too short to hold a request id: dropped.
      client.sendRaw(new byte[] {1, 2, 3});
      // A readable header with an unknown type: BAD_REQUEST for that id.
      client.sendRaw(new WireWriter(16).u8(NodeQueryCodec.VERSION).u8(0x77).i64(501)
          .toByteArray());
      // A known type with a body cut short.
      client.sendRaw(new WireWriter(16).u8(NodeQueryCodec.VERSION).u8(0x02).i64(502).u16(40)
          .toByteArray());
      // Over the largest frame the protocol allows, with a readable header.
      byte[] oversize = new byte[NodeQueryCodec.MAX_FRAME + 100];
      System.arraycopy(new WireWriter(16).u8(NodeQueryCodec.VERSION).u8(0x03).i64(503)
          .toByteArray(), 0, oversize, 0, 10);
      client.sendRaw(oversize);
      // An empty frame.
      client.sendRaw(new byte[0]);

      for (long id : new long[] {501, 502, 503}) {
        NodeResponse.Error e = (NodeResponse.Error) client.await(id, WAIT);
        assertThat(e.code()).isEqualTo(NodeResponse.ErrorCode.BAD_REQUEST);
        assertThat(e.message()).isNotBlank();
      }
      NodeResponse.Info info = (NodeResponse.Info) client.call(new NodeRequest.Info(600), WAIT);
      assertThat(info.nodeId()).isEqualTo(NODE_ID);
      assertThat(server.badRequestCount()).isEqualTo(3);
      assertThat(server.droppedCount()).isEqualTo(2);
      assertThat(client.receiveAny(Duration.ofMillis(200))).as("nothing for the dropped").isNull();
    }
  }

  @Test
  void aClientThatLeavesBeforeItsAnswerDoesNotDisturbOthers() throws Exception {
    try (QueryClient gone = new QueryClient(server.endpoint())) {
      gone.send(new NodeRequest.Submit(1, claim("gone.p2p").encoded()));
      // Requests on one connection arrive in order: once Info is answered, the server has the
      // submission; the client then leaves without waiting for its answer.
      gone.call(new NodeRequest.Info(2), WAIT);
    }
    try (QueryClient client = new QueryClient(server.endpoint())) {
      Awaitility.await().atMost(WAIT).until(() -> ((NodeResponse.Lookup) client.call(
          new NodeRequest.Lookup(3, "gone.p2p"), WAIT)).status()
          == NodeResponse.LookupStatus.FOUND);
      assertThat(((NodeResponse.Info) client.call(new NodeRequest.Info(4), WAIT)).nodeId())
          .isEqualTo(NODE_ID);
    }
  }
}

package org.p2pdns.bench.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pdns.common.query.NodeQueryCodec;
import org.p2pdns.common.query.NodeRequest;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RefusalReason;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Submits signed records to a node over its query endpoint with many requests in flight: one
 * JeroMQ DEALER socket, one frame per request (docs/protocol.md), a window of outstanding
 * requests. A request answered BUSY or RATE_LIMITED is sent again after a pause, a bounded number
 * of times; if the node answers nothing for the stall timeout the batch ends and what is left is
 * reported as unanswered.
 */
public final class RecordSubmitter implements AutoCloseable {
  private static final int MAX_ATTEMPTS = 20;
  private static final long RETRY_PAUSE_NANOS = Duration.ofMillis(50).toNanos();
  private static final int POLL_MILLIS = 50;
  private static final int HANDSHAKE_MILLIS = 500;
  private static final int MAX_SAMPLES = 5;
  private static final long INFO_REQUEST_ID = 0;

  private final ZContext context;
  private final ZMQ.Socket socket;
  private final CountDownLatch handshakeDone = new CountDownLatch(1);
  private final int window;
  private final Duration stallTimeout;

  /**
   * @param window most submissions without an answer at once
   * @param stallTimeout how long the node may stay silent with requests outstanding
   */
  public RecordSubmitter(String endpoint, int window, Duration stallTimeout) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1");
    }
    this.window = window;
    this.stallTimeout = stallTimeout;
    this.context = new ZContext(1);
    this.socket = context.createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.setSndHWM(window * 2);
    socket.setRcvHWM(window * 2);
    socket.setSendTimeOut((int) Math.min(Integer.MAX_VALUE, stallTimeout.toMillis()));
    socket.setReceiveTimeOut(POLL_MILLIS);
    // As NodeClient does: send nothing before the ZMTP handshake is done (JeroMQ 0.6 was seen to
    // lose what a fresh DEALER sends earlier), and retry a handshake that hangs.
    socket.setHandshakeIvl(HANDSHAKE_MILLIS);
    socket.setEventHook(event -> handshakeDone.countDown(), ZMQ.EVENT_HANDSHAKE_PROTOCOL);
    socket.connect(endpoint);
  }

  /** The node's Info answer, or empty when it does not answer within {@code timeout}. */
  public Optional<NodeResponse.Info> info(Duration timeout) throws MalformedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!handshakeDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (!socket.send(NodeQueryCodec.encode(new NodeRequest.Info(INFO_REQUEST_ID)), 0)) {
      return Optional.empty();
    }
    while (System.nanoTime() - deadline < 0) {
      byte[] frame = socket.recv(0);
      if (frame == null) {
        continue;
      }
      NodeResponse resp = NodeQueryCodec.decodeResponse(frame);
      if (resp.requestId() != INFO_REQUEST_ID) {
        continue;
      }
      if (resp instanceof NodeResponse.Info info) {
        return Optional.of(info);
      }
      throw new MalformedException("the node answered Info with " + resp);
    }
    return Optional.empty();
  }

  /**
   * Submits every record; request ids are the list index plus one.
   *
   * @param progress called about every two seconds with a line for people
   */
  public SubmitReport submitAll(List<SignedRecord> records, Consumer<String> progress) {
    int n = records.size();
    byte[] attempts = new byte[n];
    boolean[] outstanding = new boolean[n];
    ArrayDeque<long[]> retryQueue = new ArrayDeque<>();
    TreeMap<String, Integer> refusals = new TreeMap<>();
    List<String> samples = new ArrayList<>();
    int next = 0;
    int inFlight = 0;
    int stored = 0;
    int duplicates = 0;
    int errors = 0;
    int retries = 0;
    int done = 0;
    long start = System.nanoTime();
    long lastAnswer = start;
    long lastProgress = start;

    while (done < n) {
      long now = System.nanoTime();
      while (inFlight < window) {
        int idx;
        if (!retryQueue.isEmpty() && retryQueue.peekFirst()[1] - now <= 0) {
          idx = (int) retryQueue.pollFirst()[0];
        } else if (next < n) {
          idx = next++;
        } else {
          break;
        }
        byte[] frame = NodeQueryCodec.encode(new NodeRequest.Submit(idx + 1L,
            records.get(idx).encoded()));
        if (!socket.send(frame, 0)) {
          // The send timeout is the stall timeout: the node took nothing for that long.
          progress.accept("the node accepts no more requests (send timed out)");
          return report(stored, duplicates, refusals, errors, n - done, retries, start, samples);
        }
        attempts[idx]++;
        outstanding[idx] = true;
        inFlight++;
      }
      byte[] frame = socket.recv(0);
      now = System.nanoTime();
      while (frame != null) {
        lastAnswer = now;
        NodeResponse resp;
        try {
          resp = NodeQueryCodec.decodeResponse(frame);
        } catch (MalformedException e) {
          errors++;
          sample(samples, "malformed answer: " + e.getMessage());
          frame = socket.recv(ZMQ.DONTWAIT);
          continue;
        }
        long id = resp.requestId();
        int idx = (int) (id - 1);
        if (id < 1 || id > n || !outstanding[idx]) {
          sample(samples, "answer to a request not outstanding: " + resp);
          frame = socket.recv(ZMQ.DONTWAIT);
          continue;
        }
        outstanding[idx] = false;
        inFlight--;
        boolean retry = false;
        if (resp instanceof NodeResponse.Submit s) {
          switch (s.status()) {
            case STORED -> stored++;
            case DUPLICATE -> duplicates++;
            case REFUSED -> {
              Optional<RefusalReason> reason = RefusalReason.fromCode(s.reasonCode());
              if (reason.orElse(null) == RefusalReason.RATE_LIMITED
                  && attempts[idx] < MAX_ATTEMPTS) {
                retry = true;
              } else {
                refusals.merge(reason.map(Enum::name).orElse("code " + s.reasonCode()), 1,
                    Integer::sum);
                sample(samples, records.get(idx).name() + " refused: " + s.message());
              }
            }
            default -> throw new IllegalStateException("unhandled status " + s.status());
          }
        } else if (resp instanceof NodeResponse.Error e
            && e.code() == NodeResponse.ErrorCode.BUSY && attempts[idx] < MAX_ATTEMPTS) {
          retry = true;
        } else {
          errors++;
          sample(samples, records.get(idx).name() + ": " + resp);
        }
        if (retry) {
          retries++;
          retryQueue.addLast(new long[] {idx, now + RETRY_PAUSE_NANOS * attempts[idx]});
        } else {
          done++;
        }
        frame = socket.recv(ZMQ.DONTWAIT);
      }
      if (inFlight > 0 && now - lastAnswer > stallTimeout.toNanos()) {
        progress.accept("the node answered nothing for " + stallTimeout.toSeconds() + " s");
        return report(stored, duplicates, refusals, errors, n - done, retries, start, samples);
      }
      if (now - lastProgress > 2_000_000_000L) {
        lastProgress = now;
        double s = (now - start) / 1e9;
        progress.accept(String.format("  %,d of %,d answered (%,.0f/s), %,d in flight", done, n,
            done / s, inFlight));
      }
    }
    return report(stored, duplicates, refusals, errors, 0, retries, start, samples);
  }

  private static SubmitReport report(int stored, int duplicates, TreeMap<String, Integer> refusals,
      int errors, int unanswered, int retries, long start, List<String> samples) {
    return new SubmitReport(stored, duplicates, refusals, errors, unanswered, retries,
        Duration.ofNanos(System.nanoTime() - start), samples);
  }

  private static void sample(List<String> samples, String line) {
    if (samples.size() < MAX_SAMPLES) {
      samples.add(line);
    }
  }

  @Override
  public void close() {
    context.close();
  }
}

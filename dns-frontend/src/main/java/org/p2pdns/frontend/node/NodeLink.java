package org.p2pdns.frontend.node;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pdns.common.network.NetworkParams;
import org.p2pdns.common.query.ChangeNotice;
import org.p2pdns.common.query.NodeClient;
import org.p2pdns.common.query.NodeResponse;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.record.SignedRecord;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.frontend.FrontendConfig;
import org.p2pdns.frontend.cache.AnswerCache;
import org.p2pdns.frontend.resolve.NameState;
import org.p2pdns.frontend.resolve.NodeUnavailableException;
import org.p2pdns.frontend.resolve.RecordSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front-end's link to its node: lookups over the node query protocol, a heartbeat (Info every
 * {@link FrontendConfig#heartbeat()}) that tells whether the node is there and what its suffixes
 * and change feed are, and the change feed itself, which drops changed names from the cache.
 *
 * <p>When the node is known to be down (not connected, or its heartbeat unanswered) lookups fail
 * at once instead of waiting for their timeout, so that queries get SERVFAIL quickly. A node that
 * comes back is found again by the client's reconnection and the next heartbeat.
 */
public final class NodeLink implements RecordSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeLink.class);

  private final FrontendConfig config;
  private final AnswerCache cache;
  private final NodeClient client;
  private final ChangeFeed feed;
  private final ScheduledExecutorService heartbeat;
  private final Map<String, CompletableFuture<NameState>> inFlight = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> firstInfo = new CompletableFuture<>();

  private volatile List<String> suffixes;
  private volatile boolean answering;
  private volatile long bootId;
  private volatile String feedEndpoint;
  private volatile boolean seenInfo;

  public NodeLink(FrontendConfig config, AnswerCache cache) {
    this.config = config;
    this.cache = cache;
    this.suffixes = config.suffixes();
    this.client = new NodeClient(config.node(), config.nodeTimeout(), 10_000);
    this.feed = new ChangeFeed(this::onNotice);
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "node-heartbeat");
      t.setDaemon(true);
      return t;
    });
    long every = config.heartbeat().toMillis();
    heartbeat.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
  }

  /** Waits up to {@code max} for the node's first Info; false if it did not come. */
  public boolean awaitNode(Duration max) {
    try {
      firstInfo.get(max.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** Whether the node is connected and answered its last heartbeat. */
  public boolean isUp() {
    return answering && client.isConnected();
  }

  @Override
  public List<String> suffixes() {
    return suffixes;
  }

  @Override
  public CompletableFuture<NameState> lookup(String name) {
    if (!isUp()) {
      return CompletableFuture.failedFuture(new NodeUnavailableException(
          "the node at " + config.node() + " is down"));
    }
    // Concurrent misses for one name share one request to the node.
    CompletableFuture<NameState> mine = new CompletableFuture<>();
    CompletableFuture<NameState> shared = inFlight.putIfAbsent(name, mine);
    if (shared != null) {
      return shared;
    }
    client.lookup(name).whenComplete((r, e) -> {
      inFlight.remove(name, mine);
      if (e != null) {
        mine.completeExceptionally(asUnavailable(e));
        return;
      }
      try {
        SignedRecord record = r.status() == NodeResponse.LookupStatus.FOUND
            ? RecordCodec.decode(r.record()) : null;
        mine.complete(new NameState(r.status(), record, r.detail()));
      } catch (MalformedException ex) {
        log.error("the node sent an unreadable record for {}", name, ex);
        mine.completeExceptionally(new NodeUnavailableException(
            "the node sent an unreadable record for " + name));
      }
    });
    return mine;
  }

  private Throwable asUnavailable(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof TimeoutException) {
      return new NodeUnavailableException("no answer from the node within "
          + config.nodeTimeout().toMillis() + " ms");
    }
    return new NodeUnavailableException(cause.toString());
  }

  private void beat() {
    try {
      NodeResponse.Info info = client.info(config.heartbeat().plusMillis(500))
          .get(config.heartbeat().toMillis() + 1000, TimeUnit.MILLISECONDS);
      onInfo(info);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (answering) {
        log.warn("the node at {} stopped answering: network names are served from the cache "
            + "while it lasts, else SERVFAIL", config.node());
      } else if (!seenInfo && !firstInfo.isDone()) {
        log.debug("no answer from the node at {} yet", config.node());
      }
      answering = false;
    }
  }

  private void onInfo(NodeResponse.Info info) {
    try {
      NetworkParams params = NetworkParams.decode(info.networkParams());
      suffixes = params.suffixes();
    } catch (MalformedException e) {
      log.warn("the node at {} sent network parameters this front-end cannot read: {}",
          config.node(), e.getMessage());
    }
    String endpoint = info.feedEndpoint().replace("//0.0.0.0:", "//127.0.0.1:")
        .replace("//*:", "//127.0.0.1:");
    if (!seenInfo || info.bootId() != bootId || !endpoint.equals(feedEndpoint)) {
      // A new node process (or feed) may have changed names while we did not listen.
      bootId = info.bootId();
      feedEndpoint = endpoint;
      feed.follow(endpoint);
      cache.dropAllTagged();
      log.info("node {} at {} (boot {}), suffixes {}, change feed {}", info.nodeId(),
          config.node(), Long.toHexString(info.bootId()), suffixes, endpoint);
    } else if (!answering) {
      log.info("the node at {} answers again", config.node());
    }
    seenInfo = true;
    answering = true;
    firstInfo.complete(null);
  }

  private void onNotice(ChangeNotice notice) {
    log.debug("change notice for {} serial {}", notice.name(), notice.serial());
    cache.dropTag(notice.name());
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    feed.close();
    client.close();
  }
}

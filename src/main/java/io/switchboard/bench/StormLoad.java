package io.switchboard.bench;

import static io.switchboard.bench.FanoutLoad.millis;
import static io.switchboard.bench.IdleLoad.round;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * A reconnect storm: --connections WebSocket clients on --channels channels (with history), a
 * publisher at --storm-rate round-robin over the channels for the whole run, then every
 * connection is cut at once (from the client side, or with --storm-cut drain by draining the
 * subscribers' node of a --cluster, whose clients then move to the other node) and every client
 * reconnects as soon as its connection is closed, resuming with {@code since} its last offset
 * (PROTOCOL §3.4). Reports how long until all are back (acked) and have every missed message
 * (caught up with the ack's offset), the server's CPU over that window, rejected and timed-out
 * reconnects (each retried after a short random pause, as clients do), the p99 of live messages
 * meanwhile, and, once publishing stopped and everything drained, how many messages were lost or
 * doubled over the whole run (both must be 0).
 */
final class StormLoad implements AutoCloseable {
  /** Publishing goes on this long after everyone recovered, to see the live path settle. */
  private static final long AFTER_MS = 2000;

  private static final long RETRY_PAUSE_MS = 500;

  /**
   * Before the cut, at most this long until the server's JIT is quiet: 19,000 connects leave C2
   * a backlog of the connect path that it works through for tens of seconds on a shared core, and
   * a node that has run for a while has none. {@code jitWaitS} says how long it took.
   */
  private static final long JIT_WAIT_MS = 60_000;

  private final BenchOptions options;
  private final Vertx vertx;
  private final Endpoint endpoint;
  private final String[] channelNames;
  private final LatencyRecorder recorder = new LatencyRecorder();
  private final ResumeCounters counters = new ResumeCounters();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final AtomicReference<String> firstReconnectFailure = new AtomicReference<>();
  private final LongAccumulator lastClosedNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
  /** From the cut to each client's seeing its connection closed. */
  private final LatencyRecorder closeTimes = new LatencyRecorder();

  private volatile long cutNanos;
  private Connector connector;
  private LoadPublisher publisher;
  private Vertx publisherVertx;

  StormLoad(BenchOptions options, Vertx vertx, Endpoint endpoint) {
    this.options = options;
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.channelNames = new String[options.channels];
    for (int c = 0; c < channelNames.length; c++) {
      channelNames[c] = "bench." + c; // default namespace: history on (conf/switchboard.json)
    }
  }

  JsonObject run() throws Exception {
    if (drain() && (endpoint.target() != Target.CLUSTER || endpoint.server() == null)) {
      return new JsonObject()
          .put("skipped", "--storm-cut drain needs a node to move to: runs against --cluster only");
    }
    int n = options.connections;
    int c = channelNames.length;
    Target target = endpoint.target();
    Subscriber[] subscribers = new Subscriber[n];
    connector = new Connector(vertx, options.localAddresses, n);
    Connector.Opened opened = connector.open(
        n,
        i -> subscribers[i] = new Subscriber(
                target, channelNames[i % c], i % c, c, options.batch, recorder)
            .resuming(counters),
        i -> target.wsUri(channelNames[i % c], options.batch),
        endpoint.host(),
        endpoint.port(),
        options.handshakes,
        options.connectTimeoutSeconds * 1000L);
    JsonObject figures = opened.subscribeFigures(n, c);
    List<Subscriber> ready = new ArrayList<>();
    long[] readyPerChannel = new long[c];
    for (int i = 0; i < n; i++) {
      if (subscribers[i] != null && subscribers[i].isReady()) {
        ready.add(subscribers[i]);
        readyPerChannel[i % c]++;
      }
    }
    if (ready.isEmpty()) {
      return figures.put("error", "no subscriber connected");
    }

    // its own event loop: the storm's 19,000 handshakes on the bench's loop would hold back its
    // ticks, and the run would measure a publisher that fell behind instead of the server
    publisherVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    publisher = new LoadPublisher(
        publisherVertx,
        target,
        endpoint.publishHost(),
        endpoint.publishPort(),
        options.publishInFlight,
        channelNames);
    long publishMs = TimeUnit.SECONDS.toMillis(
            Math.max(1, options.warmupSeconds) + 2L * options.stormTimeoutSeconds + 5)
        + 2 * JIT_WAIT_MS;
    CompletableFuture<LoadPublisher.Result> publishing = CompletableFuture.supplyAsync(() -> {
      try {
        return publisher.run(options.stormRate, publishMs, publishMs + 30_000);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // live traffic first: every client has an offset to resume from, and the JITs are warm
    Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(1, options.warmupSeconds)));
    long waitStart = System.nanoTime();
    ServerCpu.awaitCompilerQuiet(endpoint.pids(), JIT_WAIT_MS);
    figures.put("jitWaitS", round((System.nanoTime() - waitStart) / 1e9));
    if (!drain()) {
      warmUpStorm(ready, figures);
    }

    recorder.takeInterval(); // from here on: live latencies during the storm
    // a drained node exits, and its CPU time with it: count the processes that stay
    ServerCpu cpu = drain()
        ? ServerCpu.start(endpoint.pids().stream()
            .filter(pid -> pid != endpoint.server().pid())
            .toList())
        : endpoint.cpu();
    // the load generator's own CPU: one core, which a storm of 19,000 clients can fill
    ServerCpu load = ServerCpu.start(List.of(ProcessHandle.current().pid()));
    Storm storm = storm(ready);
    long cut = storm.cut();
    int reconnected = storm.reconnected();
    long end = System.nanoTime();
    cpu.stop(figures);
    figures.put("loadCpuPct", load.stop(new JsonObject()).getDouble("serverCpuPct"));
    Histogram live = recorder.takeInterval();
    Histogram closed = closeTimes.takeInterval();
    Histogram backAt = counters.backTimes.takeInterval();
    figures
        .put("lastClosedS", seconds(lastClosedNanos.get(), cut))
        .put("closedP50S", round(closed.getValueAtPercentile(50) / 1e6))
        .put("reconnected", reconnected)
        .put("notBack", ready.size() - reconnected)
        .put("allBackS", seconds(counters.lastBackNanos.get(), cut))
        .put("backP50S", round(backAt.getValueAtPercentile(50) / 1e6))
        .put("backP99S", round(backAt.getValueAtPercentile(99) / 1e6))
        .put("recoveredS", seconds(counters.lastCaughtUpNanos.get(), cut))
        .put("waitedS", round((end - cut) / 1e9))
        .put("caughtUp", counters.caughtUp.sum())
        .put("notRecovered", counters.notRecovered.sum())
        .put("rejected", rejected.sum())
        .put("timedOut", timedOut.sum())
        .put("liveMessages", live.getTotalCount())
        .put("liveP50Ms", millis(live, 50))
        .put("liveP99Ms", millis(live, 99))
        .put("liveMaxMs", round(live.getMaxValue() / 1000.0))
        .put("replayed", counters.replayed.sum());
    if (counters.caughtUp.sum() < ready.size()) {
      figures.put(
          "error",
          (ready.size() - counters.caughtUp.sum()) + " clients not recovered within "
              + options.stormTimeoutSeconds + " s (--storm-timeout)");
    }
    if (firstReconnectFailure.get() != null) {
      figures.put("firstReconnectFailure", firstReconnectFailure.get());
    }

    Thread.sleep(AFTER_MS);
    publisher.requestStop();
    LoadPublisher.Result published = publishing.get(60, TimeUnit.SECONDS);
    long expected = 0;
    for (int ch = 0; ch < c; ch++) {
      expected += published.okPerChannel()[ch] * readyPerChannel[ch];
    }
    if (published.firstFailure() != null) {
      figures.put("firstPublishFailure", published.firstFailure());
    }
    drain(expected);
    long received = recorder.received.sum();
    return figures
        .put("published", published.ok())
        .put("publishFailed", published.failed())
        .put("publishedPerSec", round(published.publishedPerSecond()))
        .put("expected", expected)
        .put("received", received)
        .put("loss", expected - received)
        .put("dup", recorder.duplicates.sum())
        .put("misrouted", recorder.misrouted.sum())
        .put("gaps", recorder.gaps.sum())
        .put("errors", recorder.errors.sum())
        .put("firstError", recorder.firstError.get());
  }

  /** When a storm's cut started, and how many clients came back before --storm-timeout. */
  private record Storm(long cut, int reconnected) {}

  /**
   * Cuts every connection and waits until every client that came back has caught up, or
   * --storm-timeout passed.
   */
  private Storm storm(List<Subscriber> ready) throws Exception {
    long cut = System.nanoTime();
    cutNanos = cut;
    counters.cutNanos = cut;
    long deadline = cut + TimeUnit.SECONDS.toNanos(options.stormTimeoutSeconds);
    int reconnected = cutAndReconnect(ready, deadline);
    while (counters.caughtUp.sum() < reconnected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return new Storm(cut, reconnected);
  }

  /**
   * A first storm whose figures are dropped but for its time ({@code warmUpStormS}): closes,
   * resumes and replays are paths the connect phase never took, and the JITs of both JVMs (the
   * server's and the load generator's) compiled them during the first storm, on the same cores as
   * the work (a third of the server's CPU in it); a node that has run for a while has them
   * compiled. Then the JIT is let finish, and the counters start again. Not with --storm-cut
   * drain: the drained node is gone after one.
   */
  private void warmUpStorm(List<Subscriber> ready, JsonObject figures) throws Exception {
    long cut = storm(ready).cut();
    figures.put("warmUpStormS", seconds(counters.lastCaughtUpNanos.get(), cut));
    ServerCpu.awaitCompilerQuiet(endpoint.pids(), JIT_WAIT_MS);
    counters.reset();
    closeTimes.takeInterval();
    lastClosedNanos.reset();
    rejected.reset();
    timedOut.reset();
    firstReconnectFailure.set(null);
  }

  /**
   * Cuts every connection at once: closes each from the client side on its own event loop, or
   * (--storm-cut drain) asks the subscribers' node to drain. Each client reopens as soon as its
   * connection closed, as clients do when they see it drop, to the same node or (drain) the
   * other node of the cluster; waits until every client is back or gave up at {@code deadline}.
   * Returns how many are back.
   */
  private int cutAndReconnect(List<Subscriber> ready, long deadline) throws Exception {
    CountDownLatch settled = new CountDownLatch(ready.size());
    LongAdder back = new LongAdder();
    for (int i = 0; i < ready.size(); i++) {
      Subscriber s = ready.get(i);
      int index = i;
      s.onDropped(() -> {
        long now = System.nanoTime();
        lastClosedNanos.accumulate(now);
        closeTimes.record(now - cutNanos, now);
        reconnect(s, index, deadline).onComplete(ar -> {
          if (ar.succeeded()) {
            back.increment();
          }
          settled.countDown();
        });
      });
    }
    if (drain()) {
      drainSubscribersNode();
    } else {
      for (Subscriber s : ready) {
        s.context().runOnContext(v -> s.cut());
      }
    }
    settled.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    return back.intValue();
  }

  private boolean drain() {
    return "drain".equals(options.stormCut);
  }

  /** {@code POST /api/drain} to the subscribers' node: it closes everyone with 1001 and exits. */
  private void drainSubscribersNode() throws Exception {
    HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://" + endpoint.host() + ":" + endpoint.port() + "/api/drain"))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "POST /api/drain answered " + response.statusCode() + " " + response.body());
    }
  }

  /**
   * Opens {@code s} again with {@code since}; a refused or timed-out attempt is counted and
   * retried after a random pause until {@code deadline}.
   */
  private Future<Void> reconnect(Subscriber s, int i, long deadline) {
    Promise<Void> done = Promise.promise();
    attempt(s, i, deadline, done);
    return done.future();
  }

  private void attempt(Subscriber s, int i, long deadline, Promise<Void> done) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      done.tryFail("not back before --storm-timeout");
      return;
    }
    // after a drain the subscribers' node is gone: to the cluster's other node, as a load
    // balancer would send them
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setHost(drain() ? endpoint.publishHost() : endpoint.host())
        .setPort(drain() ? endpoint.publishPort() : endpoint.port())
        .setURI(endpoint.target().wsUri(null, options.batch))
        .setTimeout(left);
    s.open(vertx, connector.webSocketClient(i), connect, left).onComplete(ar -> {
      if (ar.succeeded()) {
        done.tryComplete();
        return;
      }
      String why = String.valueOf(ar.cause().getMessage());
      (why.contains("not ready within") || why.contains("imed out") ? timedOut : rejected)
          .increment();
      firstReconnectFailure.compareAndSet(null, why);
      vertx.setTimer(
          RETRY_PAUSE_MS + ThreadLocalRandom.current().nextLong(RETRY_PAUSE_MS),
          id -> attempt(s, i, deadline, done));
    });
  }

  /** Waits until everything expected arrived, nothing arrives any more, or --drain passed. */
  private void drain(long target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drainSeconds);
    while (System.nanoTime() < deadline && recorder.received.sum() < target) {
      Thread.sleep(10);
    }
  }

  private static double seconds(long nanos, long from) {
    return nanos == Long.MIN_VALUE ? -1 : round((nanos - from) / 1e9);
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
    if (publisherVertx != null) {
      publisherVertx.close();
    }
    if (connector != null) {
      connector.close();
    }
  }
}

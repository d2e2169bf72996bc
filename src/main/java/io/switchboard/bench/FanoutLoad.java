package io.switchboard.bench;

import static io.switchboard.bench.IdleLoad.round;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * C channels with K subscribers each (fanout is C = 1) and one paced HTTP publisher that
 * round-robins the channels, posting to the endpoint's publish node (another node than the
 * subscribers' in a cluster). {@link #open} connects and subscribes everyone, each {@link #step}
 * publishes at one rate and reports what arrived; saturation calls it repeatedly.
 */
final class FanoutLoad implements AutoCloseable {
  /** Drain ends early when nothing has arrived for this long. */
  private static final long DRAIN_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BenchOptions options;
  private final Vertx vertx;
  private final Endpoint endpoint;
  private final int channels;
  private final int perChannel;
  private final String[] channelNames;
  private final boolean sse;
  private final Receiver[] subscribers;
  private final LatencyRecorder recorder = new LatencyRecorder();
  private final long[] readyPerChannel;
  private Connector connector;
  private LoadPublisher publisher;

  FanoutLoad(BenchOptions options, Vertx vertx, Endpoint endpoint, int channels, int perChannel) {
    this(options, vertx, endpoint, channels, perChannel, false);
  }

  /** With {@code sse}, the subscribers follow their channel over {@code GET /sse} streams. */
  FanoutLoad(
      BenchOptions options,
      Vertx vertx,
      Endpoint endpoint,
      int channels,
      int perChannel,
      boolean sse) {
    this.options = options;
    this.sse = sse;
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.channels = channels;
    this.perChannel = perChannel;
    this.channelNames = new String[channels];
    for (int c = 0; c < channels; c++) {
      // default namespace: no ':' in the name (PROTOCOL §2)
      channelNames[c] = channels == 1 ? "bench" : "bench." + c;
    }
    this.subscribers = new Receiver[channels * perChannel];
    this.readyPerChannel = new long[channels];
  }

  /** Connects and subscribes every subscriber; figures of the connect phase. */
  JsonObject open() throws Exception {
    int n = subscribers.length;
    connector = new Connector(vertx, options.localAddresses, n);
    Target target = endpoint.target();
    Connector.Opened opened = sse
        ? connector.openSse(
            n,
            i -> remember(i, new SseSubscriber(i % channels, channels, recorder)),
            i -> "/sse?channel=" + channelNames[i % channels],
            endpoint.host(),
            endpoint.port(),
            options.handshakes,
            options.connectTimeoutSeconds * 1000L)
        : connector.open(
            n,
            i -> remember(
                i,
                new Subscriber(
                    target,
                    channelNames[i % channels],
                    i % channels,
                    channels,
                    options.batch,
                    recorder)),
            i -> target.wsUri(channelNames[i % channels], options.batch),
            endpoint.host(),
            endpoint.port(),
            options.handshakes,
            options.connectTimeoutSeconds * 1000L);
    for (int i = 0; i < n; i++) {
      if (subscribers[i] != null && subscribers[i].isReady()) {
        readyPerChannel[i % channels]++;
      }
    }
    // in a cluster, another node than the subscribers': each publication crosses Redis
    publisher = new LoadPublisher(
        vertx,
        target,
        endpoint.publishHost(),
        endpoint.publishPort(),
        options.publishInFlight,
        channelNames);
    JsonObject figures = opened.subscribeFigures(n, channels);
    return figures;
  }

  /** Keeps subscriber {@code i} for the readiness count; runs on the lane's event loop. */
  private <R extends Receiver> R remember(int i, R subscriber) {
    subscribers[i] = subscriber;
    return subscriber;
  }

  /**
   * Runs the publish path hot without deliveries: at least {@code publishes} acknowledged
   * publications, as fast as {@code --publish-in-flight} requests go (at most {@code maxMs}), to a
   * channel no subscriber follows; then waits (at most as long again) until the server's JIT
   * compiler threads have been quiet for a second. Light load publishes 1–10 msgs/s, so after a
   * few seconds of it alone the publish path (HTTP API, history, encoding) would still be
   * interpreted or half-compiled, and the measured window would hold the JIT compiling it.
   * Returns the publications acknowledged.
   */
  long heatPublishPath(int publishes, long maxMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
    long ok = 0;
    try (LoadPublisher heat = new LoadPublisher(
        vertx,
        endpoint.target(),
        endpoint.publishHost(),
        endpoint.publishPort(),
        options.publishInFlight,
        new String[] {"bench-heat"})) {
      while (ok < publishes && System.nanoTime() < deadline) {
        ok += heat.run(HEAT_RATE, 1_000, 31_000).ok();
      }
    }
    ServerCpu.awaitCompilerQuiet(endpoint.pids(), maxMs);
    return ok;
  }

  /** More than a node answers on one core: the heat goes as fast as the server does. */
  private static final double HEAT_RATE = 100_000;

  /** Publishes {@code rate} msgs/s for {@code durationMs}, drains, and reports this step alone. */
  JsonObject step(double rate, long durationMs) throws Exception {
    recorder.takeInterval(); // start a fresh interval: latencies of this step only
    long receivedBefore = recorder.received.sum();
    long dupBefore = recorder.duplicates.sum();
    long misroutedBefore = recorder.misrouted.sum();
    long closedBefore = recorder.closed.sum();
    ServerCpu cpu = endpoint.cpu();
    // the load generator's own core: a full one means the latencies measured the client too
    ServerCpu load = ServerCpu.start(List.of(ProcessHandle.current().pid()));
    long start = System.nanoTime();
    LoadPublisher.Result published = publisher.run(rate, durationMs, durationMs + 30_000);
    long expected = 0;
    for (int c = 0; c < channels; c++) {
      expected += published.okPerChannel()[c] * readyPerChannel[c];
    }
    drain(receivedBefore + expected);
    JsonObject figures = cpu.stop(new JsonObject())
        .put("loadCpuPct", load.stop(new JsonObject()).getDouble("serverCpuPct"));
    Histogram latency = recorder.takeInterval();
    long received = recorder.received.sum() - receivedBefore;
    long lastReceipt = recorder.lastReceiptNanos.get();
    double deliverySeconds = Math.max(durationMs / 1000.0, (lastReceipt - start) / 1e9);
    figures
        .put("rate", rate)
        .put("durationS", durationMs / 1000.0)
        .put("published", published.ok())
        .put("publishFailed", published.failed())
        .put("publishedPerSec", round(published.publishedPerSecond()))
        .put("expected", expected)
        .put("received", received)
        .put("loss", expected - received)
        .put("dup", recorder.duplicates.sum() - dupBefore)
        .put("misrouted", recorder.misrouted.sum() - misroutedBefore)
        .put("closed", recorder.closed.sum() - closedBefore)
        .put("deliveredPerSec", round(received / deliverySeconds))
        .put("p50Ms", millis(latency, 50))
        .put("p99Ms", millis(latency, 99))
        .put("p999Ms", millis(latency, 99.9))
        .put("maxMs", round(latency.getMaxValue() / 1000.0))
        .put("errors", recorder.errors.sum())
        .put("gaps", recorder.gaps.sum());
    if (published.publishedPerSecond() < rate * 0.95) {
      // the server answered publishes too slowly for --publish-in-flight requests to keep the rate
      figures.put("publisherBehind", true);
    }
    if (published.firstFailure() != null) {
      figures.put("firstPublishFailure", published.firstFailure());
    }
    if (recorder.firstError.get() != null) {
      figures.put("firstError", recorder.firstError.get());
    }
    return figures;
  }

  /** Waits until everything expected arrived, nothing arrives any more, or --drain passed. */
  private void drain(long target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drainSeconds);
    long last = recorder.received.sum();
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = recorder.received.sum();
      if (now >= target) {
        return;
      }
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > DRAIN_QUIET_NANOS) {
        return;
      }
      Thread.sleep(10);
    }
  }

  /** A latency percentile of {@code histogram} (microseconds) in milliseconds; 0 when empty. */
  static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0
        ? 0
        : round(histogram.getValueAtPercentile(percentile) / 1000.0);
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
    if (connector != null) {
      connector.close();
    }
  }
}

package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Client publishes over WebSocket, the path application hooks are on: {@code --publish-in-flight}
 * connections each keep one publish frame in flight (a closed loop), so the run finds the rate
 * the server sustains at that concurrency and the latency from the frame's write to its ack.
 * Each connection's state is touched only by its own context.
 */
final class HookLoad implements AutoCloseable {
  static final String CHANNEL = "bench:hooks";

  private final BenchOptions options;
  private final Vertx vertx;
  private final Endpoint endpoint;
  private final WebSocketClient client;
  private final List<Publisher> publishers = new ArrayList<>();
  private LatencyRecorder latencies = new LatencyRecorder();
  private final LongAdder acked = new LongAdder();
  // read by the publishers' loops, flipped by the bench thread
  private volatile boolean running;

  HookLoad(BenchOptions options, Vertx vertx, Endpoint endpoint) {
    this.options = options;
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.client = vertx.createWebSocketClient(
        new WebSocketClientOptions().setMaxConnections(options.publishInFlight + 1));
  }

  /** Opens the connections and waits for each welcome. */
  JsonObject open() throws Exception {
    List<Future<Void>> welcomed = new ArrayList<>();
    for (int i = 0; i < options.publishInFlight; i++) {
      Publisher publisher = new Publisher();
      publishers.add(publisher);
      Promise<Void> ready = Promise.promise();
      vertx.runOnContext(v -> publisher.connect(ready));
      welcomed.add(ready.future());
    }
    Future.join(welcomed)
        .toCompletionStage()
        .toCompletableFuture()
        .get(options.connectTimeoutSeconds, TimeUnit.SECONDS);
    long ok = welcomed.stream().filter(Future::succeeded).count();
    return new JsonObject().put("connections", ok);
  }

  /** Publishes for {@code ms}, then waits for the publishes in flight; the step's figures. */
  JsonObject step(long ms) throws Exception {
    latencies = new LatencyRecorder();
    acked.reset();
    running = true;
    long started = System.nanoTime();
    for (Publisher publisher : publishers) {
      publisher.context.runOnContext(v -> publisher.next());
    }
    Thread.sleep(ms);
    running = false;
    long elapsed = System.nanoTime() - started;
    Thread.sleep(Math.min(1_000, options.drainSeconds * 1000L));
    Histogram histogram = latencies.takeInterval();
    long count = acked.sum();
    JsonObject figures = new JsonObject()
        .put("publishes", count)
        .put("publishedPerSec", IdleLoad.round(count * 1e9 / elapsed))
        .put("p50Ms", IdleLoad.round(histogram.getValueAtPercentile(50) / 1000.0))
        .put("p99Ms", IdleLoad.round(histogram.getValueAtPercentile(99) / 1000.0))
        .put("p999Ms", IdleLoad.round(histogram.getValueAtPercentile(99.9) / 1000.0))
        .put("errors", latencies.errors.sum());
    if (latencies.firstError.get() != null) {
      figures.put("firstError", latencies.firstError.get());
    }
    return figures;
  }

  @Override
  public void close() {
    running = false;
    client.close();
  }

  /** One connection with at most one publish in flight. */
  private final class Publisher {
    private io.vertx.core.Context context;
    private WebSocket socket;
    private long seq;
    private long sentAtNanos;
    private boolean waiting;
    private Promise<Void> welcome;

    void connect(Promise<Void> ready) {
      context = vertx.getOrCreateContext();
      welcome = ready;
      client
          .connect(new WebSocketConnectOptions()
              .setHost(endpoint.publishHost())
              .setPort(endpoint.publishPort())
              .setURI("/ws"))
          .onSuccess(ws -> {
            socket = ws;
            ws.textMessageHandler(this::received);
            ws.closeHandler(v -> welcome.tryFail("closed " + ws.closeStatusCode()));
          })
          .onFailure(err -> ready.tryFail(err));
    }

    private void received(String frame) {
      if (frame.startsWith("{\"type\":\"welcome\"")) {
        welcome.tryComplete();
        return;
      }
      if (frame.startsWith("{\"type\":\"ping\"")) {
        socket.writeTextMessage("{\"type\":\"pong\"}");
        return;
      }
      if (!waiting) {
        return;
      }
      long now = System.nanoTime();
      waiting = false;
      if (frame.startsWith("{\"type\":\"ack\"")) {
        latencies.record(now - sentAtNanos, now);
        acked.increment();
      } else {
        latencies.error(frame);
      }
      next();
    }

    void next() {
      if (!running || waiting || socket == null) {
        return;
      }
      waiting = true;
      seq++;
      sentAtNanos = System.nanoTime();
      socket.writeTextMessage("{\"type\":\"publish\",\"id\":" + seq + ",\"channel\":\"" + CHANNEL
          + "\",\"data\":{\"s\":" + seq + "}}");
    }
  }
}

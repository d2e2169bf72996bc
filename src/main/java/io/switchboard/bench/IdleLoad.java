package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Opens N connections that do nothing but answer pings (WebSockets) or read heartbeats (SSE
 * streams, {@code --transport sse}, each subscribed to one quiet channel), and measures how fast
 * they open and what each costs the server: resident memory (VmRSS delta after a full GC, over N),
 * explained by the heap, direct memory and the live objects per class (see {@link
 * MemorySnapshot}).
 */
final class IdleLoad {
  /**
   * Settle time after a full GC, so freed pages and lazily touched ones are accounted for: longer
   * than conf/jvm.options' TrimNativeHeapInterval (5 s), so what malloc freed meanwhile (JIT
   * compiler arenas) is handed back as an idle node hands it back.
   */
  private static final long GC_SETTLE_MS = 6000;

  private static final int WARMUP_CONNECTIONS = 3000;
  private static final long WARMUP_CLOSE_TIMEOUT_MS = 30_000;

  /** The channel every idle SSE stream subscribes to: nobody publishes to it. */
  static final String SSE_URI = "/sse?channel=bench.idle";

  private final BenchOptions options;

  IdleLoad(BenchOptions options) {
    this.options = options;
  }

  JsonObject run(Vertx vertx, Endpoint endpoint) throws Exception {
    int n = options.connections;
    JsonObject figures = new JsonObject().put("connections", n);
    ServerProcess server = endpoint.server();
    warmUp(vertx, endpoint);
    MemorySnapshot before = null;
    if (server != null) {
      // a warm-up connection the server has not seen close yet would count as memory before
      MemorySnapshot.awaitNoConnections(server, WARMUP_CLOSE_TIMEOUT_MS);
      server.fullGc(GC_SETTLE_MS);
      before = MemorySnapshot.take(server);
    }
    LatencyRecorder recorder = new LatencyRecorder();
    try (Connector connector = new Connector(vertx, options.localAddresses, n)) {
      // the connect phase is the window: what opening N connections cost the server
      ServerCpu cpu = endpoint.cpu();
      Connector.Opened opened = open(connector, endpoint, n, recorder);
      cpu.stop(figures)
          .put("connected", opened.ready())
          .put("failed", opened.failed())
          .put("connectSeconds", round(opened.elapsedNanos() / 1e9))
          .put("connectPerSec", round(opened.perSecond()));
      if (opened.firstFailure() != null) {
        figures.put("firstFailure", opened.firstFailure());
      }
      if (server != null && opened.ready() > 0) {
        server.fullGc(GC_SETTLE_MS);
        figures.mergeIn(MemorySnapshot.take(server).perConnection(before, opened.ready()));
      }
      figures.put("closedDuringRun", recorder.closed.sum()).put("errors", recorder.errors.sum());
    }
    return figures;
  }

  private Connector.Opened open(
      Connector connector, Endpoint endpoint, int n, LatencyRecorder recorder)
      throws InterruptedException {
    long timeoutMs = options.connectTimeoutSeconds * 1000L;
    if (options.transport.equals("sse")) {
      return connector.openIdleSse(
          n, SSE_URI, endpoint.host(), endpoint.port(), options.handshakes, timeoutMs);
    }
    return connector.open(
        n,
        i -> new Subscriber(endpoint.target(), null, 0, 1, options.batch, recorder),
        i -> endpoint.target().wsUri(null, options.batch),
        endpoint.host(),
        endpoint.port(),
        options.handshakes,
        timeoutMs);
  }

  /**
   * Opens and closes a first batch of connections. It runs the handshake code through the JITs
   * of both JVMs, so the connect rate is not a cold-start figure, and it touches the server's
   * young generation, so the RSS delta counts the connections rather than eden pages that any
   * allocation would have made resident.
   */
  private void warmUp(Vertx vertx, Endpoint endpoint) throws Exception {
    int n = Math.min(options.connections, WARMUP_CONNECTIONS);
    try (Connector connector = new Connector(vertx, options.localAddresses, n)) {
      Connector.Opened opened = open(connector, endpoint, n, new LatencyRecorder());
      System.err.printf(
          "bench:   warm-up: %d connections at %.0f/s%n", opened.ready(), opened.perSecond());
    }
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}

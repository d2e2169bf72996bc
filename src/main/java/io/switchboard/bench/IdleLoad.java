package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Opens N connections that do nothing but answer pings, and measures how fast they open and
 * what each costs the server in resident memory (VmRSS delta after a full GC, over N).
 */
final class IdleLoad {
  /** Settle time after a full GC, so freed pages and lazily touched ones are accounted for. */
  private static final long GC_SETTLE_MS = 1500;

  private static final int WARMUP_CONNECTIONS = 3000;

  private final BenchOptions options;

  IdleLoad(BenchOptions options) {
    this.options = options;
  }

  JsonObject run(Vertx vertx, Endpoint endpoint) throws Exception {
    int n = options.connections;
    JsonObject figures = new JsonObject().put("connections", n);
    ServerProcess server = endpoint.server();
    warmUp(vertx, endpoint);
    long before = -1;
    if (server != null) {
      server.fullGc(GC_SETTLE_MS);
      before = server.rssKb();
    }
    LatencyRecorder recorder = new LatencyRecorder();
    try (Connector connector = new Connector(vertx, options.localAddresses, n)) {
      // the connect phase is the window: what opening N connections cost the server
      ServerCpu cpu = endpoint.cpu();
      Connector.Opened opened = connector.open(
          n,
          i -> new Subscriber(endpoint.target(), null, 0, 1, options.batch, recorder),
          i -> endpoint.target().wsUri(null, options.batch),
          endpoint.host(),
          endpoint.port(),
          options.handshakes,
          options.connectTimeoutSeconds * 1000L);
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
        long after = server.rssKb();
        figures
            .put("rssBeforeKb", before)
            .put("rssAfterKb", after)
            .put("rssPerConnKb", round((after - before) / (double) opened.ready()));
      }
      figures.put("closedDuringRun", recorder.closed.sum()).put("errors", recorder.errors.sum());
    }
    return figures;
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
      Connector.Opened opened = connector.open(
          n,
          i -> new Subscriber(endpoint.target(), null, 0, 1, options.batch, new LatencyRecorder()),
          i -> endpoint.target().wsUri(null, options.batch),
          endpoint.host(),
          endpoint.port(),
          options.handshakes,
          options.connectTimeoutSeconds * 1000L);
      System.err.printf(
          "bench:   warm-up: %d connections at %.0f/s%n", opened.ready(), opened.perSecond());
    }
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}

package io.switchboard.bench;

import static io.switchboard.bench.IdleLoad.round;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a connect costs the server: --connects connections, each as far as a client would go
 * before it receives anything (WebSocket: upgrade, welcome, subscribe, ack; SSE: request to the
 * stream's first {@code id:} line, sent once the channel is subscribed), spread over --channels.
 * Warm-up rounds warm the JITs of both JVMs and are dropped (until one in which the server's JIT
 * took under a tenth of its CPU); three rounds after them are measured, and the median one
 * reported: server CPU time from its first connect to its last ready one, per 1,000 connects. The
 * baseline does the same frames on {@code /ws?handshake=1} ({@link BaselineServer}).
 */
final class ConnectLoad {
  /** Lets the server finish closing a round before the next one starts. */
  private static final long SETTLE_MS = 2000;

  private final BenchOptions options;
  private final Vertx vertx;
  private final Endpoint endpoint;

  ConnectLoad(BenchOptions options, Vertx vertx, Endpoint endpoint) {
    this.options = options;
    this.vertx = vertx;
    this.endpoint = endpoint;
  }

  JsonObject run(boolean sse) throws Exception {
    for (int round = 1; ; round++) {
      JsonObject warm = connectAll(sse);
      long jitMs = warm.getLong("serverJitMs", 0L);
      long cpuMs = warm.getLong("serverCpuMs", 0L);
      System.err.printf(
          "bench:   warm-up %d: %d connects at %.0f/s, %s ms CPU per 1,000, %d%% of it the JIT%n",
          round,
          warm.getInteger("connected"),
          warm.getDouble("connectPerSec"),
          warm.getValue("cpuPer1000ConnectsMs"),
          cpuMs == 0 ? 0 : jitMs * 100 / cpuMs);
      settle();
      // warm: a round in which the JIT took under a tenth of the server's CPU
      if (cpuMs == 0 || jitMs * 10 < cpuMs || round == MAX_WARM_UP_ROUNDS) {
        return measured(sse);
      }
    }
  }

  /**
   * {@link #MEASURED_ROUNDS} rounds on the warm JVMs, each after the same settling as the warm-up
   * rounds; the figures are the median round's (by CPU per 1,000), with every round's CPU per 1,000
   * beside them: a round lasts about a second, and one in which C2 recompiled a burst costs half
   * as much again as the next.
   */
  private JsonObject measured(boolean sse) throws Exception {
    List<JsonObject> rounds = new ArrayList<>();
    for (int i = 0; i < MEASURED_ROUNDS; i++) {
      if (i > 0) {
        settle();
      }
      rounds.add(connectAll(sse));
    }
    JsonArray each = new JsonArray();
    rounds.forEach(r -> each.add(r.getValue("cpuPer1000ConnectsMs")));
    rounds.sort(Comparator.comparingDouble(r -> r.getDouble("cpuPer1000ConnectsMs", 0.0)));
    return rounds.get(rounds.size() / 2).put("cpuPer1000EachRoundMs", each);
  }

  /**
   * Between rounds: the server finishes closing the last one, and, as a round lasts a second or
   * two, C2 gets to finish what it queued before the next one.
   */
  private void settle() throws Exception {
    Thread.sleep(SETTLE_MS);
    ServerCpu.awaitCompilerQuiet(endpoint.pids(), JIT_WAIT_MS);
  }

  /** Measured rounds; the median one is reported. */
  private static final int MEASURED_ROUNDS = 3;

  /**
   * Warm-up rounds at most, each followed by a wait until the server's JIT compiler threads are
   * quiet: the connect path is long (HTTP upgrade, WebSocket handshake, the protocol's frames),
   * and on a quiet machine a round of 5,000 takes a second or two, after which C2 was still
   * compiling for 40-60% of the next round's server CPU, on Switchboard and the baseline alike,
   * for six rounds or more on a 2-core AMD EPYC (closing 5,000 connections and opening 5,000 again
   * alternates the call sites' types, and C2 recompiles), each round costing less than the one
   * before give or take a third: no plateau of the cost is a sign of warmth, the JIT's share is.
   */
  private static final int MAX_WARM_UP_ROUNDS = 20;

  private static final long JIT_WAIT_MS = 30_000;

  private JsonObject connectAll(boolean sse) throws Exception {
    int n = options.connects;
    int c = options.channels;
    Target target = endpoint.target();
    LatencyRecorder recorder = new LatencyRecorder();
    try (Connector connector = new Connector(vertx, options.localAddresses, n)) {
      ServerCpu cpu = endpoint.cpu();
      Connector.Opened opened = sse
          ? connector.openSse(
              n,
              i -> new SseSubscriber(i % c, c, recorder),
              i -> "/sse?channel=" + channel(i % c),
              endpoint.host(),
              endpoint.port(),
              options.handshakes,
              options.connectTimeoutSeconds * 1000L)
          : connector.open(
              n,
              i -> new Subscriber(target, channel(i % c), i % c, c, false, recorder).handshaking(),
              i -> target.handshakeUri(),
              endpoint.host(),
              endpoint.port(),
              options.handshakes,
              options.connectTimeoutSeconds * 1000L);
      JsonObject figures = cpu.stop(new JsonObject())
          .put("connects", n)
          .put("connected", opened.ready())
          .put("failed", opened.failed())
          .put("connectSeconds", round(opened.elapsedNanos() / 1e9))
          .put("connectPerSec", round(opened.perSecond()))
          .put("errors", recorder.errors.sum());
      if (figures.containsKey("serverCpuMs") && opened.ready() > 0) {
        figures.put(
            "cpuPer1000ConnectsMs",
            round(figures.getLong("serverCpuMs") * 1000.0 / opened.ready()));
        figures.put(
            "cpuPer1000NoJitMs",
            round((figures.getLong("serverCpuMs") - figures.getLong("serverJitMs"))
                * 1000.0
                / opened.ready()));
      }
      if (opened.firstFailure() != null) {
        figures.put("firstFailure", opened.firstFailure());
      }
      return figures;
    }
  }

  /** Default namespace (no ':'), so a subscribe needs no token and no configuration. */
  private static String channel(int index) {
    return "bench." + index;
  }
}

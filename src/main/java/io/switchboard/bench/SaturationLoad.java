package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Raises the publish rate step by step (×--step-factor) on one set of subscribers until p99
 * passes 1 s, messages are lost, or deliveries stop growing, and reports the highest delivery
 * rate that was sustained (no loss, p99 within 1 s) and the p50 and p99 there.
 */
final class SaturationLoad {
  private static final double P99_LIMIT_MS = 1000;
  /** A step must deliver this much more than the previous one to count as growth. */
  private static final double MIN_GROWTH = 1.05;
  /** Start well below any plausible limit, so the first steps are sustained. */
  private static final double START_DELIVERIES = 20_000;

  private final BenchOptions options;
  private final long deadlineNanos;

  SaturationLoad(BenchOptions options, long deadlineNanos) {
    this.options = options;
    this.deadlineNanos = deadlineNanos;
  }

  static double startRate(BenchOptions options, int perChannel) {
    return options.rate != null
        ? options.rate
        : Math.max(1, Math.round(START_DELIVERIES / perChannel));
  }

  JsonObject run(FanoutLoad load, int perChannel) throws Exception {
    double rate = startRate(options, perChannel);
    JsonArray steps = new JsonArray();
    JsonObject best = null;
    double previous = 0;
    String stopReason = "max steps";
    JsonObject last = null;
    for (int step = 0; step < options.maxSteps; step++) {
      if (System.nanoTime() > deadlineNanos) {
        stopReason = "time budget";
        break;
      }
      JsonObject figures = load.step(rate, options.stepSeconds * 1000L);
      last = figures;
      steps.add(new JsonObject()
          .put("rate", rate)
          .put("deliveredPerSec", figures.getDouble("deliveredPerSec"))
          .put("publishedPerSec", figures.getDouble("publishedPerSec"))
          .put("p99Ms", figures.getDouble("p99Ms"))
          .put("loss", figures.getLong("loss"))
          .put("closed", figures.getLong("closed"))
          .put("serverCpuPct", figures.getDouble("serverCpuPct")));
      double delivered = figures.getDouble("deliveredPerSec");
      System.err.printf(
          "bench:   step %d: rate %.0f/s delivered %.0f/s p99 %.1f ms loss %d%n",
          step + 1, rate, delivered, figures.getDouble("p99Ms"), figures.getLong("loss"));
      boolean sustained = figures.getLong("loss") <= 0
          && figures.getDouble("p99Ms") <= P99_LIMIT_MS
          && figures.getLong("publishFailed") == 0
          && figures.getLong("closed") == 0;
      if (sustained && (best == null || delivered > best.getDouble("deliveredPerSec"))) {
        best = figures.put("rate", rate);
      }
      if (!sustained) {
        stopReason = figures.getDouble("p99Ms") > P99_LIMIT_MS
            ? "p99 over 1 s"
            : figures.getLong("loss") > 0 ? "loss" : "publish failures or closed connections";
        break;
      }
      if (previous > 0 && delivered < previous * MIN_GROWTH) {
        stopReason = "deliveries stopped growing";
        break;
      }
      previous = delivered;
      rate = Math.round(rate * options.stepFactor);
    }
    JsonObject result = new JsonObject().put("stopReason", stopReason).put("steps", steps);
    if (last != null) {
      // counted since the subscribers connected, so these cover every step
      result.put("errors", last.getLong("errors")).put("gaps", last.getLong("gaps"));
    }
    if (best != null) {
      result
          .put("maxDeliveredPerSec", best.getDouble("deliveredPerSec"))
          .put("p50AtMaxMs", best.getDouble("p50Ms"))
          .put("p99AtMaxMs", best.getDouble("p99Ms"))
          .put("rateAtMax", best.getDouble("rate"))
          .put("serverCpuPct", best.getDouble("serverCpuPct"))
          .put("serverCpuMs", best.getLong("serverCpuMs"));
    }
    return result;
  }
}

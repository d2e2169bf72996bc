package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Collects each scenario's figures per target, works out Switchboard / baseline ratios, and
 * prints a short table followed by one {@code BENCH_JSON {...}} line holding everything.
 */
final class Report {
  /** Figures whose Switchboard/baseline ratio is reported (for latencies and memory, lower is better). */
  private static final List<String> RATIO_KEYS = List.of("rssPerConnKb", "connectPerSec",
      "deliveredPerSec", "p50Ms", "p99Ms", "p999Ms", "maxDeliveredPerSec", "p50AtMaxMs",
      "p99AtMaxMs");
  /** What the human table shows per scenario; the JSON line has every figure. */
  private static final Map<String, List<String>> TABLE_KEYS = Map.of(
      "idle", List.of("connected", "failed", "connectPerSec", "rssPerConnKb"),
      "fanout", List.of("subscribed", "published", "publishedPerSec", "deliveredPerSec", "loss",
          "dup", "p50Ms", "p99Ms", "p999Ms", "errors", "gaps"),
      "saturation", List.of("subscribed", "maxDeliveredPerSec", "p50AtMaxMs", "p99AtMaxMs",
          "rateAtMax", "errors", "gaps", "stopReason"));

  /** Figures that explain a failed or partial run; printed under the table when present. */
  private static final List<String> PROBLEM_KEYS =
      List.of("error", "skipped", "firstFailure", "firstPublishFailure", "firstError");

  private final JsonArray runs = new JsonArray();
  private boolean failed;

  void add(String scenario, JsonObject params, Map<Target, JsonObject> results) {
    JsonObject run = new JsonObject().put("scenario", scenario).mergeIn(params);
    results.forEach((target, figures) -> {
      run.put(target.label, figures);
      failed |= figures.containsKey("error");
    });
    JsonObject sb = results.get(Target.SWITCHBOARD);
    JsonObject base = results.get(Target.BASELINE);
    if (sb != null && base != null) {
      JsonObject ratio = new JsonObject();
      for (String key : RATIO_KEYS) {
        if (sb.getValue(key) instanceof Number a && base.getValue(key) instanceof Number b
            && b.doubleValue() != 0) {
          ratio.put(key, IdleLoad.round(a.doubleValue() / b.doubleValue()));
        }
      }
      run.put("ratio", ratio);
    }
    runs.add(run);
  }

  boolean failed() {
    return failed;
  }

  void print(PrintStream out, BenchOptions options) {
    for (Object o : runs) {
      JsonObject run = (JsonObject) o;
      String scenario = run.getString("scenario");
      out.printf("%n== %s %s ==%n", scenario, describe(run));
      out.printf("%-18s %16s %16s %10s%n", "", "switchboard", "baseline", "sb/base");
      JsonObject sb = run.getJsonObject(Target.SWITCHBOARD.label, new JsonObject());
      JsonObject base = run.getJsonObject(Target.BASELINE.label, new JsonObject());
      JsonObject ratio = run.getJsonObject("ratio", new JsonObject());
      String kind = scenario.equals("rooms") ? "fanout" : scenario;
      for (String key : TABLE_KEYS.getOrDefault(kind, List.of())) {
        out.printf("%-18s %16s %16s %10s%n", key, cell(sb.getValue(key)), cell(base.getValue(key)),
            ratio.getValue(key) == null ? "-" : String.format("%.2f", ratio.getDouble(key)));
      }
      for (JsonObject figures : List.of(sb, base)) {
        if (figures.getBoolean("publisherBehind", false)) {
          out.printf("  %s: publishes were answered too slowly to keep R (see publishedPerSec)%n",
              figures == sb ? "switchboard" : "baseline");
        }
        for (String problem : PROBLEM_KEYS) {
          if (figures.containsKey(problem)) {
            out.printf("  %s %s: %s%n", figures == sb ? "switchboard" : "baseline", problem,
                figures.getValue(problem));
          }
        }
      }
    }
    JsonObject all = new JsonObject()
        .put("mode", options.mode.name())
        .put("machine", new JsonObject()
            .put("nproc", Machine.nproc())
            .put("java", Machine.javaVersion())
            .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"))
            .put("pinned", Machine.pinning())
            .put("benchEventLoops", options.eventLoops)
            .put("serverInstances", options.instances))
        .put("batch", options.batch)
        .put("runs", runs);
    out.println();
    out.println("BENCH_JSON " + all.encode());
  }

  private static String describe(JsonObject run) {
    StringBuilder text = new StringBuilder();
    for (String key : List.of("N", "C", "K", "R", "T")) {
      if (run.containsKey(key)) {
        text.append(key).append('=').append(cell(run.getValue(key))).append(' ');
      }
    }
    return text.toString().trim();
  }

  private static String cell(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format("%,d", d.longValue())
          : String.format("%,.2f", d);
    }
    if (value instanceof Number n) {
      return String.format("%,d", n.longValue());
    }
    return value.toString();
  }
}

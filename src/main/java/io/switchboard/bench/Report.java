package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects each scenario's figures per column (a target, or a target over SSE: {@code
 * switchboard-sse}), works out the ratios (Switchboard / baseline, Switchboard / --compare-jar,
 * cluster / single node, SSE / WebSocket), and prints a short table followed by one {@code
 * BENCH_JSON {...}} line holding everything.
 */
final class Report {
  /** Figures whose ratios are reported (for latencies and memory, lower is better). */
  private static final List<String> RATIO_KEYS = List.of(
      "rssPerConnKb",
      "heapUsedPerConnKb",
      "heapCommittedPerConnKb",
      "connectPerSec",
      "deliveredPerSec",
      "publishedPerSec",
      "p50Ms",
      "p99Ms",
      "p999Ms",
      "maxDeliveredPerSec",
      "p50AtMaxMs",
      "p99AtMaxMs",
      "serverCpuMs",
      "serverCpuPct",
      "serverCpuNoJitPct",
      "cpuPer1000ConnectsMs",
      "cpuPer1000NoJitMs",
      "recoveredS",
      "allBackS",
      "liveP99Ms");
  /** What the human table shows per scenario; the JSON line has every figure. */
  private static final Map<String, List<String>> TABLE_KEYS = Map.of(
      "idle",
          List.of(
              "connected",
              "failed",
              "connectPerSec",
              "rssPerConnKb",
              "heapUsedPerConnKb",
              "heapCommittedPerConnKb",
              "directPerConnKb",
              "jdkDirectPerConnKb",
              "rssAfterKb",
              "heapCommittedAfterKb",
              "metaspaceAfterKb"),
      "connect",
          List.of(
              "connected",
              "failed",
              "connectPerSec",
              "cpuPer1000ConnectsMs",
              "cpuPer1000NoJitMs",
              "serverCpuPct",
              "serverJitPct"),
      "light",
          List.of(
              "subscribed",
              "publishedPerSec",
              "deliveredPerSec",
              "loss",
              "dup",
              "serverCpuPct",
              "serverJitPct",
              "serverCpuNoJitPct",
              "loadCpuPct",
              "p50Ms",
              "p99Ms",
              "p999Ms",
              "errors"),
      "storm",
          List.of(
              "subscribed",
              "reconnected",
              "warmUpStormS",
              "allBackS",
              "recoveredS",
              "notRecovered",
              "rejected",
              "timedOut",
              "serverCpuMs",
              "serverCpuPct",
              "serverJitPct",
              "loadCpuPct",
              "liveP99Ms",
              "replayed",
              "loss",
              "dup",
              "gaps",
              "errors"),
      "fanout",
          List.of(
              "subscribed",
              "published",
              "publishedPerSec",
              "deliveredPerSec",
              "loss",
              "dup",
              "p50Ms",
              "p99Ms",
              "p999Ms",
              "errors",
              "gaps"),
      "hooks",
          List.of(
              "connections", "publishes", "publishedPerSec", "p50Ms", "p99Ms", "p999Ms", "errors"),
      "saturation",
          List.of(
              "subscribed",
              "maxDeliveredPerSec",
              "p50AtMaxMs",
              "p99AtMaxMs",
              "rateAtMax",
              "errors",
              "gaps",
              "stopReason"));
  /**
   * Rows shown only when a target has them: Redis's own count of what a cluster run did, and the
   * CPU other processes of the machine took meanwhile (percent of one core).
   */
  private static final List<String> OPTIONAL_TABLE_KEYS =
      List.of("serverCpuPct", "redisScripts", "redisPublishes", "otherCpuPct");

  /** Figures that explain a failed or partial run; printed under the table when present. */
  private static final List<String> PROBLEM_KEYS = List.of(
      "error", "skipped", "firstFailure", "firstPublishFailure", "firstError", "redisStatsError");

  /**
   * A ratio column of the table: {@code key} in the JSON, the numerator's column / the
   * denominator's.
   */
  private record Ratio(String key, String header, String numerator, String denominator) {}

  private static final List<Ratio> RATIOS = List.of(
      new Ratio("ratio", "sb/base", "switchboard", "baseline"),
      new Ratio("compareRatio", "sb/cmp", "switchboard", "compare"),
      new Ratio("sseCompareRatio", "sse/cmp", "switchboard-sse", "compare-sse"),
      new Ratio("clusterRatio", "cl/sb", "cluster", "switchboard"),
      new Ratio("sseRatio", "sse/ws", "switchboard-sse", "switchboard"),
      new Ratio("sseBaseRatio", "sse/base", "switchboard-sse", "baseline"),
      new Ratio("busHookRatio", "bus/none", "busHook", "switchboard"),
      new Ratio("httpHookRatio", "http/none", "httpHook", "switchboard"));

  private final JsonArray runs = new JsonArray();
  private boolean failed;

  /** {@code results} by column label, in the order the table shows them. */
  void add(String scenario, JsonObject params, Map<String, JsonObject> results) {
    JsonObject run = new JsonObject()
        .put("scenario", scenario)
        .mergeIn(params)
        .put("columns", new JsonArray(List.copyOf(results.keySet())));
    results.forEach((column, figures) -> {
      run.put(column, figures);
      failed |= figures.containsKey("error");
    });
    for (Ratio r : RATIOS) {
      JsonObject a = results.get(r.numerator());
      JsonObject b = results.get(r.denominator());
      if (a != null && b != null) {
        run.put(r.key(), ratios(a, b));
      }
    }
    runs.add(run);
  }

  private static JsonObject ratios(JsonObject a, JsonObject b) {
    JsonObject ratio = new JsonObject();
    for (String key : RATIO_KEYS) {
      if (a.getValue(key) instanceof Number x
          && b.getValue(key) instanceof Number y
          && y.doubleValue() != 0) {
        ratio.put(key, IdleLoad.round(x.doubleValue() / y.doubleValue()));
      }
    }
    return ratio;
  }

  boolean failed() {
    return failed;
  }

  void print(PrintStream out, BenchOptions options) {
    for (Object o : runs) {
      JsonObject run = (JsonObject) o;
      String scenario = run.getString("scenario");
      List<String> targets =
          run.getJsonArray("columns").stream().map(String::valueOf).toList();
      List<Ratio> ratios = RATIOS.stream().filter(r -> run.containsKey(r.key())).toList();
      out.printf("%n== %s %s ==%n", scenario, describe(run));
      StringBuilder header = new StringBuilder(String.format("%-18s", ""));
      targets.forEach(t -> header.append(String.format(" %16s", t)));
      ratios.forEach(r -> header.append(String.format(" %10s", r.header())));
      out.println(header);
      String kind = scenario.equals("rooms") ? "fanout" : scenario;
      List<String> keys = new ArrayList<>(TABLE_KEYS.getOrDefault(kind, List.of()));
      for (String key : OPTIONAL_TABLE_KEYS) {
        if (!keys.contains(key)
            && targets.stream().anyMatch(t -> run.getJsonObject(t).containsKey(key))) {
          keys.add(key);
        }
      }
      for (String key : keys) {
        StringBuilder row = new StringBuilder(String.format("%-18s", key));
        targets.forEach(
            t -> row.append(String.format(" %16s", cell(run.getJsonObject(t).getValue(key)))));
        for (Ratio r : ratios) {
          JsonObject ratio = run.getJsonObject(r.key());
          row.append(String.format(
              " %10s",
              ratio.getValue(key) == null ? "-" : String.format("%.2f", ratio.getDouble(key))));
        }
        out.println(row);
      }
      for (String t : targets) {
        printObjects(out, t, run.getJsonObject(t).getJsonArray("perConnObjects"));
      }
      for (String t : targets) {
        JsonObject figures = run.getJsonObject(t);
        if (figures.getValue("loss") instanceof Number loss && loss.longValue() < 0) {
          // expected counts acknowledged publishes only: a publish answered with an error that
          // the broker had in fact taken reaches every subscriber anyway
          out.printf(
              "  %s: %,d deliveries more than acknowledged publishes account for: publishes "
                  + "answered as failed were delivered (see publishFailed)%n",
              t, -loss.longValue());
        }
        if (figures.getBoolean("publisherBehind", false)) {
          out.printf(
              "  %s: publishes were answered too slowly to keep R (see publishedPerSec)%n", t);
        }
        for (String problem : PROBLEM_KEYS) {
          if (figures.containsKey(problem)) {
            out.printf("  %s %s: %s%n", t, problem, figures.getValue(problem));
          }
        }
      }
    }
    JsonObject machine = new JsonObject()
        .put("nproc", Machine.nproc())
        .put("java", Machine.javaVersion())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"))
        .put("pinned", Machine.pinning())
        .put("benchEventLoops", options.eventLoops)
        .put("serverInstances", options.instances);
    if (options.compareJar != null) {
      machine.put("compareJar", options.compareJar);
    }
    if (options.cluster) {
      machine.put("redis", Machine.redisVersion());
    }
    JsonObject all = new JsonObject()
        .put("mode", options.mode.name())
        .put("machine", machine)
        .put("batch", options.batch)
        .put("runs", runs);
    out.println();
    out.println("BENCH_JSON " + all.encode());
  }

  /** The idle run's heap histogram delta: which objects a connection keeps. */
  private static void printObjects(PrintStream out, String column, JsonArray classes) {
    if (classes == null) {
      return;
    }
    out.printf(
        "  %s: live objects per connection (jcmd GC.class_histogram, after - before)%n", column);
    out.printf("    %10s %10s  %s%n", "instances", "bytes", "class");
    for (Object o : classes) {
      JsonObject c = (JsonObject) o;
      out.printf(
          "    %10s %10.1f  %s%n",
          c.containsKey("instances") ? String.format("%.2f", c.getDouble("instances")) : "",
          c.getDouble("bytes"),
          c.getString("class"));
    }
  }

  private static String describe(JsonObject run) {
    StringBuilder text = new StringBuilder();
    for (String key : List.of("N", "C", "K", "R", "T", "transport")) {
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
      return d == Math.rint(d) && Math.abs(d) < 1e15
          ? String.format("%,d", d.longValue())
          : String.format("%,.2f", d);
    }
    if (value instanceof Number n) {
      return String.format("%,d", n.longValue());
    }
    return value.toString();
  }
}

package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process holds at one moment, taken after a full GC so that the heap figures are
 * live data: resident memory, the heap (used and committed, from {@code jcmd GC.heap_info}, which
 * every collector answers), metaspace, direct memory (Switchboard's {@code /metrics}: Netty's
 * allocator and the JDK's direct buffers) and the live objects per class ({@code jcmd
 * GC.class_histogram}). Two snapshots, before and after N connections, explain the per-connection
 * resident figure: {@link #perConnection} divides the differences by N.
 */
record MemorySnapshot(
    long rssKb,
    long heapUsedKb,
    long heapCommittedKb,
    long metaspaceKb,
    long nettyDirectKb,
    long jdkDirectKb,
    Map<String, long[]> histogram,
    Map<String, Long> nativeKb) {

  /** Classes listed per connection: enough to account for nearly all of the heap delta. */
  private static final int TOP_CLASSES = Integer.getInteger("bench.topClasses", 20);

  // " garbage-first heap   total 65536K, used 10240K [...": G1 on JDK 17; JDK 25 says "total
  // reserved 6172672K, committed 65536K, used 10240K". Serial and Parallel print one such line
  // per generation ("def new generation", "tenured generation", "PSYoungGen", "ParOldGen")
  private static final Pattern HEAP_LINE =
      Pattern.compile("(?:total|committed) (\\d+)K, used (\\d+)K");
  private static final Pattern METASPACE_LINE =
      Pattern.compile("^\\s*Metaspace\\s+used (\\d+)K, committed (\\d+)K");
  // "-                 Java Heap (reserved=6172672KB, committed=397312KB)"
  private static final Pattern NMT_LINE =
      Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");
  // "   1:        123456       7890123  java.lang.String (java.base@17.0.15)"
  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  static MemorySnapshot take(ServerProcess server) {
    long rss = server.rssKb();
    long heapUsed = -1;
    long heapCommitted = -1;
    long metaspace = -1;
    String heapInfo = jcmd(server.pid(), "GC.heap_info");
    if (heapInfo != null) {
      heapUsed = 0;
      heapCommitted = 0;
      for (String line : heapInfo.split("\n")) {
        Matcher m = METASPACE_LINE.matcher(line);
        if (m.find()) {
          metaspace = Long.parseLong(m.group(2));
          continue;
        }
        // generations are indented by at most one space, their spaces (eden, from, to) by more
        if (!line.startsWith("  ")) {
          Matcher h = HEAP_LINE.matcher(line);
          if (h.find()) {
            heapCommitted += Long.parseLong(h.group(1));
            heapUsed += Long.parseLong(h.group(2));
          }
        }
      }
    }
    long[] direct = server.target.isSwitchboard() ? directKb(server.port) : new long[] {-1, -1};
    return new MemorySnapshot(
        rss,
        heapUsed,
        heapCommitted,
        metaspace,
        direct[0],
        direct[1],
        histogram(server.pid()),
        nativeMemory(server.pid()));
  }

  /**
   * Per-connection figures from {@code before} to this snapshot, over {@code n} connections:
   * resident, heap, direct, and the classes whose live bytes grew most (bytes and instances per
   * connection).
   */
  JsonObject perConnection(MemorySnapshot before, int n) {
    JsonObject figures = new JsonObject()
        .put("rssBeforeKb", before.rssKb)
        .put("rssAfterKb", rssKb)
        .put("rssPerConnKb", perConn(before.rssKb, rssKb, n))
        .put("heapUsedBeforeKb", before.heapUsedKb)
        .put("heapUsedAfterKb", heapUsedKb)
        .put("heapCommittedBeforeKb", before.heapCommittedKb)
        .put("heapCommittedAfterKb", heapCommittedKb)
        .put("heapUsedPerConnKb", perConn(before.heapUsedKb, heapUsedKb, n))
        .put("heapCommittedPerConnKb", perConn(before.heapCommittedKb, heapCommittedKb, n))
        .put("metaspaceAfterKb", metaspaceKb);
    if (nettyDirectKb >= 0 && before.nettyDirectKb >= 0) {
      figures
          .put("nettyDirectAfterKb", nettyDirectKb)
          .put("directPerConnKb", perConn(before.nettyDirectKb, nettyDirectKb, n));
    }
    if (jdkDirectKb >= 0 && before.jdkDirectKb >= 0) {
      figures
          .put("jdkDirectAfterKb", jdkDirectKb)
          .put("jdkDirectPerConnKb", perConn(before.jdkDirectKb, jdkDirectKb, n));
    }
    if (!nativeKb.isEmpty() && !before.nativeKb.isEmpty()) {
      JsonObject categories = new JsonObject();
      nativeKb.forEach((category, kb) -> {
        double perConn = perConn(before.nativeKb.getOrDefault(category, 0L), kb, n);
        if (Math.abs(perConn) >= 0.01) {
          categories.put(category, perConn);
        }
      });
      figures.put("nativeCommittedPerConnKb", categories);
    }
    if (!histogram.isEmpty() && !before.histogram.isEmpty()) {
      figures.put("perConnObjects", grownClasses(before, n));
    }
    return figures;
  }

  private JsonArray grownClasses(MemorySnapshot before, int n) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, long[]> e : histogram.entrySet()) {
      long[] was = before.histogram.getOrDefault(e.getKey(), new long[2]);
      long bytes = e.getValue()[1] - was[1];
      total += bytes;
      grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0], bytes}));
    }
    grown.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1])
        .reversed());
    JsonArray classes = new JsonArray();
    for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(TOP_CLASSES, grown.size()))) {
      classes.add(new JsonObject()
          .put("class", e.getKey())
          .put("instances", IdleLoad.round(e.getValue()[0] / (double) n))
          .put("bytes", IdleLoad.round(e.getValue()[1] / (double) n)));
    }
    classes.add(new JsonObject().put("class", "(all classes)").put("bytes", total / (double) n));
    return classes;
  }

  private static double perConn(long before, long after, int n) {
    return before < 0 || after < 0 ? -1 : IdleLoad.round((after - before) / (double) n);
  }

  /** Live objects per class: instances and bytes. The command itself runs a full GC first. */
  private static Map<String, long[]> histogram(long pid) {
    Map<String, long[]> classes = new HashMap<>();
    String text = jcmd(pid, "GC.class_histogram");
    if (text != null) {
      for (String line : text.split("\n")) {
        Matcher m = HISTOGRAM_LINE.matcher(line);
        if (m.find()) {
          classes.merge(
              m.group(3),
              new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
              (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        }
      }
    }
    return classes;
  }

  /**
   * Committed memory per category of the JVM's native memory tracking ({@code jcmd
   * VM.native_memory summary}), when the server runs with {@code -XX:NativeMemoryTracking=summary}
   * (e.g. in JAVA_OPTS, which started servers get); empty otherwise.
   */
  private static Map<String, Long> nativeMemory(long pid) {
    Map<String, Long> categories = new HashMap<>();
    String text = jcmdQuietly(pid, "VM.native_memory", "summary");
    if (text != null && text.contains("Native Memory Tracking:")) {
      for (String line : text.split("\n")) {
        Matcher m = NMT_LINE.matcher(line);
        if (m.find()) {
          categories.put(m.group(1).trim(), Long.parseLong(m.group(2)));
        }
      }
    }
    return categories;
  }

  /**
   * Waits until Switchboard's {@code switchboard_connections} gauges are all 0, at most {@code
   * timeoutMs}; for the baseline, which has no metrics, waits a few seconds.
   */
  static void awaitNoConnections(ServerProcess server, long timeoutMs) throws InterruptedException {
    if (!server.target.isSwitchboard()) {
      Thread.sleep(3000);
      return;
    }
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      String metrics = scrape(server.port);
      if (metrics == null) {
        return;
      }
      double open = 0;
      for (String line : metrics.split("\n")) {
        if (line.startsWith("switchboard_connections{")) {
          open += value(line);
        }
      }
      if (open == 0) {
        return;
      }
      Thread.sleep(200);
    }
    System.err.println("bench: the server still counts warm-up connections after " + timeoutMs
        + " ms; memory before is measured with them");
  }

  /** Switchboard's {@code /metrics} text, or null (said on stderr). */
  private static String scrape(int port) throws InterruptedException {
    try {
      HttpClient http =
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: cannot read /metrics: " + e);
      return null;
    }
  }

  /**
   * Netty's pooled allocator (direct memory it has allocated) and the JDK's direct buffers, from
   * Switchboard's Prometheus meters; -1 where a meter is missing (an older build).
   */
  private static long[] directKb(int port) {
    long[] kb = {-1, -1};
    String metrics;
    try {
      metrics = scrape(port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return kb;
    }
    if (metrics == null) {
      return kb;
    }
    for (String line : metrics.split("\n")) {
      if (line.startsWith("netty_allocator_memory_used")
          && line.contains("memory_type=\"direct\"")) {
        kb[0] = Math.max(0, kb[0]) + value(line) / 1024;
      } else if (line.startsWith("jvm_buffer_memory_used_bytes")
          && line.contains("id=\"direct\"")) {
        kb[1] = value(line) / 1024;
      }
    }
    return kb;
  }

  private static long value(String line) {
    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** The output of {@code jcmd <pid> <command>}, or null (said on stderr) when it fails. */
  private static String jcmd(long pid, String command) {
    String out = jcmdQuietly(pid, command);
    if (out == null) {
      System.err.println("bench: jcmd " + command + " failed");
    }
    return out;
  }

  /** The output of {@code jcmd <pid> <command...>}, or null when it fails. */
  private static String jcmdQuietly(long pid, String... command) {
    List<String> words = new ArrayList<>(List.of(Machine.jcmdCommand(), Long.toString(pid)));
    words.addAll(List.of(command));
    try {
      Process jcmd = new ProcessBuilder(words).redirectErrorStream(true).start();
      byte[] out = jcmd.getInputStream().readAllBytes();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        jcmd.destroyForcibly();
        return null;
      }
      return new String(out);
    } catch (IOException e) {
      System.err.println("bench: jcmd unavailable (" + e.getMessage() + ")");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}

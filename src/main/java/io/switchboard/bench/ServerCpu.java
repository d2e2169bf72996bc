package io.switchboard.bench;

import static io.switchboard.bench.IdleLoad.round;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time the server side of a target spent over one measured window: utime + stime of its
 * processes (/proc/PID/stat; a cluster's two nodes and its redis-server together), in ms and in
 * percent of one core. CPU time rather than wall time, because the machine may be shared: a
 * server that waited for the core still counts only what it ran. Resolution is one clock tick
 * (10 ms), so windows should be seconds long.
 */
final class ServerCpu {
  private final List<Long> pids;
  private final long startNanos;
  private final long startTicks;
  private final long startJitTicks;

  private ServerCpu(List<Long> pids) {
    this.pids = pids;
    this.startNanos = System.nanoTime();
    this.startTicks = ticks(pids);
    this.startJitTicks = jitTicks(pids);
  }

  /** Starts a window now; with no pids (--url) the figures are left out. */
  static ServerCpu start(List<Long> pids) {
    return new ServerCpu(pids);
  }

  private static long ticks(List<Long> pids) {
    long ticks = 0;
    for (long pid : pids) {
      ticks += Machine.processTicks(pid);
    }
    return ticks;
  }

  private static long jitTicks(List<Long> pids) {
    long ticks = 0;
    for (long pid : pids) {
      ticks += Machine.compilerTicks(pid);
    }
    return ticks;
  }

  /**
   * Waits until the JIT compiler threads of {@code pids} took under 2% of a core over a second,
   * for at most {@code maxMs}: code the load made hot has been compiled by then.
   */
  static void awaitCompilerQuiet(List<Long> pids, long maxMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
    long before = jitTicks(pids);
    while (System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      long now = jitTicks(pids);
      if ((now - before) * 1000L / Machine.TICKS_PER_SECOND < 20) {
        return;
      }
      before = now;
    }
  }

  /** CPU ms since the start. */
  long millis() {
    return (ticks(pids) - startTicks) * 1000L / Machine.TICKS_PER_SECOND;
  }

  /**
   * Ends the window: {@code serverCpuMs} and {@code serverCpuPct} (of one core) put into {@code
   * figures}, which is returned.
   */
  JsonObject stop(JsonObject figures) {
    if (pids.isEmpty()) {
      return figures;
    }
    long ms = millis();
    long jitMs = (jitTicks(pids) - startJitTicks) * 1000L / Machine.TICKS_PER_SECOND;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return figures
        .put("serverCpuMs", ms)
        .put("serverCpuPct", seconds <= 0 ? 0 : round(ms / 10.0 / seconds))
        .put("serverJitMs", jitMs)
        // part of serverCpuPct: the JIT compiling code the load made hot (a JVM not warm yet)
        .put("serverJitPct", seconds <= 0 ? 0 : round(jitMs / 10.0 / seconds))
        // what the load itself cost: a node that has run for a while compiles nothing more
        .put("serverCpuNoJitPct", seconds <= 0 ? 0 : round((ms - jitMs) / 10.0 / seconds));
  }
}

package io.switchboard.hub;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.CloseCode;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub's two periodic timers (PROTOCOL.md section 5): the heartbeat pings every session once per
 * {@code heartbeat.intervalMs}, and the reaper closes with 4408 the sessions silent for longer than
 * {@code heartbeat.timeoutMs}. Runs on the hub's event loop.
 */
final class Heartbeats {
  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);
  /**
   * The heartbeat visits one slice of the sessions per tick, so each interval's pings (and the
   * pongs they bring back) spread over the interval instead of stalling the loop all at once.
   */
  private static final int SLICES = 16;

  private final Vertx vertx;
  private final Hub hub;
  private final SwitchboardConfig config;
  private final SwitchboardMetrics metrics;
  private long heartbeatTimer = -1;
  private long reaperTimer = -1;
  private int slice;

  Heartbeats(Vertx vertx, Hub hub, SwitchboardConfig config, SwitchboardMetrics metrics) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.metrics = metrics;
  }

  void start() {
    heartbeatTimer = vertx.setPeriodic(tickMs(), id -> ping());
    reaperTimer = vertx.setPeriodic(config.reaper().intervalMs(), id -> reap());
  }

  void stop() {
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(reaperTimer);
  }

  /** The timer's period: a hub whose last tick is several periods old has a blocked loop. */
  long tickMs() {
    return Math.max(1, config.heartbeat().intervalMs() / SLICES);
  }

  private void ping() {
    hub.ticked();
    int current = slice;
    slice = (current + 1) % SLICES;
    // collected first: a ping written to a reset connection closes its session at once, which
    // takes it out of the map being iterated
    List<Session> due = new ArrayList<>();
    for (Session session : hub.sessions()) {
      if (session.heartbeatSlice(SLICES) == current) {
        due.add(session);
      }
    }
    for (Session session : due) {
      session.transport().sendHeartbeat();
    }
  }

  /** Closes with 4408 every session silent past heartbeat.timeoutMs, with its subscriptions. */
  void reap() {
    long deadline = System.currentTimeMillis() - config.heartbeat().timeoutMs();
    List<Session> silent = new ArrayList<>();
    for (Session session : hub.sessions()) {
      if (session.transport().reportsLiveness() && session.lastSeenMs() < deadline) {
        silent.add(session);
      }
    }
    for (Session session : silent) {
      metrics.reaped();
      hub.close(session, CloseCode.TIMEOUT);
    }
    if (!silent.isEmpty()) {
      log.atDebug().addKeyValue("closed", silent.size()).log("reaper closed silent sessions");
    }
  }
}

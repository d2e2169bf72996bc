package io.switchboard.transport.http;

import io.switchboard.broker.Broker;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Hubs;
import io.switchboard.metrics.SwitchboardMetrics;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /health}, {@code /ready} and {@code /metrics}: open, on the public port or, with
 * {@code http.adminPort}, only on the admin port.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  /** Null when ready. */
  private static String notReadyReason(Drain drain, Broker broker, Hubs hubs) {
    if (drain.draining()) {
      return "draining";
    }
    if (!broker.reachable()) {
      return "broker unreachable: the node cannot publish or subscribe";
    }
    int blocked = hubs.blockedLoops();
    if (blocked > 0) {
      return blocked + " event loop(s) blocked: their timers are late";
    }
    return null;
  }

  /** Ready: not draining, the broker reachable, no event loop blocked. */
  public static void mount(
      Router router,
      String nodeId,
      SwitchboardMetrics metrics,
      Drain drain,
      Broker broker,
      Hubs hubs) {
    router
        .get("/health")
        .handler(ctx -> ctx.json(new JsonObject().put("status", "ok").put("node", nodeId)));
    router
        .get("/metrics")
        .handler(ctx -> ctx.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .end(metrics.scrape()));
    router.get("/ready").handler(ctx -> {
      String reason = notReadyReason(drain, broker, hubs);
      if (reason == null) {
        ctx.json(new JsonObject().put("ready", true));
      } else {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("ready", false).put("reason", reason));
      }
    });
  }
}

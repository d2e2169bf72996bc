package io.switchboard.transport.http;

import io.switchboard.hub.NodeServices;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /health}, {@code /ready} and {@code /metrics}: open, on the public port or, with
 * {@code http.adminPort}, only on the admin port.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  /** Null when ready. */
  private static String notReadyReason(NodeServices services) {
    if (services.drain().draining()) {
      return "draining";
    }
    if (!services.broker().reachable()) {
      return "broker unreachable: the node cannot publish or subscribe";
    }
    int blocked = services.hubs().blockedLoops();
    if (blocked > 0) {
      return blocked + " event loop(s) blocked: their timers are late";
    }
    return null;
  }

  public static void mount(Router router, NodeServices services) {
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")
        .put("node", services.config().nodeId())));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(services.metrics().scrape()));
    router.get("/ready").handler(ctx -> {
      String reason = notReadyReason(services);
      if (reason == null) {
        ctx.json(new JsonObject().put("ready", true));
      } else {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("ready", false).put("reason", reason));
      }
    });
  }
}

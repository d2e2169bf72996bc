package io.switchboard.transport.http;

import io.switchboard.hub.NodeServices;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code /health} and {@code /ready}: open, on the public port or, with {@code http.adminPort},
 * only on the admin port.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  public static void mount(Router router, NodeServices services) {
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")
        .put("node", services.config().nodeId())));
    router.get("/ready").handler(ctx -> {
      if (services.drain().draining()) {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("ready", false).put("reason", "draining"));
      } else if (services.broker().reachable()) {
        ctx.json(new JsonObject().put("ready", true));
      } else {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("ready", false)
            .put("reason", "broker unreachable: the node cannot publish or subscribe"));
      }
    });
  }
}

package io.switchboard.transport.http;

import io.switchboard.hub.Drain;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/drain}: starts draining the node (not ready, no new connections, every client
 * closed with 1001 over {@code drain.windowMs}, then the process exits 0) and answers
 * {@code 202 {"draining":true}} at once, again when it was already draining. Behind
 * {@link ApiAuthHandler}, like the rest of the API.
 */
public final class DrainHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(DrainHandler.class);

  private final Drain drain;

  public DrainHandler(Drain drain) {
    this.drain = drain;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (drain.request()) {
      log.atInfo()
          .addKeyValue("caller", ctx.<String>get(ApiAuthHandler.CALLER))
          .log("drain requested over the HTTP API");
    }
    ctx.response().setStatusCode(202);
    ctx.json(new JsonObject().put("draining", true));
  }
}

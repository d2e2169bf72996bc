package io.switchboard.transport.http;

import io.switchboard.hub.Disconnects;
import io.switchboard.hub.Disconnects.DisconnectResult;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/disconnect {"user":"42"}}: closes every connection of the user with 4403 and
 * refuses their current tokens, and any token of theirs issued before now, from then on, on every
 * node ({@link io.switchboard.hub.Disconnects}). Answers {@code {"user":"42","closed":N}}; in a
 * cluster also {@code "complete"}, {@code "nodes"} and {@code "answered"}: whether every live node
 * answered in time (N counts those that did). 503 {@code unavailable} when the broker was
 * unreachable: the user was disconnected on this node only.
 */
public final class DisconnectHandler implements Handler<RoutingContext> {
  private final Disconnects disconnects;

  public DisconnectHandler(Disconnects disconnects) {
    this.disconnects = disconnects;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // the hubs answer on their own event loops; the reply must be written on the request's (the
    // server runs in strict thread mode: a response written from another thread may never leave)
    Context requestContext = ctx.vertx().getOrCreateContext();
    Future.succeededFuture()
        .compose(v -> {
          Object body = JsonBodies.read(ctx);
          if (!(body instanceof JsonObject json)
              || !(json.getValue("user") instanceof String user)
              || user.isEmpty()) {
            throw new SwitchboardException(
                ErrorCode.BAD_REQUEST, "a disconnect is {\"user\": \"<user id>\"}");
          }
          return disconnects.disconnect(user).map(DisconnectHandler::reply);
        })
        .onComplete(ar -> requestContext.runOnContext(v -> {
          if (ar.succeeded()) {
            ctx.json(ar.result());
          } else {
            ApiErrors.reply(ctx, ar.cause());
          }
        }));
  }

  private static JsonObject reply(DisconnectResult result) {
    JsonObject reply = new JsonObject().put("user", result.user()).put("closed", result.closed());
    if (result.clustered()) {
      reply
          .put("complete", result.complete())
          .put("nodes", result.nodes())
          .put("answered", result.answered());
    }
    return reply;
  }
}

package io.switchboard.transport.http;

import io.switchboard.auth.RevocationList;
import io.switchboard.hub.NodeServices;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/disconnect {"user":"42"}}: closes every connection of the user on this node
 * with 4403 and refuses their current tokens, and any token of theirs issued before now, from then
 * on. Answers {@code {"user":"42","closed":N}}.
 */
public final class DisconnectHandler implements Handler<RoutingContext> {
  private final NodeServices services;

  public DisconnectHandler(NodeServices services) {
    this.services = services;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // the hubs answer on their own event loops; the reply must be written on the request's (the
    // server runs in strict thread mode: a response written from another thread may never leave)
    Context requestContext = ctx.vertx().getOrCreateContext();
    Future.succeededFuture()
        .compose(v -> {
          Object body = JsonBodies.read(ctx);
          if (!(body instanceof JsonObject json) || !(json.getValue("user") instanceof String user)
              || user.isEmpty()) {
            throw new SwitchboardException(ErrorCode.BAD_REQUEST,
                "a disconnect is {\"user\": \"<user id>\"}");
          }
          long now = System.currentTimeMillis();
          services.revocations().revokeUser(user, now,
              now + RevocationList.DEFAULT_USER_REVOCATION_MS);
          return services.hubs().disconnect(user)
              .map(closed -> new JsonObject().put("user", user).put("closed", closed));
        })
        .onComplete(ar -> requestContext.runOnContext(v -> {
          if (ar.succeeded()) {
            ctx.json(ar.result());
          } else {
            ApiErrors.reply(ctx, ar.cause());
          }
        }));
  }
}

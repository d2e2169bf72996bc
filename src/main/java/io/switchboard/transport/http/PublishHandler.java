package io.switchboard.transport.http;

import io.switchboard.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /api/publish}: 200 {@code {"offset"}} once the broker took the message. */
public final class PublishHandler implements Handler<RoutingContext> {
  private final PublishRequests requests;

  public PublishHandler(PublishRequests requests) {
    this.requests = requests;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future.succeededFuture()
        .compose(v -> requests.publish(Principal.SERVER, JsonBodies.read(ctx)))
        .onSuccess(reply -> ctx.json(reply))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }
}

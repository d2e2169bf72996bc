package io.switchboard.transport.http;

import io.switchboard.metrics.PublishSource;
import io.switchboard.limits.CallerRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/publish}: 200 {@code {"offset"}} once the broker took the message; 429
 * {@code rate_limited} over the caller's {@code limits.apiPublishesPerSecond}. With an
 * {@code Idempotency-Key} header, a retry of a publish whose answer was lost (a timeout, a dropped
 * connection) answers the first one's offset instead of publishing it again. With a user's own
 * token the publish is that user's, as over a WebSocket: the namespace's publish policy applies
 * and the message carries the user as {@code publisher}.
 */
public final class PublishHandler implements Handler<RoutingContext> {
  private final PublishRequests requests;
  private final CallerRateLimiter rate;

  public PublishHandler(PublishRequests requests, CallerRateLimiter rate) {
    this.requests = requests;
    this.rate = rate;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // before the body is parsed, so an over-limit caller costs little
    if (!rate.tryTake(ApiCaller.of(ctx))) {
      ApiErrors.reply(ctx, ApiRateLimits.exceeded(rate));
      return;
    }
    Future.succeededFuture()
        .compose(v -> requests.publish(ApiCaller.principal(ctx), JsonBodies.read(ctx),
            PublishSource.HTTP,
            PublishRequests.idempotencyKey("http-" + ApiCaller.of(ctx),
                ctx.request().getHeader(PublishRequests.IDEMPOTENCY_KEY))))
        .onSuccess(reply -> ctx.json(reply))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }
}

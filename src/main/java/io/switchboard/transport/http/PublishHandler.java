package io.switchboard.transport.http;

import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.metrics.PublishSource;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/publish}: 200 {@code {"offset"}} once the broker took the message; 429
 * {@code rate_limited} over the caller's {@code limits.apiPublishesPerSecond}, or when the message
 * would create a channel past the caller's {@code limits.newChannelsPerSecond}. With an
 * {@code Idempotency-Key} header, a retry of a publish whose answer was lost (a timeout, a dropped
 * connection) answers the first one's offset instead of publishing it again. With a user's own
 * token the publish is that user's, as over a WebSocket: the namespace's publish policy applies
 * and the message carries the user as {@code publisher}.
 */
public final class PublishHandler implements Handler<RoutingContext> {
  private final PublishRequests requests;
  private final CallerRateLimiter rate;
  private final CallerRateLimiter newChannels;

  public PublishHandler(
      PublishRequests requests, CallerRateLimiter rate, CallerRateLimiter newChannels) {
    this.requests = requests;
    this.rate = rate;
    this.newChannels = newChannels;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // before the body is parsed, so an over-limit caller costs little
    String caller = ApiCaller.of(ctx);
    if (!rate.tryTake(caller)) {
      ApiErrors.reply(ctx, ApiRateLimits.exceeded(rate));
      return;
    }
    Future.succeededFuture()
        .compose(v -> requests.publish(
            ApiCaller.principal(ctx),
            JsonBodies.read(ctx),
            PublishSource.HTTP,
            PublishRequests.idempotencyKey(
                "http-" + caller, ctx.request().getHeader(PublishRequests.IDEMPOTENCY_KEY)),
            newChannels.creationsOf(caller)))
        .onSuccess(reply -> ctx.json(reply))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }
}

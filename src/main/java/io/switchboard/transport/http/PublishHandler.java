package io.switchboard.transport.http;

import io.switchboard.metrics.PublishSource;
import io.switchboard.auth.Principal;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/publish}: 200 {@code {"offset"}} once the broker took the message; 429
 * {@code rate_limited} over the caller's {@code limits.apiPublishesPerSecond}. With an
 * {@code Idempotency-Key} header, a retry of a publish whose answer was lost (a timeout, a dropped
 * connection) answers the first one's offset instead of publishing it again.
 */
public final class PublishHandler implements Handler<RoutingContext> {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** Printable ASCII without spaces, as the key becomes part of a Redis key. */
  private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[!-~]{1,128}");

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
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key != null && !KEY.matcher(key).matches()) {
      ApiErrors.reply(ctx, new SwitchboardException(ErrorCode.BAD_REQUEST,
          IDEMPOTENCY_KEY + " must be 1 to 128 printable ASCII characters without spaces"));
      return;
    }
    Future.succeededFuture()
        .compose(v -> requests.publish(Principal.SERVER, JsonBodies.read(ctx), PublishSource.HTTP,
            // per caller: two services that pick the same key do not swallow each other's messages
            key == null ? null : "http-" + ApiCaller.of(ctx) + "-" + key))
        .onSuccess(reply -> ctx.json(reply))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }
}

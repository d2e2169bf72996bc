package io.switchboard.transport.http;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * First handler of {@code /api/*} and {@code /sse}: refuses a disallowed {@code Origin} with 403
 * {@code forbidden} (refusing, not only leaving out the CORS headers, because a browser sends a
 * simple cross-origin POST without asking first), and lets vertx-web's {@link CorsHandler} answer
 * preflights and add the CORS headers to allowed cross-origin requests.
 */
public final class OriginHandler implements Handler<RoutingContext> {
  private final OriginPolicy policy;
  private final CorsHandler cors;

  public OriginHandler(OriginPolicy policy) {
    this.policy = policy;
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of(
            "Content-Type", "Authorization", "Last-Event-ID", PublishRequests.IDEMPOTENCY_KEY));
    if (!policy.allowsAny()) {
      // no origin added means "*" to CorsHandler; only reached for origins the policy allowed
      cors.addOrigins(policy.listed());
    }
    this.cors = cors;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    String host = host(ctx);
    if (origin == null || OriginPolicy.sameOrigin(origin, host)) {
      ctx.next();
    } else if (policy.allows(origin, host)) {
      cors.handle(ctx);
    } else {
      ApiErrors.reply(
          ctx,
          new SwitchboardException(
              ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed (http.allowedOrigins)"));
    }
  }

  static String host(RoutingContext ctx) {
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    return host != null || ctx.request().authority() == null
        ? host
        : ctx.request().authority().toString();
  }
}

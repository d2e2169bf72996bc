package io.switchboard.transport.http;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * Decodes the query string once, before any handler of ours: a malformed one ({@code ?since=%ZZ})
 * is answered {@code bad_request} here, rather than thrown by whichever handler reads a parameter
 * first. Handlers read parameters through Vert.x's request and through vertx-web's context, which
 * decode separately; both are asked here, and both keep what they decoded.
 */
final class QueryStringHandler implements Handler<RoutingContext> {
  @Override
  public void handle(RoutingContext ctx) {
    try {
      ctx.request().params();
      ctx.queryParams();
    } catch (IllegalArgumentException | HttpException e) {
      ApiErrors.reply(
          ctx,
          new SwitchboardException(
              ErrorCode.BAD_REQUEST,
              "the query string is not valid: a %-escape must be two hex digits of UTF-8"));
      return;
    }
    ctx.next();
  }
}

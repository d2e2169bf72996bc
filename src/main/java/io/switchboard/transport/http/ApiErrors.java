package io.switchboard.transport.http;

import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into the JSON error replies of the HTTP API: {@code {"code","message","errors"}}
 * with the status of the error code. Also the router's failure handler.
 */
public final class ApiErrors implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  public static void reply(RoutingContext ctx, Throwable failure) {
    if (!(failure instanceof SwitchboardException)) {
      log.atError().addKeyValue("path", ctx.request().path()).setCause(failure)
          .log("internal error while answering a request");
    }
    SwitchboardException error = SwitchboardException.from(failure);
    count(ctx, error.code());
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response().setStatusCode(error.code().httpStatus())
        .putHeader("Content-Type", "application/json")
        .end(error.toJson().encode());
  }

  /** Routes put the node's metrics in each request's context (see Routes), as handlers are static. */
  public static final String METRICS = "switchboard.metrics";

  private static void count(RoutingContext ctx, ErrorCode code) {
    SwitchboardMetrics metrics = ctx.get(METRICS);
    if (metrics != null) {
      metrics.error("http", code);
    }
  }

  /** The router's failure handler: statuses vertx-web set (413 from the body limit, 404...). */
  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.failure() != null) {
      reply(ctx, ctx.failure());
      return;
    }
    int status = ctx.statusCode();
    ErrorCode code = switch (status) {
      case 413 -> ErrorCode.TOO_LARGE;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
    };
    String message = status == 413 ? "request body is larger than limits.maxBodyBytes"
        : status == 404 ? "no such endpoint" : "request failed with status " + status;
    SwitchboardException error = new SwitchboardException(code, message);
    count(ctx, code);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(error.toJson().encode());
  }
}

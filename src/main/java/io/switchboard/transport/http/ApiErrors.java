package io.switchboard.transport.http;

import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * Turns failures into the JSON error replies of the HTTP API: {@code {"code","message","errors"}}
 * with the status of the error code. Also the router's failure handler.
 */
public final class ApiErrors implements Handler<RoutingContext> {

  public static void reply(RoutingContext ctx, Throwable failure) {
    reply(ctx, failure, "http");
  }

  /** {@code transport}: the metrics label, for routes that are not the HTTP API (SSE). */
  public static void reply(RoutingContext ctx, Throwable failure, String transport) {
    SwitchboardException error = SwitchboardException.from(
        failure, ctx.request().method() + " " + ctx.request().path());
    count(ctx.get(METRICS), transport, error.code());
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx.response(), error.code().httpStatus(), error);
  }

  /** Routes put the node's metrics in each request's context (see Routes), as handlers are static. */
  public static final String METRICS = "switchboard.metrics";

  private static void count(SwitchboardMetrics metrics, String transport, ErrorCode code) {
    if (metrics != null) {
      metrics.error(transport, code);
    }
  }

  /**
   * The router's failure handler: statuses vertx-web set (413 from the body limit, 404, 400 for a
   * request without Host...), also with the exception saying why, its {@link HttpException}s for
   * requests it could not read (400), and failures of our handlers.
   */
  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    if (failure == null || (status >= 400 && status < 500)) {
      status(ctx.response(), status, ctx.get(METRICS));
    } else {
      reply(ctx, failure);
    }
  }

  /**
   * A reply for a status Vert.x or vertx-web chose, before or instead of our handlers: 413 (body
   * limit), 414 and 431 (request line, headers: see {@link InvalidRequests}), 404, 400 (a request
   * it could not decode, such as a bad %-escape).
   */
  static void status(HttpServerResponse response, int status, SwitchboardMetrics metrics) {
    ErrorCode code = switch (status) {
      case 413, 414, 431 -> ErrorCode.TOO_LARGE;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
    };
    String message = switch (status) {
      case 400 -> "malformed request (a bad %-escape in the path or query?)";
      case 404 -> "no such endpoint";
      case 413 -> "request body is larger than limits.maxBodyBytes";
      case 414 -> "request line is too long";
      case 431 -> "request headers are too large";
      default -> "request failed with status " + status;
    };
    count(metrics, "http", code);
    send(response, status, new SwitchboardException(code, message));
  }

  private static void send(HttpServerResponse response, int status, SwitchboardException error) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(error.toJson().encode());
  }
}

package io.switchboard.transport.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.switchboard.metrics.SwitchboardMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The server's handler for requests Netty could not decode (a request line over 4096 bytes,
 * headers over 8192, garbage): answered with the JSON error body every other refusal has, rather
 * than Vert.x's empty one, then the connection is closed, as Vert.x's default does: the rest of
 * the stream cannot be trusted to be where the next request starts.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {
  private final SwitchboardMetrics metrics;

  public InvalidRequests(SwitchboardMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException
        ? 414
        : cause instanceof TooLongHttpHeaderException
            ? 431
            : cause instanceof TooLongFrameException ? 413 : 400;
    ApiErrors.status(request.response(), status, metrics);
    request.connection().close();
  }
}

package io.switchboard.transport.http;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.InboundJson;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** Reads a request body as JSON ({@link InboundJson}'s rules), or fails with {@code bad_request}. */
final class JsonBodies {
  private JsonBodies() {}

  static Object read(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, "request body is empty");
    }
    return InboundJson.decode(body, "request body");
  }
}

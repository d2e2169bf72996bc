package io.switchboard.transport.http;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;

/** Reads a request body as JSON, or fails with {@code bad_request}. */
final class JsonBodies {
  private JsonBodies() {}

  static Object read(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, "request body is empty");
    }
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, "request body is not valid JSON");
    }
  }
}

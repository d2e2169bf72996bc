package io.switchboard.transport.bus;

import io.switchboard.auth.Principal;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.http.PublishRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Address {@code switchboard.publish}: a request {@code {"channel","data"}} is published exactly as
 * the HTTP API would; the reply is {@code {"offset"}}, a failure has the error code's wire name as
 * its message and its HTTP status as failure code (PROTOCOL.md section 9). One consumer per node.
 * A message header {@code Idempotency-Key} works as on the HTTP API: a retry answers the first
 * publish's offset and is not published again.
 */
public final class PublishConsumer {
  public static final String ADDRESS = "switchboard.publish";

  private final PublishRequests requests;

  public PublishConsumer(PublishRequests requests) {
    this.requests = requests;
  }

  public Future<Void> register(Vertx vertx) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(ADDRESS, this::handle);
    return consumer.completion();
  }

  private void handle(Message<Object> message) {
    Future.succeededFuture()
        .compose(v -> requests.publish(Principal.SERVER, bodyOf(message.body()),
            PublishSource.BUS, PublishRequests.idempotencyKey("bus",
                message.headers().get(PublishRequests.IDEMPOTENCY_KEY)),
            // code inside the node's JVM is the server itself: it creates channels freely
            ChannelCreations.UNLIMITED))
        .onSuccess(message::reply)
        .onFailure(err -> {
          SwitchboardException error = SwitchboardException.from(err);
          message.fail(error.code().httpStatus(), error.code().wireName());
        });
  }

  /** Accepts a JsonObject, or JSON text as a String or Buffer (for non-Java senders). */
  private static Object bodyOf(Object body) {
    try {
      if (body instanceof String text) {
        return Json.decodeValue(text);
      }
      if (body instanceof Buffer buffer) {
        return Json.decodeValue(buffer);
      }
    } catch (DecodeException e) {
      // the sender's mistake, as on the HTTP API, not an internal error
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, "request body is not valid JSON");
    }
    return body instanceof JsonObject ? body : String.valueOf(body);
  }
}

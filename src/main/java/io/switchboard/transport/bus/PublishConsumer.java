package io.switchboard.transport.bus;

import io.switchboard.auth.Principal;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.InboundJson;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.http.PublishRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Address {@code switchboard.publish}: a request {@code {"channel","data"}} is published exactly as
 * the HTTP API would; the reply is {@code {"offset"}}, a failure has the error code's wire name as
 * its message and its HTTP status as failure code (PROTOCOL.md section 9). One consumer per node.
 * A message header {@code Idempotency-Key} works as on the HTTP API: a retry answers the first
 * publish's offset and is not published again. Bodies follow the HTTP API's rules too: the
 * {@link InboundJson} rules, and a String or Buffer body of at most {@code limits.maxBodyBytes}
 * bytes of UTF-8 ({@code too_large}, 413, beyond).
 */
public final class PublishConsumer {
  public static final String ADDRESS = "switchboard.publish";
  private static final String WHAT = "request body";

  private final PublishRequests requests;
  private final SwitchboardMetrics metrics;
  private final int maxBodyBytes;

  public PublishConsumer(PublishRequests requests, SwitchboardMetrics metrics, int maxBodyBytes) {
    this.requests = requests;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Future<Void> register(Vertx vertx) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(ADDRESS, this::handle);
    return consumer.completion();
  }

  private void handle(Message<Object> message) {
    Future.succeededFuture()
        .compose(v -> requests.publish(
            Principal.SERVER,
            bodyOf(message.body()),
            PublishSource.BUS,
            PublishRequests.idempotencyKey(
                "bus", message.headers().get(PublishRequests.IDEMPOTENCY_KEY)),
            // code inside the node's JVM is the server itself: it creates channels freely
            ChannelCreations.UNLIMITED))
        .onSuccess(message::reply)
        .onFailure(err -> {
          SwitchboardException error = SwitchboardException.from(err, "bus " + ADDRESS);
          metrics.error("bus", error.code());
          message.fail(error.code().httpStatus(), error.code().wireName());
        });
  }

  /**
   * A JsonObject, or JSON text as a String or Buffer (for non-Java senders); anything else is
   * handed on as text, which the request schema refuses.
   */
  private Object bodyOf(Object body) {
    if (body instanceof Buffer buffer) {
      return InboundJson.decode(buffer, WHAT, maxBodyBytes);
    }
    if (body instanceof String text) {
      return InboundJson.decode(text, WHAT, maxBodyBytes);
    }
    if (body instanceof JsonObject json) {
      return InboundJson.reparse(json, WHAT);
    }
    return String.valueOf(body);
  }
}

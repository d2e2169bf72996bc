package io.switchboard.transport.http;

import io.switchboard.auth.Principal;
import io.switchboard.hub.Publisher;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FieldError;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A server-side publish request ({@code {"channel","data"}}): the HTTP API, each batch item and the
 * event bus share this check-then-publish step, so they behave alike.
 */
public final class PublishRequests {
  private final ProtocolSchema schema;
  private final Publisher publisher;

  /** The header (HTTP) and message header (event bus) that makes a retried publish safe. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** Printable ASCII without spaces, as the key becomes part of a Redis key. */
  private static final Pattern KEY = Pattern.compile("[!-~]{1,128}");

  /**
   * The broker's idempotency key for a caller's {@code Idempotency-Key}, scoped so two callers
   * that pick the same key do not swallow each other's messages; null without one.
   */
  public static String idempotencyKey(String scope, String key) {
    if (key == null) {
      return null;
    }
    if (!KEY.matcher(key).matches()) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST,
          IDEMPOTENCY_KEY + " must be 1 to 128 printable ASCII characters without spaces");
    }
    return scope + "-" + key;
  }

  public PublishRequests(ProtocolSchema schema, Publisher publisher) {
    this.schema = schema;
    this.publisher = publisher;
  }

  /**
   * Completes with {@code {"offset": ...}}, or fails with a {@link SwitchboardException}.
   *
   * @param idempotencyKey null, or the scoped key of {@link #idempotencyKey}: a repeat answers the
   *     first publish's offset, published once
   * @param creations the caller's budget of new channels ({@link ChannelCreations#UNLIMITED} for
   *     the server's own paths)
   */
  public Future<JsonObject> publish(
      Principal who,
      Object body,
      PublishSource source,
      String idempotencyKey,
      ChannelCreations creations) {
    List<FieldError> errors = schema.validatePublishRequest(body);
    if (!errors.isEmpty()) {
      return Future.failedFuture(new SwitchboardException(
          ErrorCode.BAD_REQUEST,
          "a publish request is {\"channel\": \"...\", \"data\": ...}",
          errors));
    }
    JsonObject request = (JsonObject) body;
    return publisher
        .publish(
            who,
            request.getString("channel"),
            request.getValue("data"),
            source,
            idempotencyKey,
            creations)
        .map(position -> new JsonObject().put("offset", position.encode()));
  }
}

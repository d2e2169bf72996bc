package io.switchboard.protocol;

import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Turns client text frames into {@link ClientFrame}s, validating them against the protocol schema. */
public final class FrameCodec {
  /**
   * Every connection answers every heartbeat with exactly this text, so it is by far the most
   * common frame; recognising it spares a JSON parse and a schema validation per connection per
   * heartbeat. Any other spelling takes the general path.
   */
  private static final String PLAIN_PONG = "{\"type\":\"pong\"}";
  private static final ClientFrame.Pong PONG = new ClientFrame.Pong(null);

  private final ProtocolSchema schema;

  public FrameCodec(ProtocolSchema schema) {
    this.schema = schema;
  }

  /** Whether {@code text} is exactly the plain heartbeat answer (no parse needed to tell). */
  public static boolean isPlainPong(String text) {
    return PLAIN_PONG.equals(text);
  }

  public ClientFrame decode(String text) {
    if (isPlainPong(text)) {
      return PONG;
    }
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      return invalid(null, ErrorCode.BAD_REQUEST, "frame is not valid JSON");
    }
    if (!(value instanceof JsonObject json)) {
      return invalid(null, ErrorCode.BAD_REQUEST, "frame must be a JSON object");
    }
    Long id = json.getValue("id") instanceof Number n && isIntegral(n) ? n.longValue() : null;
    Object type = json.getValue("type");
    if (!(type instanceof String typeName)) {
      return invalid(id, ErrorCode.BAD_REQUEST, "frame needs a string \"type\"");
    }
    if (!schema.knowsClientType(typeName)) {
      return invalid(id, ErrorCode.UNKNOWN_TYPE, "unknown frame type \"" + typeName + "\"");
    }
    List<FieldError> errors = schema.validateClientFrame(typeName, json);
    if (!errors.isEmpty()) {
      return new ClientFrame.Invalid(id, new SwitchboardException(ErrorCode.BAD_REQUEST,
          "invalid \"" + typeName + "\" frame", errors));
    }
    return toFrame(typeName, id, json);
  }

  private static ClientFrame toFrame(String type, Long id, JsonObject json) {
    switch (type) {
      case "auth":
        return new ClientFrame.Auth(id, json.getString("token"));
      case "subscribe":
        return new ClientFrame.Subscribe(id, json.getString("channel"), json.getString("since"));
      case "unsubscribe":
        return new ClientFrame.Unsubscribe(id, json.getString("channel"));
      case "publish":
        return new ClientFrame.Publish(id, json.getString("channel"), json.getValue("data"));
      case "history":
        return new ClientFrame.History(id, json.getString("channel"), json.getString("since"),
            json.getInteger("limit"));
      case "presence":
        return new ClientFrame.Presence(id, json.getString("channel"));
      case "ping":
        return new ClientFrame.Ping(id);
      case "pong":
        return new ClientFrame.Pong(id);
      default:
        // knowsClientType() and the schema's $defs list the same types; reaching this is a bug.
        throw new IllegalStateException("no decoder for frame type " + type);
    }
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Integer || n instanceof Long
        || (n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue()));
  }

  private static ClientFrame invalid(Long id, ErrorCode code, String message) {
    return new ClientFrame.Invalid(id, new SwitchboardException(code, message));
  }
}

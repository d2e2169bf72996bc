package io.switchboard.protocol;

import io.switchboard.validation.ProtocolSchema;
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
      value = InboundJson.decode(text, "frame");
    } catch (SwitchboardException e) {
      return new ClientFrame.Invalid(null, e);
    }
    if (!(value instanceof JsonObject json)) {
      return invalid(null, ErrorCode.BAD_REQUEST, "frame must be a JSON object");
    }
    Long id = idOf(json.getValue("id"));
    Object type = json.getValue("type");
    if (!(type instanceof String typeName)) {
      return invalid(id, ErrorCode.BAD_REQUEST, "frame needs a string \"type\"");
    }
    if (!schema.knowsClientType(typeName)) {
      return invalid(id, ErrorCode.UNKNOWN_TYPE, "unknown frame type \"" + typeName + "\"");
    }
    List<FieldError> errors = schema.validateClientFrame(typeName, json);
    if (!errors.isEmpty()) {
      return new ClientFrame.Invalid(
          id,
          new SwitchboardException(
              ErrorCode.BAD_REQUEST, "invalid \"" + typeName + "\" frame", errors));
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
        return new ClientFrame.History(
            id, json.getString("channel"), json.getString("since"), json.getInteger("limit"));
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

  /**
   * The id to echo: only one the schema accepts (an integer of at most 2^53 - 1 in magnitude, which
   * every client language holds exactly), so an error never carries a truncated or rounded id
   * that could match another request.
   */
  private static Long idOf(Object value) {
    if (!(value instanceof Number n)) {
      return null;
    }
    double d = n.doubleValue();
    return d == Math.rint(d) && Math.abs(d) <= MAX_ID ? n.longValue() : null;
  }

  /** Largest id magnitude: JavaScript's Number.MAX_SAFE_INTEGER, as in client-frame.schema.json. */
  static final long MAX_ID = (1L << 53) - 1;

  private static ClientFrame invalid(Long id, ErrorCode code, String message) {
    return new ClientFrame.Invalid(id, new SwitchboardException(code, message));
  }
}

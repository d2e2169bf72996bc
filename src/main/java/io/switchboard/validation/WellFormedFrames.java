package io.switchboard.validation;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * Recognises the client frames that are plainly valid, so the common frame skips the schema
 * validator: a JFR profile of connects showed it was a quarter of a WebSocket's connect (upgrade,
 * welcome, subscribe, ack) on the event loop. It only ever says yes to a frame
 * {@code client-frame.schema.json} accepts; anything unusual (an id written {@code 1.0}, a missing
 * field, an extra one) gets "not sure" and goes through the validator, so what is refused, and the
 * error it gets, come from the schema alone. WellFormedFramesTest runs every case through both and
 * fails if this ever accepts what the schema refuses.
 */
final class WellFormedFrames {
  /** client-frame.schema.json {@code $defs/id}: JavaScript's Number.MAX_SAFE_INTEGER. */
  private static final long MAX_ID = (1L << 53) - 1;

  private static final int MAX_CHANNEL_LENGTH = 255;
  private static final int MAX_OFFSET_LENGTH = 200;
  private static final int MAX_TOKEN_LENGTH = 16384;
  private static final int MAX_HISTORY_LIMIT = 1000;

  /** The fields each frame type may carry (the schema's additionalProperties: false). */
  private static final Map<String, Set<String>> FIELDS = Map.of(
      "auth", Set.of("type", "id", "token"),
      "subscribe", Set.of("type", "id", "channel", "since"),
      "unsubscribe", Set.of("type", "id", "channel"),
      "publish", Set.of("type", "id", "channel", "data"),
      "history", Set.of("type", "id", "channel", "since", "limit"),
      "presence", Set.of("type", "id", "channel"),
      "ping", Set.of("type", "id"),
      "pong", Set.of("type", "id"));

  private WellFormedFrames() {}

  /**
   * True only if the schema accepts {@code frame}, whose {@code type} is {@code type}; false when
   * unsure.
   */
  static boolean plainlyValid(String type, JsonObject frame) {
    Set<String> allowed = FIELDS.get(type);
    if (allowed == null) {
      return false;
    }
    for (String field : frame.fieldNames()) {
      // an explicit null is no field's type: left to the validator, as an unknown field
      if (!allowed.contains(field) || frame.getValue(field) == null) {
        return false;
      }
    }
    if (!type.equals(frame.getValue("type")) || !idOk(frame.getValue("id"))) {
      return false;
    }
    switch (type) {
      case "auth":
        return stringOf(frame.getValue("token"), MAX_TOKEN_LENGTH);
      case "subscribe":
        return channelOk(frame.getValue("channel")) && optionalOffsetOk(frame.getValue("since"));
      case "history":
        return channelOk(frame.getValue("channel"))
            && optionalOffsetOk(frame.getValue("since"))
            && limitOk(frame.getValue("limit"));
      case "unsubscribe":
      case "presence":
        return channelOk(frame.getValue("channel"));
      case "publish":
        // data may be any JSON value but null (see above), and must be there
        return channelOk(frame.getValue("channel")) && frame.containsKey("data");
      default: // ping, pong: type and id only
        return true;
    }
  }

  private static boolean idOk(Object id) {
    if (id == null) {
      return true;
    }
    // other spellings (1.0, a BigInteger) are the validator's to judge
    return (id instanceof Integer || id instanceof Long)
        && Math.abs(((Number) id).longValue()) <= MAX_ID;
  }

  /** {@code $defs/channel}: {@code ^[A-Za-z0-9_\-:.@/=]{1,255}$}. */
  private static boolean channelOk(Object value) {
    if (!(value instanceof String channel)
        || channel.isEmpty()
        || channel.length() > MAX_CHANNEL_LENGTH) {
      return false;
    }
    for (int i = 0; i < channel.length(); i++) {
      char c = channel.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-'
          || c == ':'
          || c == '.'
          || c == '@'
          || c == '/'
          || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean optionalOffsetOk(Object value) {
    return value == null || stringOf(value, MAX_OFFSET_LENGTH);
  }

  private static boolean limitOk(Object value) {
    if (value == null) {
      return true;
    }
    return value instanceof Integer limit && limit >= 1 && limit <= MAX_HISTORY_LIMIT;
  }

  /**
   * A string of 1 to {@code max} code points: checked on UTF-16 units, of which a string has at
   * least as many as code points, so a yes here is a yes of the schema's minLength/maxLength.
   */
  private static boolean stringOf(Object value, int max) {
    return value instanceof String s && !s.isEmpty() && s.length() <= max;
  }
}

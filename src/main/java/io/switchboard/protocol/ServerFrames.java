package io.switchboard.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Encoders for the server-to-client control frames of PROTOCOL.md section 3. */
public final class ServerFrames {
  public static final String PING = "{\"type\":\"ping\"}";

  private ServerFrames() {}

  public static String welcome(String session, String user, String node, long heartbeatMs) {
    // spliced rather than built as a JsonObject: one per connect, and JFR showed the generator;
    // the strings are escaped by Jackson, as JsonObject.encode would
    StringBuilder out = new StringBuilder(128);
    out.append("{\"type\":\"welcome\",\"session\":");
    quoted(out, session).append(",\"user\":");
    quoted(out, user).append(",\"node\":");
    return quoted(out, node)
        .append(",\"heartbeat\":")
        .append(heartbeatMs)
        .append('}')
        .toString();
  }

  /**
   * Spliced like {@link #history}, one per subscribe: channel names (checked against the channel
   * pattern before any ack) and offsets (ours) hold no character JSON escapes.
   */
  public static String ack(Long id, String channel, String offset, Boolean recovered) {
    StringBuilder out = new StringBuilder(64 + channel.length());
    out.append("{\"type\":\"ack\"");
    if (id != null) {
      out.append(",\"id\":").append(id);
    }
    out.append(",\"channel\":\"").append(channel).append('"');
    if (offset != null) {
      out.append(",\"offset\":\"").append(offset).append('"');
    }
    if (recovered != null) {
      out.append(",\"recovered\":").append(recovered);
    }
    return out.append('}').toString();
  }

  private static StringBuilder quoted(StringBuilder out, String text) {
    if (text == null) {
      return out.append("null");
    }
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    return out.append('"');
  }

  public static String ack(Long id) {
    return reply("ack", id).encode();
  }

  public static String pong(Long id) {
    return reply("pong", id).encode();
  }

  public static String error(Long id, SwitchboardException error) {
    JsonObject json = reply("error", id);
    json.mergeIn(error.toJson());
    return json.encode();
  }

  public static String history(
      Long id, String channel, List<String> messages, String offset, boolean complete) {
    // messages are already-encoded message frames: splice them in rather than re-parse them
    StringBuilder out =
        new StringBuilder(64 + messages.stream().mapToInt(String::length).sum());
    out.append("{\"type\":\"history\"");
    if (id != null) {
      out.append(",\"id\":").append(id);
    }
    out.append(",\"channel\":\"").append(channel).append("\",\"messages\":[");
    for (int i = 0; i < messages.size(); i++) {
      out.append(i == 0 ? "" : ",").append(messages.get(i));
    }
    return out.append("],\"offset\":\"")
        .append(offset)
        .append("\",\"complete\":")
        .append(complete)
        .append('}')
        .toString();
  }

  public static String presence(Long id, String channel, JsonArray users) {
    return reply("presence", id).put("channel", channel).put("users", users).encode();
  }

  public static String channelEvent(String type, String channel, String user) {
    return new JsonObject()
        .put("type", type)
        .put("channel", channel)
        .put("user", user)
        .encode();
  }

  public static String gap(String channel, String offset) {
    return new JsonObject()
        .put("type", "gap")
        .put("channel", channel)
        .put("offset", offset)
        .encode();
  }

  private static JsonObject reply(String type, Long id) {
    JsonObject json = new JsonObject().put("type", type);
    if (id != null) {
      json.put("id", id);
    }
    return json;
  }
}

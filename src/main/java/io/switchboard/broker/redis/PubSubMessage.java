package io.switchboard.broker.redis;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import java.nio.charset.StandardCharsets;

/**
 * What travels on a channel's pub/sub channel: a publication (written by publish.lua) or a
 * join/leave. A publication is a header line and then the publisher and the data as they are, so
 * neither is escaped or parsed on the hot path:
 *
 * <pre>
 *   m {offset} {epoch} {ts} {publisher byte length, -1 for none}\n{publisher}{data}
 *   e join {user}
 *   e leave {user}
 * </pre>
 */
final class PubSubMessage {
  private PubSubMessage() {}

  static String event(ChannelEvent event) {
    return "e " + event.kind().wireName() + " " + event.user();
  }

  /** A {@link Publication} or {@link ChannelEvent}; null for anything else (logged by the caller). */
  static Object decode(String channel, byte[] payload) {
    if (payload.length < 2 || payload[1] != ' ') {
      return null;
    }
    if (payload[0] == 'e') {
      String text = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
      for (ChannelEvent.Kind kind : ChannelEvent.Kind.values()) {
        if (text.startsWith(kind.wireName() + " ")) {
          return new ChannelEvent(channel, kind, text.substring(kind.wireName().length() + 1));
        }
      }
      return null;
    }
    if (payload[0] != 'm') {
      return null;
    }
    int newline = indexOf(payload, (byte) '\n', 2);
    if (newline < 0) {
      return null;
    }
    String[] header = new String(payload, 2, newline - 2, StandardCharsets.US_ASCII).split(" ");
    if (header.length != 4) {
      return null;
    }
    try {
      long offset = Long.parseLong(header[0]);
      long ts = Long.parseLong(header[2]);
      int publisherLength = Integer.parseInt(header[3]);
      int dataStart = newline + 1 + Math.max(0, publisherLength);
      if (dataStart > payload.length) {
        return null;
      }
      String publisher = publisherLength < 0 ? null
          : new String(payload, newline + 1, publisherLength, StandardCharsets.UTF_8);
      String data = new String(payload, dataStart, payload.length - dataStart,
          StandardCharsets.UTF_8);
      return new Publication(channel, new StreamPosition(offset, header[1]), ts, publisher, data);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}

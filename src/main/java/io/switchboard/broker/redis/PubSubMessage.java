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
 *
 * <p>Decoding gives one of three kinds, anything unreadable being {@link Malformed} rather than
 * null. Each kind calls its own {@link Receiver} method ({@link #deliverTo}): double dispatch,
 * because Java 17 has no pattern matching in {@code switch}, so a new kind cannot be left
 * unhandled without the compiler noticing.
 */
sealed interface PubSubMessage
    permits PubSubMessage.Published, PubSubMessage.Event, PubSubMessage.Malformed {

  /** Handles each kind of message; runs on the pub/sub link's context. */
  interface Receiver {
    void publication(Publication publication);

    void event(ChannelEvent event);

    void malformed(String reason);
  }

  void deliverTo(Receiver receiver);

  record Published(Publication publication) implements PubSubMessage {
    @Override
    public void deliverTo(Receiver receiver) {
      receiver.publication(publication);
    }
  }

  record Event(ChannelEvent event) implements PubSubMessage {
    @Override
    public void deliverTo(Receiver receiver) {
      receiver.event(event);
    }
  }

  record Malformed(String reason) implements PubSubMessage {
    @Override
    public void deliverTo(Receiver receiver) {
      receiver.malformed(reason);
    }
  }

  static String encode(ChannelEvent event) {
    return "e " + event.kind().wireName() + " " + event.user();
  }

  static PubSubMessage decode(String channel, byte[] payload) {
    if (payload.length < 2 || payload[1] != ' ') {
      return new Malformed("no kind");
    }
    if (payload[0] == 'e') {
      String text = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
      for (ChannelEvent.Kind kind : ChannelEvent.Kind.values()) {
        if (text.startsWith(kind.wireName() + " ")) {
          return new Event(
              new ChannelEvent(channel, kind, text.substring(kind.wireName().length() + 1)));
        }
      }
      return new Malformed("unknown event");
    }
    if (payload[0] != 'm') {
      return new Malformed("unknown kind");
    }
    int newline = indexOf(payload, (byte) '\n', 2);
    if (newline < 0) {
      return new Malformed("no header line");
    }
    String[] header = new String(payload, 2, newline - 2, StandardCharsets.US_ASCII).split(" ");
    if (header.length != 4) {
      return new Malformed("header of " + header.length + " fields");
    }
    try {
      long offset = Long.parseLong(header[0]);
      long ts = Long.parseLong(header[2]);
      int publisherLength = Integer.parseInt(header[3]);
      int dataStart = newline + 1 + Math.max(0, publisherLength);
      if (dataStart > payload.length) {
        return new Malformed("publisher longer than the message");
      }
      String publisher = publisherLength < 0
          ? null
          : new String(payload, newline + 1, publisherLength, StandardCharsets.UTF_8);
      String data =
          new String(payload, dataStart, payload.length - dataStart, StandardCharsets.UTF_8);
      return new Published(
          new Publication(channel, new StreamPosition(offset, header[1]), ts, publisher, data));
    } catch (NumberFormatException e) {
      return new Malformed("not a number in the header");
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

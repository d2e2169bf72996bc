package io.switchboard.transport.sse;

import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * The SSE bytes of the batch the hub is delivering, encoded once per event loop rather than once
 * per stream, as WebSocket frames are: the hub hands one {@link MessageBatch} to every stream of
 * the channel in turn, so remembering the last one serves them all. A stream of that channel alone
 * (the common case) gets the whole batch, {@code id:} lines included, as one shared buffer; a
 * stream of several channels has its own {@code id:} tokens and shares the rest of each event.
 *
 * <p>One per event loop (per {@link SseHandler}), used by its streams' transports on that loop
 * only: no locks. A written {@link Buffer} is not consumed (Vert.x writes a slice of its bytes), so
 * one buffer serves every response.
 */
final class SharedEvents {
  private MessageBatch batch;
  private Buffer oneChannel;
  private Buffer[] tails;

  /**
   * The batch as a stream following only its channel receives it: per message,
   * {@code id: <token of that one offset>}, then {@link #tail}.
   */
  Buffer ofOneChannel(MessageBatch messages) {
    remember(messages);
    if (oneChannel == null) {
      List<OutboundMessage> list = messages.messages();
      Buffer out = Buffer.buffer(list.size() * 256);
      for (int i = 0; i < list.size(); i++) {
        OutboundMessage message = list.get(i);
        out.appendString(idLine(ResumeToken.encode(Map.of(message.channel(), message.offset()))))
            .appendBuffer(tail(messages, i));
      }
      oneChannel = out;
    }
    return oneChannel;
  }

  /** {@code event: message}, the {@code data:} line and the blank line ending the event. */
  Buffer tail(MessageBatch messages, int index) {
    remember(messages);
    if (tails == null) {
      tails = new Buffer[messages.messages().size()];
    }
    Buffer tail = tails[index];
    if (tail == null) {
      tail = Buffer.buffer(
          "event: message\ndata: " + messages.messages().get(index).sseData() + "\n\n");
      tails[index] = tail;
    }
    return tail;
  }

  static String idLine(String token) {
    return "id: " + token + "\n";
  }

  private void remember(MessageBatch messages) {
    if (messages != batch) {
      batch = messages;
      oneChannel = null;
      tails = null;
    }
  }
}

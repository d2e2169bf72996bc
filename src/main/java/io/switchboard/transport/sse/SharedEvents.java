package io.switchboard.transport.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import java.nio.charset.StandardCharsets;
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
 * only: no locks. The buffers are shared: write a {@code duplicate()} (own indexes, same bytes);
 * they are unreleasable, so they live as long as this remembers them and the writes that hold them.
 */
final class SharedEvents {
  private MessageBatch batch;
  private ByteBuf oneChannel;
  private ByteBuf[] tails;

  /**
   * The batch as a stream following only its channel receives it, as one HTTP chunk: per message,
   * {@code id: <token of that one offset>}, then {@link #tail}.
   */
  ByteBuf ofOneChannel(MessageBatch messages) {
    remember(messages);
    if (oneChannel == null) {
      List<OutboundMessage> list = messages.messages();
      StringBuilder out = new StringBuilder(list.size() * 256);
      for (OutboundMessage message : list) {
        out.append(idLine(ResumeToken.encode(Map.of(message.channel(), message.offset()))))
            .append(tailText(message));
      }
      oneChannel = shared(HttpChunk.of(out.toString()));
    }
    return oneChannel;
  }

  /** {@code event: message}, the {@code data:} line and the blank line ending the event. */
  ByteBuf tail(MessageBatch messages, int index) {
    remember(messages);
    if (tails == null) {
      tails = new ByteBuf[messages.messages().size()];
    }
    ByteBuf tail = tails[index];
    if (tail == null) {
      tail = shared(tailText(messages.messages().get(index)).getBytes(StandardCharsets.UTF_8));
      tails[index] = tail;
    }
    return tail;
  }

  static String idLine(String token) {
    return "id: " + token + "\n";
  }

  private static String tailText(OutboundMessage message) {
    return "event: message\ndata: " + message.sseData() + "\n\n";
  }

  private static ByteBuf shared(byte[] bytes) {
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
  }

  private void remember(MessageBatch messages) {
    if (messages != batch) {
      batch = messages;
      oneChannel = null;
      tails = null;
    }
  }
}

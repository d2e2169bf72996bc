package io.switchboard.hub;

import io.netty.buffer.ByteBuf;
import io.switchboard.broker.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of one channel that one event loop delivers in one pass. Clients that opted in with
 * {@code /ws?batch=1} get them as one frame of newline-separated objects, joined once per batch
 * and shared by every such client.
 */
public final class MessageBatch {
  private final List<OutboundMessage> messages;
  private ByteBuf joined;

  MessageBatch(List<OutboundMessage> messages) {
    this.messages = messages;
  }

  public List<OutboundMessage> messages() {
    return messages;
  }

  /**
   * The messages new to a reader who was last sent {@code seen}
   * ({@link StreamPosition#isNewSince}), each kept one moving that mark, so a repeat inside the
   * batch is dropped too: this batch itself when every message is new (nothing copied, as on the
   * live path), null when none is.
   */
  MessageBatch newSince(StreamPosition seen) {
    List<OutboundMessage> kept = null;
    StreamPosition last = seen;
    for (int i = 0; i < messages.size(); i++) {
      OutboundMessage message = messages.get(i);
      StreamPosition position = message.publication().position();
      if (position.isNewSince(last)) {
        last = position;
        if (kept != null) {
          kept.add(message);
        }
      } else if (kept == null) {
        kept = new ArrayList<>(messages.subList(0, i));
      }
    }
    if (kept == null) {
      return messages.isEmpty() ? null : this;
    }
    return kept.isEmpty() ? null : new MessageBatch(kept);
  }

  public OutboundMessage last() {
    return messages.get(messages.size() - 1);
  }

  /**
   * Every message frame, separated by {@code \n}, as one shared WebSocket text frame, header
   * included (write a duplicate).
   */
  public ByteBuf joinedFrames() {
    if (joined == null) {
      if (messages.size() == 1) {
        joined = messages.get(0).wsWireFrame();
      } else {
        StringBuilder out = new StringBuilder(messages.size() * 128);
        for (OutboundMessage m : messages) {
          out.append(out.length() == 0 ? "" : "\n").append(m.wsFrame());
        }
        joined = OutboundMessage.wireFrame(out.toString());
      }
    }
    return joined;
  }
}

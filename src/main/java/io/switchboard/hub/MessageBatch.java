package io.switchboard.hub;

import io.netty.buffer.ByteBuf;
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

  public OutboundMessage last() {
    return messages.get(messages.size() - 1);
  }

  /** Every message frame, separated by {@code \n}, as shared UTF-8 bytes (write a duplicate). */
  public ByteBuf joinedFrames() {
    if (joined == null) {
      if (messages.size() == 1) {
        joined = messages.get(0).wsFrameBytes();
      } else {
        StringBuilder out = new StringBuilder(messages.size() * 128);
        for (OutboundMessage m : messages) {
          out.append(out.length() == 0 ? "" : "\n").append(m.wsFrame());
        }
        joined = OutboundMessage.sharedBytes(out.toString());
      }
    }
    return joined;
  }
}

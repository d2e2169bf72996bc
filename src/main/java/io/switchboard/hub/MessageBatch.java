package io.switchboard.hub;

import java.util.List;

/**
 * The messages of one channel that one event loop delivers in one pass. Clients that opted in with
 * {@code /ws?batch=1} get them as one frame of newline-separated objects, joined once per batch
 * and shared by every such client.
 */
public final class MessageBatch {
  private final List<OutboundMessage> messages;
  private String joined;

  MessageBatch(List<OutboundMessage> messages) {
    this.messages = messages;
  }

  public List<OutboundMessage> messages() {
    return messages;
  }

  public OutboundMessage last() {
    return messages.get(messages.size() - 1);
  }

  /** Every message frame, separated by {@code \n}. */
  public String joinedFrames() {
    if (joined == null) {
      if (messages.size() == 1) {
        joined = messages.get(0).wsFrame();
      } else {
        StringBuilder out = new StringBuilder(messages.size() * 128);
        for (OutboundMessage m : messages) {
          out.append(out.length() == 0 ? "" : "\n").append(m.wsFrame());
        }
        joined = out.toString();
      }
    }
    return joined;
  }
}

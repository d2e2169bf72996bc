package io.switchboard.hub;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.protocol.ServerFrames;

/**
 * A join or leave as a channel's sessions receive it: the broker's event with its frame encoded
 * once per node, however many hubs and sessions it goes to.
 */
public final class PresenceEvent implements Delivery {
  private final ChannelEvent event;
  private final String frame;

  PresenceEvent(ChannelEvent event) {
    this.event = event;
    this.frame = ServerFrames.channelEvent(event.kind().wireName(), event.channel(), event.user());
  }

  @Override
  public String channel() {
    return event.channel();
  }

  public ChannelEvent.Kind kind() {
    return event.kind();
  }

  public String user() {
    return event.user();
  }

  /** {@code {"type":"join"|"leave","channel":..,"user":..}} */
  public String frame() {
    return frame;
  }

  @Override
  public void handOver(Handler handler) {
    handler.presence(this);
  }
}

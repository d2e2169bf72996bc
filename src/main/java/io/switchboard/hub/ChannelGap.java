package io.switchboard.hub;

import io.switchboard.broker.StreamPosition;

/** Publications of a channel after {@code last} were lost to this node; subscribers get a gap. */
record ChannelGap(String channel, StreamPosition last) implements Delivery {
  @Override
  public void handOver(Handler handler) {
    handler.gap(this);
  }
}

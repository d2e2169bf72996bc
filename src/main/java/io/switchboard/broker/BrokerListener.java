package io.switchboard.broker;

/**
 * Receives what the broker carries for the channels this node subscribed to. Within one channel,
 * publications arrive in offset order; calls come from any thread and must not block.
 */
public interface BrokerListener {
  void onPublication(Publication publication);

  void onEvent(ChannelEvent event);
}

package io.switchboard.broker;

/**
 * Receives what the broker carries for the channels this node subscribed to. Within one channel,
 * publications arrive in offset order; calls come from any thread and must not block.
 */
public interface BrokerListener {
  void onPublication(Publication publication);

  void onEvent(ChannelEvent event);

  /**
   * Publications of {@code channel} after {@code last} (the last one handed over) were lost and
   * history could not bring them back; what follows continues from a later offset or a new epoch.
   */
  void onGap(String channel, StreamPosition last);
}

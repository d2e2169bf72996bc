package io.switchboard.hub;

/**
 * What crosses the hand-over from the broker's threads into a hub's event loop: a message, a join
 * or leave, or a gap. Sealed, so nothing else can be handed over.
 *
 * <p>Each kind says which method of a {@link Handler} it is ({@link #handOver}): double dispatch,
 * because Java 17 has no pattern matching in {@code switch}. A new kind must implement
 * {@code handOver}, and gets a {@code Handler} method of its own, so the compiler points at every
 * place that must deliver it; a chain of {@code instanceof} would let it fall through silently.
 */
sealed interface Delivery permits OutboundMessage, PresenceEvent, ChannelGap {

  String channel();

  /** Calls the one method of {@code handler} for this kind of delivery. */
  void handOver(Handler handler);

  /** Delivers each kind; runs on the hub's event loop. */
  interface Handler {
    void message(OutboundMessage message);

    void presence(PresenceEvent event);

    void gap(ChannelGap gap);
  }
}

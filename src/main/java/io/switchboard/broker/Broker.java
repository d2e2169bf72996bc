package io.switchboard.broker;

import io.vertx.core.Future;

/**
 * Pub/sub, offsets and history of channels, shared by every event loop of a node and, for brokers
 * backed by a server, by every node. Thread-safe.
 *
 * <p>{@link #publish} appends to the channel's history and hands the publication to the listeners
 * of subscribed nodes in one atomic step: the offset the publisher is acked with is the offset
 * subscribers see, and history and live delivery never disagree.
 */
public interface Broker {

  /** Set once, before any other call; receives the publications of subscribed channels. */
  void listener(BrokerListener listener);

  /**
   * Appends and fans out; completes with the new position once the broker took it, or, for a
   * repeated idempotency key, with the first publish's position and time, marked a repeat.
   */
  Future<PublishAck> publish(String channel, String data, PublishOptions options);

  /** Fans a join/leave out to subscribed nodes, without history. */
  Future<Void> publishEvent(ChannelEvent event);

  /** This node has its first local subscriber to {@code channel}. */
  Future<Void> subscribe(String channel);

  /** This node's last local subscriber to {@code channel} left. */
  Future<Void> unsubscribe(String channel);

  Future<HistoryPage> history(String channel, HistoryQuery query);

  /** Completes the first time the broker can serve (a server-backed one is connected). */
  default Future<Void> connected() {
    return Future.succeededFuture();
  }

  /** Whether publishes and subscribes can succeed now (for /ready); an embedded broker always can. */
  default boolean reachable() {
    return true;
  }

  Future<Void> close();
}

package io.switchboard.hub;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routes what the broker delivers to the hubs (event loops) that have subscribers of the channel,
 * encoding each publication once for all of them, and keeps the node's broker subscriptions
 * reference-counted: subscribe on the first hub, unsubscribe when the last one leaves.
 */
public final class Fanout implements BrokerListener {
  private final Broker broker;
  // Node-wide, read by the broker's thread and changed by every event loop: a ConcurrentHashMap
  // whose compute() orders attach/detach of one channel, so broker subscribe/unsubscribe calls
  // for a channel are issued in the order hubs came and went.
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();

  /** Hubs of one channel (copy-on-write: changes are rare, reads happen per message). */
  private record Route(Hub[] hubs, Future<Void> subscribed) {}

  public Fanout(Broker broker) {
    this.broker = broker;
  }

  /**
   * Completes once the broker delivers this channel to the node. A hub attached already (whose
   * subscribe failed) is not added twice; a failed broker subscribe (a Redis timeout) is sent
   * again for whoever attaches next, so one timeout never leaves the channel failing. Completes on
   * the hub's own loop.
   */
  Future<Void> attach(String channel, Hub hub) {
    Route route = routes.compute(channel, (name, current) -> {
      if (current == null) {
        return new Route(new Hub[] {hub}, broker.subscribe(name));
      }
      Hub[] hubs = current.hubs;
      if (!Arrays.asList(hubs).contains(hub)) {
        hubs = Arrays.copyOf(hubs, hubs.length + 1);
        hubs[hubs.length - 1] = hub;
      }
      return new Route(
          hubs, current.subscribed.failed() ? broker.subscribe(name) : current.subscribed);
    });
    // one broker subscribe serves every hub of the node, and completes on the loop of the hub
    // that sent it: a hub that carried on there turned its sessions live while its own loop was
    // delivering (a message before the ack and catch-up, or lost between buffer and live list)
    return hub.onLoop(route.subscribed);
  }

  void detach(String channel, Hub hub) {
    routes.computeIfPresent(channel, (name, current) -> {
      Hub[] hubs = Arrays.stream(current.hubs).filter(h -> h != hub).toArray(Hub[]::new);
      if (hubs.length > 0) {
        return new Route(hubs, current.subscribed);
      }
      // a failed unsubscribe only means the broker keeps sending a channel nobody here reads;
      // those deliveries find no route and are dropped
      broker.unsubscribe(name);
      return null;
    });
  }

  @Override
  public void onPublication(Publication publication) {
    Route route = routes.get(publication.channel());
    if (route == null) {
      return;
    }
    OutboundMessage message = new OutboundMessage(publication);
    for (Hub hub : route.hubs) {
      hub.enqueue(message);
    }
  }

  @Override
  public void onEvent(ChannelEvent event) {
    Route route = routes.get(event.channel());
    if (route == null) {
      return;
    }
    PresenceEvent delivery = new PresenceEvent(event);
    for (Hub hub : route.hubs) {
      hub.enqueue(delivery);
    }
  }

  @Override
  public void onGap(String channel, StreamPosition last) {
    Route route = routes.get(channel);
    if (route == null) {
      return;
    }
    ChannelGap gap = new ChannelGap(channel, last);
    for (Hub hub : route.hubs) {
      hub.enqueue(gap);
    }
  }

  /** Channels with at least one local subscriber on this node. */
  public int activeChannels() {
    return routes.size();
  }
}

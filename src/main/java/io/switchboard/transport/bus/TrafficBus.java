package io.switchboard.transport.bus;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.PublishAck;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hub.AcceptedTraffic;
import io.switchboard.protocol.ChannelName;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Channel traffic on the event bus (PROTOCOL "Event bus"): a namespace with {@code bus.messages}
 * has each accepted message published on {@code switchboard.messages.<namespace>} as
 * {@code {channel, offset, ts, publisher, data}}; one with {@code bus.presence} has each join and
 * leave on {@code switchboard.presence.<namespace>} as {@code {channel, type, user}}. The default
 * namespace's addresses have no suffix. {@code publish}: every consumer, on any member of the
 * cluster, gets each once. The event bus keeps nothing: a consumer that is not registered when a
 * message passes never sees it (history has it).
 */
public final class TrafficBus implements AcceptedTraffic {
  public static final String MESSAGES = "switchboard.messages";
  public static final String PRESENCE = "switchboard.presence";

  private final EventBus bus;
  private final SwitchboardConfig config;

  public TrafficBus(EventBus bus, SwitchboardConfig config) {
    this.bus = bus;
    this.config = config;
  }

  /** {@code base} for the default namespace, {@code base.<namespace>} for the others. */
  public static String address(String base, String namespace) {
    return namespace.isEmpty() ? base : base + "." + namespace;
  }

  @Override
  public void published(
      NamespaceConfig ns, String channel, PublishAck ack, String publisher, Object data) {
    if (ns.bus().messages()) {
      bus.publish(
          address(MESSAGES, ns.name()),
          new JsonObject()
              .put("channel", channel)
              .put("offset", ack.position().encode())
              .put("ts", ack.ts())
              .put("publisher", publisher)
              .put("data", data));
    }
  }

  @Override
  public void presence(ChannelEvent event) {
    NamespaceConfig ns = config.namespace(ChannelName.namespaceOf(event.channel()));
    if (ns != null && ns.bus().presence()) {
      bus.publish(
          address(PRESENCE, ns.name()),
          new JsonObject()
              .put("channel", event.channel())
              .put("type", event.kind().wireName())
              .put("user", event.user()));
    }
  }
}

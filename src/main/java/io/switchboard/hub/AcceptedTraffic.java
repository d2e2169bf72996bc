package io.switchboard.hub;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.PublishAck;
import io.switchboard.config.NamespaceConfig;

/**
 * Where a node also announces what it accepted, for the namespaces that ask for it
 * ({@code bus.messages}, {@code bus.presence}): once per message, by the node that accepted it,
 * after the broker acked it; once per join or leave, by the node that saw it. Called from any
 * thread; must not block.
 */
public interface AcceptedTraffic {
  AcceptedTraffic NONE = new AcceptedTraffic() {
    @Override
    public void published(
        NamespaceConfig ns, String channel, PublishAck ack, String publisher, Object data) {}

    @Override
    public void presence(ChannelEvent event) {}
  };

  /** A message the broker took (not a repeat); {@code publisher} is null for the server. */
  void published(NamespaceConfig ns, String channel, PublishAck ack, String publisher, Object data);

  /** A user's first connection in a channel (join), or its last one gone (leave). */
  void presence(ChannelEvent event);
}

package io.switchboard.hub;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.PresenceManager;
import io.vertx.core.Future;
import java.util.List;

/**
 * The presence manager whose answers decide joins and leaves ("first connection", "last one
 * gone"), telling {@link AcceptedTraffic} of each: the node whose connection joined or left is the
 * one that announces it, once. Leaves of a dead node's users are announced by the node whose
 * Redis presence call swept them out.
 */
public final class AnnouncedPresence implements PresenceManager {
  private final PresenceManager presence;
  private final AcceptedTraffic traffic;

  public AnnouncedPresence(PresenceManager presence, AcceptedTraffic traffic) {
    this.presence = presence;
    this.traffic = traffic;
  }

  @Override
  public Future<Boolean> add(String channel, String connectionId, String user) {
    return presence.add(channel, connectionId, user).onSuccess(first -> {
      if (first) {
        traffic.presence(new ChannelEvent(channel, ChannelEvent.Kind.JOIN, user));
      }
    });
  }

  @Override
  public Future<Boolean> remove(String channel, String connectionId, String user) {
    return presence.remove(channel, connectionId, user).onSuccess(last -> {
      if (last) {
        traffic.presence(new ChannelEvent(channel, ChannelEvent.Kind.LEAVE, user));
      }
    });
  }

  @Override
  public Future<List<PresenceEntry>> list(String channel) {
    return presence.list(channel);
  }

  @Override
  public Future<Void> close() {
    return presence.close();
  }
}

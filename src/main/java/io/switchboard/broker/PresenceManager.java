package io.switchboard.broker;

import io.vertx.core.Future;
import java.util.List;

/** Who is subscribed to a channel, per user with a connection count. Thread-safe. */
public interface PresenceManager {

  /** Completes with true when this is the user's first connection in the channel (a join). */
  Future<Boolean> add(String channel, String connectionId, String user);

  /** Completes with true when this was the user's last connection in the channel (a leave). */
  Future<Boolean> remove(String channel, String connectionId, String user);

  Future<List<PresenceEntry>> list(String channel);

  /** Stops timers of its own; the node calls it on shutdown. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  record PresenceEntry(String user, int connections) {}
}

package io.switchboard.hub;

import io.switchboard.broker.StreamPosition;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One channel as seen by one hub: the sessions that receive it live, the sessions still catching up
 * (with the live messages buffered for them meanwhile), and the last position this hub delivered,
 * which filters duplicates once for all sessions instead of once per session.
 */
final class LocalChannel {
  final String name;
  final List<Session> live = new ArrayList<>();
  final Map<Session, List<OutboundMessage>> catchingUp = new HashMap<>();
  StreamPosition lastDelivered;
  Future<Void> attached;

  LocalChannel(String name) {
    this.name = name;
  }

  boolean isEmpty() {
    return live.isEmpty() && catchingUp.isEmpty();
  }

  /** True for a position this hub has not delivered yet; a new epoch restarts the count. */
  boolean isNew(StreamPosition position) {
    return lastDelivered == null || !lastDelivered.sameEpoch(position)
        || position.offset() > lastDelivered.offset();
  }
}

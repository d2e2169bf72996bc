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
  /**
   * Sessions that went live already sent (from history) messages this hub has not delivered yet:
   * those are still in the hub's delivery queue and must not reach these sessions a second time.
   */
  final Map<Session, StreamPosition> sentAhead = new HashMap<>();

  Future<Void> attached;
  /** The catch-up reads of subscribing sessions, one per query at a time. */
  SharedCatchUpReads reads;

  LocalChannel(String name) {
    this.name = name;
  }

  /**
   * The live sessions as they are now, to write to: a write that fails on a reset connection closes
   * its session at once, in the middle of the loop, which takes it out of {@link #live}; iterating
   * the list itself then threw and left the rest of the sessions without the message.
   */
  Session[] liveNow() {
    return live.toArray(new Session[0]);
  }

  boolean isEmpty() {
    return live.isEmpty() && catchingUp.isEmpty();
  }

  /** The part of a live batch the session has not been sent yet; null when it has it all. */
  MessageBatch unsent(Session session, MessageBatch batch) {
    // almost always empty: a lookup per subscriber per message would cost more than the check
    StreamPosition sent = sentAhead.isEmpty() ? null : sentAhead.get(session);
    if (sent == null) {
      return batch;
    }
    MessageBatch rest = batch.newSince(sent);
    if (rest != null) {
      // a channel's messages come in offset order: everything after this is new to the session
      sentAhead.remove(session);
    }
    return rest;
  }

  /** True for a position this hub has not delivered yet; a new epoch restarts the count. */
  boolean isNew(StreamPosition position) {
    return position.isNewSince(lastDelivered);
  }
}

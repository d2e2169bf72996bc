package io.switchboard.hub;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The history reads that subscribing sessions of one channel on one hub make, shared: sessions
 * asking the same query (the same {@code since} and limit, as every client of a channel resuming
 * after one cut does) get one broker read between them. In a reconnect storm of N clients on C
 * channels the broker then sees on the order of C reads per hub, not N.
 *
 * <p>A session never joins a read already under way: that read may have been sent before the
 * session began buffering live messages, and what the hub delivered between the two would reach
 * the session from neither. It waits for the next read of its query instead, sent as soon as the
 * one under way is answered, shared by everyone who asked meanwhile. Confined to the hub's loop.
 */
final class SharedCatchUpReads {
  private final Function<HistoryQuery, Future<HistoryPage>> read;
  /** Sent and not answered yet. */
  private final Map<HistoryQuery, Future<HistoryPage>> underWay = new HashMap<>();
  /** Asked while the same query was under way: sent once that one is answered. */
  private final Map<HistoryQuery, Promise<HistoryPage>> next = new HashMap<>();

  SharedCatchUpReads(Function<HistoryQuery, Future<HistoryPage>> read) {
    this.read = read;
  }

  Future<HistoryPage> read(HistoryQuery query) {
    if (underWay.containsKey(query)) {
      return next.computeIfAbsent(query, q -> Promise.promise()).future();
    }
    return send(query);
  }

  private Future<HistoryPage> send(HistoryQuery query) {
    Future<HistoryPage> sent = read.apply(query);
    underWay.put(query, sent);
    // a failure (a Redis timeout) ends this read only: the waiting ones get a fresh one
    sent.onComplete(ar -> {
      underWay.remove(query);
      Promise<HistoryPage> waiting = next.remove(query);
      if (waiting != null) {
        send(query).onComplete(waiting);
      }
    });
    return sent;
  }

  boolean idle() {
    return underWay.isEmpty() && next.isEmpty();
  }
}

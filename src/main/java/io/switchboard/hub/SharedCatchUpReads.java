package io.switchboard.hub;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The history reads that subscribing sessions of one channel on one hub make, shared: sessions
 * asking the same query (the same {@code since} and limit, as every client of a channel resuming
 * after one cut does) get one broker read between them. In a reconnect storm of N clients on C
 * channels the broker then sees on the order of C reads per hub (more only as messages keep
 * coming), not N.
 *
 * <p>A session joins a read under way only if the hub delivered nothing of the channel since it
 * was sent: the session buffers every live message from its subscribe on, and the read covers
 * everything before it was sent, so nothing falls between them (what both hold is sent once). When
 * the hub did deliver something meanwhile, that message could reach the session from neither, so
 * the session waits for the next read of its query, sent as soon as the one under way is
 * answered, shared by everyone who asked meanwhile. Confined to the hub's loop.
 */
final class SharedCatchUpReads {
  private final Function<HistoryQuery, Future<HistoryPage>> read;
  /** The last position the hub delivered of the channel (null before the first). */
  private final Supplier<StreamPosition> delivered;
  /** Sent and not answered yet. */
  private final Map<HistoryQuery, UnderWay> underWay = new HashMap<>();
  /** Asked after the hub delivered more than an under-way read covers: sent once it is answered. */
  private final Map<HistoryQuery, Promise<HistoryPage>> next = new HashMap<>();

  private record UnderWay(Future<HistoryPage> page, StreamPosition deliveredWhenSent) {}

  SharedCatchUpReads(
      Function<HistoryQuery, Future<HistoryPage>> read, Supplier<StreamPosition> delivered) {
    this.read = read;
    this.delivered = delivered;
  }

  Future<HistoryPage> read(HistoryQuery query) {
    UnderWay current = underWay.get(query);
    if (current == null) {
      return send(query);
    }
    if (Objects.equals(current.deliveredWhenSent, delivered.get())) {
      return current.page;
    }
    return next.computeIfAbsent(query, q -> Promise.promise()).future();
  }

  private Future<HistoryPage> send(HistoryQuery query) {
    Future<HistoryPage> page = read.apply(query);
    if (page.isComplete()) {
      return page; // the embedded broker answers at once: nothing to share
    }
    underWay.put(query, new UnderWay(page, delivered.get()));
    // a failure (a Redis timeout) ends this read only: the waiting ones get a fresh one
    page.onComplete(ar -> {
      underWay.remove(query);
      Promise<HistoryPage> waiting = next.remove(query);
      if (waiting != null) {
        send(query).onComplete(waiting);
      }
    });
    return page;
  }
}

package io.switchboard.hub;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.PresenceManager.PresenceEntry;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** History and presence reads, shared by the WebSocket frames and the HTTP API. */
public final class ChannelReads {
  private static final Logger log = LoggerFactory.getLogger(ChannelReads.class);
  // never equal to a broker epoch: a since we cannot parse is one we cannot resume from
  private static final String UNKNOWN_EPOCH = "";

  private ChannelReads() {}

  /**
   * Asks for one message more than {@code limit}: the extra one tells {@link #complete} whether the
   * limit cut anything off, and {@link #frames} leaves it out.
   */
  public static HistoryQuery query(String since, int limit) {
    StreamPosition position = StreamPosition.parse(since);
    if (since != null && position == null) {
      position = new StreamPosition(0, UNKNOWN_EPOCH);
    }
    return new HistoryQuery(position, limit + 1);
  }

  /**
   * True when the page leaves nothing out between {@code since} (or the oldest retained message)
   * and the channel's current offset: nothing was lost and the limit cut nothing off.
   */
  public static boolean complete(HistoryPage page, HistoryQuery query) {
    List<Publication> list = shown(page, query);
    return page.reachesSince()
        && list.size() == page.publications().size()
        && (list.isEmpty() || list.get(list.size() - 1).position().equals(page.top()));
  }

  /** The page's messages as message frames, the shape live messages have. */
  public static List<String> frames(HistoryPage page, HistoryQuery query) {
    List<Publication> list = shown(page, query);
    List<String> frames = new ArrayList<>(list.size());
    list.forEach(p -> frames.add(new OutboundMessage(p).wsFrame()));
    return frames;
  }

  /** The page without the extra message {@link #query} asked for. */
  private static List<Publication> shown(HistoryPage page, HistoryQuery query) {
    List<Publication> list = page.publications();
    int limit = query.limit() - 1;
    if (list.size() <= limit) {
      return list;
    }
    // without since the broker returns the latest messages, so the extra one is the oldest
    return query.since() == null
        ? list.subList(list.size() - limit, list.size())
        : list.subList(0, limit);
  }

  public static JsonArray users(List<PresenceEntry> entries) {
    JsonArray users = new JsonArray();
    entries.forEach(
        e -> users.add(new JsonObject().put("user", e.user()).put("connections", e.connections())));
    return users;
  }

  /** A broker failure on a read becomes {@code unavailable}; ours pass through. */
  public static <T> Future<T> unavailable(Throwable err) {
    if (err instanceof SwitchboardException) {
      return Future.failedFuture(err);
    }
    log.atWarn().setCause(err).log("broker read failed");
    return Future.failedFuture(
        new SwitchboardException(ErrorCode.UNAVAILABLE, "broker unavailable"));
  }
}

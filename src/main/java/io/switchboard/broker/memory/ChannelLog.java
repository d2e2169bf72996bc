package io.switchboard.broker.memory;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** One channel's offsets and retained history. Not thread-safe: {@link MemoryBroker} guards it. */
final class ChannelLog {
  private final String epoch;
  private final ArrayDeque<Publication> history = new ArrayDeque<>();
  private long offset;
  private long ttlMs;

  ChannelLog(String epoch) {
    this.epoch = epoch;
  }

  Publication append(String channel, String data, String publisher, int size, long ttlMs,
      long now) {
    offset++;
    this.ttlMs = ttlMs;
    Publication publication = new Publication(channel, new StreamPosition(offset, epoch), now,
        publisher, data);
    if (size > 0) {
      history.addLast(publication);
      while (history.size() > size) {
        history.removeFirst();
      }
    } else {
      history.clear();
    }
    return publication;
  }

  HistoryPage read(HistoryQuery query, long now) {
    expire(now);
    StreamPosition top = new StreamPosition(offset, epoch);
    StreamPosition since = query.since();
    if (since == null) {
      int skip = Math.max(0, history.size() - query.limit());
      List<Publication> latest = new ArrayList<>(Math.min(history.size(), query.limit()));
      Iterator<Publication> it = history.iterator();
      for (int i = 0; it.hasNext(); i++) {
        Publication p = it.next();
        if (i >= skip) {
          latest.add(p);
        }
      }
      return new HistoryPage(latest, top, true);
    }
    if (!epoch.equals(since.epoch()) || since.offset() > offset) {
      return new HistoryPage(List.of(), top, false);
    }
    long oldest = history.isEmpty() ? offset + 1 : history.peekFirst().position().offset();
    boolean reaches = oldest <= since.offset() + 1;
    List<Publication> after = new ArrayList<>();
    for (Publication p : history) {
      if (after.size() >= query.limit()) {
        break;
      }
      if (p.position().offset() > since.offset()) {
        after.add(p);
      }
    }
    return new HistoryPage(after, top, reaches);
  }

  /** True when nothing is retained any more, so dropping the log loses nothing recoverable. */
  boolean expire(long now) {
    while (!history.isEmpty() && history.peekFirst().ts() < now - ttlMs) {
      history.removeFirst();
    }
    return history.isEmpty();
  }
}

package io.switchboard.broker.memory;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/** One channel's offsets and retained history. Not thread-safe: {@link MemoryBroker} guards it. */
final class ChannelLog {
  private final String epoch;
  private final ArrayDeque<Publication> history = new ArrayDeque<>();
  /**
   * Positions of the latest publishes made with an idempotency key, so a retry returns the first
   * one's position; the oldest are forgotten past {@link #REMEMBERED_KEYS} or {@link #KEY_TTL_MS}.
   */
  private final LinkedHashMap<String, Publication> byKey = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Publication> eldest) {
      return size() > REMEMBERED_KEYS;
    }
  };
  static final int REMEMBERED_KEYS = 10_000;
  static final long KEY_TTL_MS = 24 * 3600 * 1000L;
  private long offset;
  private long ttlMs;
  private long lastKeyedAt = Long.MIN_VALUE / 2;

  ChannelLog(String epoch) {
    this.epoch = epoch;
  }

  /** The publish made earlier with this key, if it is still remembered; null otherwise. */
  Publication published(String key, long now) {
    Publication earlier = key == null ? null : byKey.get(key);
    return earlier != null && earlier.ts() >= now - KEY_TTL_MS ? earlier : null;
  }

  Publication append(String channel, String data, String publisher, int size, long ttlMs,
      long now, String key) {
    offset++;
    this.ttlMs = ttlMs;
    Publication publication = new Publication(channel, new StreamPosition(offset, epoch), now,
        publisher, data);
    if (key != null) {
      byKey.put(key, publication);
      lastKeyedAt = now;
    }
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

  /**
   * True when nothing is retained any more, so dropping the log loses nothing recoverable: no
   * history, and no idempotency key a retry could still come with.
   */
  boolean expire(long now) {
    while (!history.isEmpty() && history.peekFirst().ts() < now - ttlMs) {
      history.removeFirst();
    }
    return history.isEmpty() && lastKeyedAt < now - KEY_TTL_MS;
  }
}

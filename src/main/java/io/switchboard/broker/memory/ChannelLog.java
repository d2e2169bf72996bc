package io.switchboard.broker.memory;

import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.PublishAck;
import io.switchboard.broker.StreamPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One channel's offsets and retained history, and what they cost ({@link #bytes()}, see
 * {@link Footprint}). Not thread-safe: {@link MemoryBroker} changes it only inside its map's
 * {@code compute}; the links {@link EvictionOrder} keeps it in are guarded by that order's lock.
 */
final class ChannelLog {
  static final int REMEMBERED_KEYS = 10_000;
  static final long KEY_TTL_MS = 24 * 3600 * 1000L;

  /** The map's own key instance, which every publication shares instead of a copy per request. */
  final String channel;

  private final String epoch;
  // two slots to start with: most channels of a flood hold one message
  private final ArrayDeque<Publication> history = new ArrayDeque<>(1);
  /**
   * Positions of the latest publishes made with an idempotency key, so a retry returns the first
   * one's position; the oldest are forgotten past {@link #REMEMBERED_KEYS} or {@link #KEY_TTL_MS}.
   * Created with the first key: most channels never see one.
   */
  private LinkedHashMap<String, Keyed> byKey;

  private long offset;
  private long ttlMs;
  private long lastKeyedAt = Long.MIN_VALUE / 2;
  private long bytes;

  // EvictionOrder's doubly linked lanes; read and written only under its lock
  ChannelLog older;
  ChannelLog newer;
  EvictionOrder.Lane lane;

  /** What a retry with the same key is answered; not the publication, so no payload is kept. */
  private record Keyed(StreamPosition position, long ts) {}

  ChannelLog(String channel, String epoch) {
    this.channel = channel;
    this.epoch = epoch;
    this.bytes = Footprint.channel(channel);
  }

  /** Estimated heap bytes held by this log (see {@link Footprint}). */
  long bytes() {
    return bytes;
  }

  /** The publish made earlier with this key, if still remembered, as a repeat; else null. */
  PublishAck published(String key, long now) {
    Keyed earlier = key == null || byKey == null ? null : byKey.get(key);
    return earlier != null && earlier.ts() >= now - KEY_TTL_MS
        ? new PublishAck(earlier.position(), earlier.ts(), true)
        : null;
  }

  Publication append(String data, String publisher, int size, long ttlMs, long now, String key) {
    offset++;
    this.ttlMs = ttlMs;
    Publication publication =
        new Publication(channel, new StreamPosition(offset, epoch), now, publisher, data);
    if (key != null) {
      remember(key, publication);
    }
    if (size > 0) {
      history.addLast(publication);
      bytes += Footprint.entry(publication);
      while (history.size() > size) {
        bytes -= Footprint.entry(history.removeFirst());
      }
      expire(now);
    } else {
      clearHistory();
    }
    return publication;
  }

  private void remember(String key, Publication publication) {
    if (byKey == null) {
      byKey = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Keyed> eldest) {
          if (size() <= REMEMBERED_KEYS) {
            return false;
          }
          bytes -= Footprint.key(eldest.getKey());
          return true;
        }
      };
      bytes += Footprint.KEY_MAP;
    }
    if (byKey.put(key, new Keyed(publication.position(), publication.ts())) == null) {
      bytes += Footprint.key(key);
    }
    lastKeyedAt = publication.ts();
  }

  /** The position of the latest publication (offset 0 before the first). */
  StreamPosition top() {
    return new StreamPosition(offset, epoch);
  }

  HistoryPage read(HistoryQuery query, long now) {
    expire(now);
    StreamPosition top = top();
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
    if (!since.isAtOrBefore(top)) {
      return new HistoryPage(List.of(), top, false);
    }
    long oldest = history.isEmpty() ? 0 : history.peekFirst().position().offset();
    boolean reaches = since.recoverableFrom(top, oldest);
    List<Publication> after = new ArrayList<>();
    for (Publication p : history) {
      if (after.size() >= query.limit()) {
        break;
      }
      if (p.position().isAfter(since)) {
        after.add(p);
      }
    }
    return new HistoryPage(after, top, reaches);
  }

  /**
   * A channel the broker holds nothing for reads as an empty log of {@code epoch}: position 0,
   * from which only position 0 of that same epoch resumes.
   */
  static HistoryPage readAbsent(String epoch, HistoryQuery query) {
    StreamPosition top = new StreamPosition(0, epoch);
    StreamPosition since = query.since();
    return new HistoryPage(List.of(), top, since == null || since.equals(top));
  }

  /**
   * Drops expired messages and keys. True when nothing is retained any more, so dropping the log
   * loses nothing recoverable: no history, and no idempotency key a retry could still come with.
   */
  boolean expire(long now) {
    while (!history.isEmpty() && history.peekFirst().ts() < now - ttlMs) {
      bytes -= Footprint.entry(history.removeFirst());
    }
    if (byKey != null) {
      // insertion order is time order: the eldest keys expire first
      Iterator<Map.Entry<String, Keyed>> keys = byKey.entrySet().iterator();
      while (keys.hasNext()) {
        Map.Entry<String, Keyed> eldest = keys.next();
        if (eldest.getValue().ts() >= now - KEY_TTL_MS) {
          break;
        }
        keys.remove();
        bytes -= Footprint.key(eldest.getKey());
      }
    }
    return history.isEmpty() && lastKeyedAt < now - KEY_TTL_MS;
  }

  private void clearHistory() {
    while (!history.isEmpty()) {
      bytes -= Footprint.entry(history.removeFirst());
    }
  }
}

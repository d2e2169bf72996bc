package io.switchboard.broker.memory;

/**
 * The order in which the memory broker gives channels up when over its budget: least recently
 * published first, and every channel without local subscribers before any with. Two lanes
 * (doubly linked lists threaded through the logs themselves, so ordering costs no node objects),
 * each oldest first; a publish moves its log to the newest end of its lane, a first subscriber or
 * a last unsubscribe moves it to the other lane.
 *
 * <p>Shared by every event loop: publishes of different channels run at once on different loops,
 * and each moves its channel. One lock guards both lanes and every log's links; each operation is
 * a few pointer writes (O(1)), so the lock is held for nanoseconds per publish. Callers hold a
 * channel's map bin (inside {@code compute}) when they take it, never the other way round, so the
 * two locks cannot deadlock.
 */
final class EvictionOrder {
  /** One list, oldest at {@link #oldest}. */
  static final class Lane {
    private ChannelLog oldest;
    private ChannelLog newest;
  }

  private final Lane unfollowed = new Lane();
  private final Lane followed = new Lane();

  /** Adds a new log as the newest of its lane. */
  synchronized void add(ChannelLog log, boolean hasSubscribers) {
    link(log, hasSubscribers ? followed : unfollowed);
  }

  /** The channel was published to: it becomes the newest of its lane. */
  synchronized void touch(ChannelLog log) {
    Lane lane = log.lane;
    if (lane != null && lane.newest != log) {
      unlink(log);
      link(log, lane);
    }
  }

  /** The channel got its first local subscriber, or lost its last. */
  synchronized void follow(ChannelLog log, boolean hasSubscribers) {
    Lane target = hasSubscribers ? followed : unfollowed;
    if (log.lane != null && log.lane != target) {
      unlink(log);
      link(log, target);
    }
  }

  synchronized void remove(ChannelLog log) {
    if (log.lane != null) {
      unlink(log);
    }
  }

  /** The next channel to give up, or null when there is none. */
  synchronized ChannelLog next() {
    return unfollowed.oldest != null ? unfollowed.oldest : followed.oldest;
  }

  private static void link(ChannelLog log, Lane lane) {
    log.lane = lane;
    log.older = lane.newest;
    log.newer = null;
    if (lane.newest != null) {
      lane.newest.newer = log;
    } else {
      lane.oldest = log;
    }
    lane.newest = log;
  }

  private static void unlink(ChannelLog log) {
    Lane lane = log.lane;
    if (log.older != null) {
      log.older.newer = log.newer;
    } else {
      lane.oldest = log.newer;
    }
    if (log.newer != null) {
      log.newer.older = log.older;
    } else {
      lane.newest = log.older;
    }
    log.older = null;
    log.newer = null;
    log.lane = null;
  }
}

package io.switchboard.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-second budget of each HTTP API caller, one {@link TokenBucket} per caller id: publishes
 * ({@code limits.apiPublishesPerSecond} / {@code apiPublishesBurst}) and channel creations
 * ({@code limits.newChannelsPerSecond} / {@code newChannelsBurst}).
 *
 * <p>Shared by every event loop of the node: a caller's requests land on any loop, and its budget
 * is one. Buckets are created on first use and each is locked while it is used. Callers are API
 * keys and admin users, a small set, so buckets are kept for the life of the node.
 */
public final class CallerRateLimiter {
  /** For {@code apiPublishesPerSecond = 0}: everything passes. */
  public static final CallerRateLimiter UNLIMITED = new CallerRateLimiter(0, 0);

  private final int perSecond;
  private final int burst;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  private CallerRateLimiter(int perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  public static CallerRateLimiter of(int perSecond, int burst) {
    return perSecond <= 0 ? UNLIMITED
        : new CallerRateLimiter(perSecond, Math.max(burst, perSecond));
  }

  public int perSecond() {
    return perSecond;
  }

  /** Takes up to {@code wanted} tokens of {@code caller}'s bucket; returns how many it took. */
  public int take(String caller, int wanted) {
    if (perSecond <= 0) {
      return wanted;
    }
    TokenBucket bucket = buckets.computeIfAbsent(caller, c -> new TokenBucket(burst, perSecond));
    synchronized (bucket) {
      return bucket.take(wanted);
    }
  }

  public boolean tryTake(String caller) {
    return take(caller, 1) == 1;
  }

  /** Returns a token {@link #tryTake} took that was not needed after all. */
  public void giveBack(String caller) {
    if (perSecond <= 0) {
      return;
    }
    TokenBucket bucket = buckets.get(caller);
    if (bucket != null) {
      synchronized (bucket) {
        bucket.giveBack(1);
      }
    }
  }

  /** {@code caller}'s channel creations, as the publish path takes them. */
  public ChannelCreations creationsOf(String caller) {
    if (perSecond <= 0) {
      return ChannelCreations.UNLIMITED;
    }
    return new ChannelCreations() {
      @Override
      public boolean reserve() {
        return tryTake(caller);
      }

      @Override
      public void release() {
        giveBack(caller);
      }

      @Override
      public int perSecond() {
        return perSecond;
      }
    };
  }
}

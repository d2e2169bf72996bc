package io.switchboard.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A rate per HTTP API caller, one {@link TokenBucket} per caller id: publishes
 * ({@code limits.apiPublishesPerSecond} / {@code apiPublishesBurst}) and, in other instances,
 * history and presence reads ({@code limits.apiReadsPerSecond} / {@code apiReadsBurst}) and the
 * requests users make with their own tokens ({@code limits.messagesPerSecond} /
 * {@code messagesBurst}, as one WebSocket's frames), and channel creations
 * ({@code limits.newChannelsPerSecond} / {@code newChannelsBurst}).
 *
 * <p>Shared by every event loop of the node: a caller's requests land on any loop, and its budget
 * is one. Buckets are created on first use and each is locked while it is used. Callers may be
 * many users, so once there are {@link #SWEEP_AT} buckets (and again at twice what a sweep left),
 * full ones are dropped: a full bucket is what a new one would be.
 */
public final class CallerRateLimiter {
  /** For a rate of 0: everything passes. */
  public static final CallerRateLimiter UNLIMITED = new CallerRateLimiter(0, 0);

  static final int SWEEP_AT = 10_000;

  private final int perSecond;
  private final int burst;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  /** Racy on purpose: two loops sweeping at once cost time, never a wrong answer. */
  private volatile int sweepAt = SWEEP_AT;

  private CallerRateLimiter(int perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  public static CallerRateLimiter of(int perSecond, int burst) {
    return perSecond <= 0
        ? UNLIMITED
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
    TokenBucket bucket = bucket(caller);
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

  /** Takes {@code tokens} of {@code caller}'s bucket if it holds that many (see TokenBucket). */
  public boolean tryTake(String caller, int tokens) {
    if (perSecond <= 0) {
      return true;
    }
    TokenBucket bucket = bucket(caller);
    synchronized (bucket) {
      return bucket.tryTake(tokens);
    }
  }

  /** Seconds until {@code caller} could take {@code tokens}: a Retry-After for a refusal. */
  public long secondsUntil(String caller, int tokens) {
    if (perSecond <= 0) {
      return 0;
    }
    TokenBucket bucket = bucket(caller);
    synchronized (bucket) {
      return bucket.secondsUntil(tokens);
    }
  }

  int buckets() {
    return buckets.size();
  }

  private TokenBucket bucket(String caller) {
    TokenBucket bucket = buckets.get(caller);
    if (bucket != null) {
      return bucket;
    }
    if (buckets.size() >= sweepAt) {
      sweep();
    }
    return buckets.computeIfAbsent(caller, c -> new TokenBucket(burst, perSecond));
  }

  /**
   * Drops full buckets. A caller that got its bucket just before holds one no longer in the map;
   * its take is then forgotten, one request's worth of leniency.
   */
  private void sweep() {
    buckets.values().removeIf(bucket -> {
      synchronized (bucket) {
        return bucket.full();
      }
    });
    sweepAt = Math.max(SWEEP_AT, 2 * buckets.size());
  }
}

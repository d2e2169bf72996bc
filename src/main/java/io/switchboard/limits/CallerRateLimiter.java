package io.switchboard.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A rate per HTTP API caller, one {@link TokenBucket} per caller id: publishes
 * ({@code limits.apiPublishesPerSecond} / {@code apiPublishesBurst}) and, in another instance,
 * history and presence reads ({@code limits.apiReadsPerSecond} / {@code apiReadsBurst}).
 *
 * <p>Shared by every event loop of the node: a caller's requests land on any loop, and its budget
 * is one. Buckets are created on first use and each is locked while it is used. Callers are API
 * keys and admin users, a small set, so buckets are kept for the life of the node.
 */
public final class CallerRateLimiter {
  /** For a rate of 0: everything passes. */
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
    TokenBucket bucket = bucket(caller);
    synchronized (bucket) {
      return bucket.take(wanted);
    }
  }

  public boolean tryTake(String caller) {
    return take(caller, 1) == 1;
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

  private TokenBucket bucket(String caller) {
    return buckets.computeIfAbsent(caller, c -> new TokenBucket(burst, perSecond));
  }
}

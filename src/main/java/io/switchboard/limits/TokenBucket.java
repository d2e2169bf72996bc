package io.switchboard.limits;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds up to {@code capacity} tokens, starts full and refills continuously at
 * {@code perSecond} tokens a second. Not thread-safe: one owner (a connection's event loop) uses
 * it, or its owner locks it.
 */
public final class TokenBucket {
  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final double capacity;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long refilledAt;

  public TokenBucket(int capacity, double perSecond) {
    this(capacity, perSecond, System::nanoTime);
  }

  /** With a clock of its own, for tests. */
  public TokenBucket(int capacity, double perSecond, LongSupplier nanoClock) {
    if (capacity < 1 || perSecond < 0) {
      throw new IllegalArgumentException(
          "capacity must be >= 1 and perSecond >= 0, were " + capacity + " and " + perSecond);
    }
    this.capacity = capacity;
    this.perNano = perSecond / NANOS_PER_SECOND;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.refilledAt = nanoClock.getAsLong();
  }

  /** Takes one token if there is one. */
  public boolean tryTake() {
    return take(1) == 1;
  }

  /** Takes up to {@code wanted} whole tokens and returns how many it took (0 when empty). */
  public int take(int wanted) {
    refill();
    int taken = (int) Math.min(wanted, Math.floor(tokens));
    if (taken > 0) {
      tokens -= taken;
    }
    return Math.max(taken, 0);
  }

  /**
   * Returns {@code n} tokens taken for something that turned out not to need them (a publish that
   * created no channel); never above capacity.
   */
  public void giveBack(int n) {
    refill();
    tokens = Math.min(capacity, tokens + n);
  }

  /**
   * Takes {@code tokens} if there are that many, else none. Asking for more than the capacity asks
   * for a full bucket: such a cost could never be paid otherwise.
   */
  public boolean tryTake(int tokens) {
    refill();
    double wanted = Math.min(tokens, capacity);
    if (this.tokens < wanted) {
      return false;
    }
    this.tokens -= wanted;
    return true;
  }

  /**
   * Seconds until {@link #tryTake(int)} of {@code tokens} can succeed, rounded up to a whole second
   * (a Retry-After); 0 when it can now.
   */
  public long secondsUntil(int tokens) {
    refill();
    double missing = Math.min(tokens, capacity) - this.tokens;
    if (missing <= 0) {
      return 0;
    }
    double perSecond = perNano * NANOS_PER_SECOND;
    return perSecond <= 0 ? Long.MAX_VALUE : (long) Math.ceil(missing / perSecond);
  }

  /** The whole tokens available now. */
  public int available() {
    refill();
    return (int) Math.floor(tokens);
  }

  /** Whether the bucket is back at capacity: indistinguishable from a new one. */
  public boolean full() {
    refill();
    return tokens >= capacity;
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    long elapsed = now - refilledAt; // nanoTime differences are safe across its wrap-around
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      refilledAt = now;
    }
  }
}

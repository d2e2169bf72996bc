package io.switchboard.limits;

import io.switchboard.config.Sections.LimitsConfig;

/**
 * The frame rates of one WebSocket connection, and the connection's own state for them.
 *
 * <p>Every inbound frame ({@code limits.messagesPerSecond} / {@code messagesBurst}) takes a token
 * before it is parsed, so a refused frame costs almost nothing. Each refused frame also takes a
 * strike from a second bucket (capacity {@code messagesBurst}, refilled at
 * {@code messagesPerSecond}); when the strikes run out the connection is to be closed. A short
 * overrun thus only gets errors, while a client that keeps sending at more than twice the rate is
 * cut off.
 *
 * <p>History and presence frames also take tokens of {@code limits.readsPerSecond}
 * ({@link #tryRead}), and publishes that would create a channel a creation of
 * {@code limits.newChannelsPerSecond} ({@link #newChannels}); both buckets are made on first use,
 * as most connections never read nor publish, and an idle one should stay small.
 *
 * <p>Touched only by the connection's event loop.
 */
public final class FrameRateLimiter {
  /** What to do with an inbound frame. */
  public enum Verdict {
    ACCEPT,
    REFUSE,
    CLOSE
  }

  /** No limit at all configured: every frame is accepted; shared, it holds no state. */
  public static final FrameRateLimiter UNLIMITED = new FrameRateLimiter(null, null, null);

  private final TokenBucket frames;
  private final TokenBucket strikes;
  /** For the buckets made on first use; null: reads and creations are not limited. */
  private final LimitsConfig limits;

  private TokenBucket reads;
  private ChannelCreations newChannels;

  private FrameRateLimiter(TokenBucket frames, TokenBucket strikes, LimitsConfig limits) {
    this.frames = frames;
    this.strikes = strikes;
    this.limits = limits;
  }

  public static FrameRateLimiter of(LimitsConfig limits) {
    if (limits.messagesPerSecond() <= 0
        && limits.readsPerSecond() <= 0
        && limits.newChannelsPerSecond() <= 0) {
      return UNLIMITED;
    }
    return create(limits.messagesPerSecond(), limits.messagesBurst(), limits);
  }

  /** The inbound frame rate alone. */
  public static FrameRateLimiter of(int perSecond, int burst) {
    return perSecond <= 0 ? UNLIMITED : create(perSecond, burst, null);
  }

  private static FrameRateLimiter create(int perSecond, int burst, LimitsConfig limits) {
    if (perSecond <= 0) {
      return new FrameRateLimiter(null, null, limits);
    }
    int capacity = Math.max(burst, perSecond); // the config insists on burst >= rate anyway
    // strikes come back at half the rate, so refused frames (arriving at send rate - R) drain
    // them for any client at twice the rate or more: it is cut off within seconds
    return new FrameRateLimiter(
        new TokenBucket(capacity, perSecond), new TokenBucket(capacity, perSecond / 2.0), limits);
  }

  public Verdict admit() {
    if (frames == null || frames.tryTake()) {
      return Verdict.ACCEPT;
    }
    return strikes.tryTake() ? Verdict.REFUSE : Verdict.CLOSE;
  }

  /** Takes a read's tokens of limits.readsPerSecond; false when over it (nothing is taken). */
  public boolean tryRead(int cost) {
    if (limits == null || limits.readsPerSecond() <= 0) {
      return true;
    }
    if (reads == null) {
      reads = new TokenBucket(
          Math.max(limits.readsBurst(), limits.readsPerSecond()), limits.readsPerSecond());
    }
    return reads.tryTake(cost);
  }

  /** This connection's budget of new channels (limits.newChannelsPerSecond). */
  public ChannelCreations newChannels() {
    if (limits == null) {
      return ChannelCreations.UNLIMITED;
    }
    if (newChannels == null) {
      newChannels =
          ChannelCreations.perConnection(limits.newChannelsPerSecond(), limits.newChannelsBurst());
    }
    return newChannels;
  }
}

package io.switchboard.limits;

import io.switchboard.config.Sections.LimitsConfig;

/**
 * The inbound frame rate of one WebSocket connection ({@code limits.messagesPerSecond} /
 * {@code messagesBurst}). Each frame takes a token before it is parsed, so a refused frame costs
 * almost nothing. Each refused frame also takes a strike from a second bucket (capacity
 * {@code messagesBurst}, refilled at {@code messagesPerSecond}); when the strikes run out the
 * connection is to be closed. A short overrun thus only gets errors, while a client that keeps
 * sending at more than twice the rate is cut off.
 *
 * <p>Touched only by the connection's event loop.
 */
public final class FrameRateLimiter {
  /** What to do with an inbound frame. */
  public enum Verdict { ACCEPT, REFUSE, CLOSE }

  /** For {@code messagesPerSecond = 0}: every frame is accepted; shared, it holds no state. */
  public static final FrameRateLimiter UNLIMITED = new FrameRateLimiter(null, null);

  private final TokenBucket frames;
  private final TokenBucket strikes;

  private FrameRateLimiter(TokenBucket frames, TokenBucket strikes) {
    this.frames = frames;
    this.strikes = strikes;
  }

  public static FrameRateLimiter of(LimitsConfig limits) {
    return of(limits.messagesPerSecond(), limits.messagesBurst());
  }

  public static FrameRateLimiter of(int perSecond, int burst) {
    if (perSecond <= 0) {
      return UNLIMITED;
    }
    int capacity = Math.max(burst, perSecond); // the config insists on burst >= rate anyway
    // strikes come back at half the rate, so refused frames (arriving at send rate - R) drain
    // them for any client at twice the rate or more: it is cut off within seconds
    return new FrameRateLimiter(new TokenBucket(capacity, perSecond),
        new TokenBucket(capacity, perSecond / 2.0));
  }

  public Verdict admit() {
    if (frames == null || frames.tryTake()) {
      return Verdict.ACCEPT;
    }
    return strikes.tryTake() ? Verdict.REFUSE : Verdict.CLOSE;
  }
}

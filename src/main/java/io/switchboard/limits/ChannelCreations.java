package io.switchboard.limits;

/**
 * How many channels one publisher (a WebSocket connection, an HTTP API caller) may still create
 * ({@code limits.newChannelsPerSecond} / {@code newChannelsBurst}). A publish to a channel the
 * broker holds nothing for creates it; the broker tells only afterwards whether it did, so each
 * publish reserves a creation first, is allowed to create only if it got one, and releases it when
 * it created nothing. A flood of new channels thus stops exactly at the budget, however many of its
 * publishes are in flight at once, and publishes to existing channels never wait for a creation.
 */
public interface ChannelCreations {
  /** No limit (0 configured), and the server's own paths: the event bus and the Redis inbox. */
  ChannelCreations UNLIMITED = new ChannelCreations() {
    @Override
    public boolean reserve() {
      return true;
    }

    @Override
    public void release() {
      // nothing was taken
    }

    @Override
    public int perSecond() {
      return 0;
    }
  };

  /** Takes one creation if there is one; false: this publish may only go to an existing channel. */
  boolean reserve();

  /** Gives back a reserved creation the publish did not use. */
  void release();

  /** The configured rate, for the refusal's message; 0 for none. */
  int perSecond();

  /**
   * One WebSocket connection's creations; touched only by the connection's event loop, like its
   * frame rate.
   */
  static ChannelCreations perConnection(int perSecond, int burst) {
    if (perSecond <= 0) {
      return UNLIMITED;
    }
    TokenBucket bucket = new TokenBucket(Math.max(burst, perSecond), perSecond);
    return new ChannelCreations() {
      @Override
      public boolean reserve() {
        return bucket.tryTake();
      }

      @Override
      public void release() {
        bucket.giveBack(1);
      }

      @Override
      public int perSecond() {
        return perSecond;
      }
    };
  }
}

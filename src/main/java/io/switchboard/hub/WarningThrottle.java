package io.switchboard.hub;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one warning per interval for a condition that fails many calls at once (an outage),
 * from any event loop: the first line says it started, the log does not drown in repeats.
 */
public final class WarningThrottle {
  private final long intervalMs;
  private final AtomicLong nextAt = new AtomicLong();

  public WarningThrottle(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  public void warn(Runnable logLine) {
    long now = System.currentTimeMillis();
    long next = nextAt.get();
    if (now >= next && nextAt.compareAndSet(next, now + intervalMs)) {
      logLine.run();
    }
  }
}

package io.switchboard.transport;

import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/**
 * Closes a slow consumer: a connection whose outgoing queue is over {@code limits.sendQueueBytes}
 * and still is {@code limits.slowConsumerMs} later (PROTOCOL.md section 10), so one stuck client
 * cannot grow the heap. A channel's messages cannot wait for one reader, so the queue is allowed
 * to grow for the grace period, up to {@link #HARD_LIMIT_FACTOR} times the limit, then the
 * connection goes. Used on the connection's event loop only.
 */
public final class SendQueueGuard {
  /** Past this many times the limit a connection is closed at once, grace or not. */
  public static final int HARD_LIMIT_FACTOR = 4;

  private final Vertx vertx;
  private final long limitBytes;
  private final long graceMs;
  private final BooleanSupplier over;
  private final Runnable close;
  private long timer = -1;

  /**
   * @param over whether the queue is over the limit now
   * @param close closes the connection with 4429
   */
  public SendQueueGuard(
      Vertx vertx, long limitBytes, long graceMs, BooleanSupplier over, Runnable close) {
    this.vertx = vertx;
    this.limitBytes = limitBytes;
    this.graceMs = graceMs;
    this.over = over;
    this.close = close;
  }

  public boolean enabled() {
    return limitBytes > 0;
  }

  public long limitBytes() {
    return limitBytes;
  }

  /** After writing: {@code queuedBytes} are waiting for the peer. */
  public void wrote(long queuedBytes) {
    if (!enabled()) {
      return;
    }
    if (queuedBytes > HARD_LIMIT_FACTOR * limitBytes) {
      close.run();
    } else if (timer < 0 && over.getAsBoolean()) {
      timer = vertx.setTimer(Math.max(1, graceMs), id -> {
        timer = -1;
        if (over.getAsBoolean()) {
          close.run();
        }
      });
    }
  }

  /** Part of the connection's close path. */
  public void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}

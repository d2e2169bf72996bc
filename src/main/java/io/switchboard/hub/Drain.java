package io.switchboard.hub;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the node is draining: set once ({@code POST /api/drain} or SIGTERM), never cleared. Read
 * on every event loop by readiness and by the WebSocket and SSE endpoints, which refuse new
 * connections while it is set; the node runs the drain itself when {@link #requested()} completes.
 * Thread-safe.
 */
public final class Drain {
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Promise<Void> requested = Promise.promise();

  public boolean draining() {
    return draining.get();
  }

  /** Starts draining; true the first time, false when the node was already draining. Any thread. */
  public boolean request() {
    if (!draining.compareAndSet(false, true)) {
      return false;
    }
    requested.complete();
    return true;
  }

  /** Completes, on the requesting thread, when the drain is requested. */
  public Future<Void> requested() {
    return requested.future();
  }
}

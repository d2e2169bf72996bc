package io.switchboard.limits;

import io.vertx.core.Future;

/**
 * {@code limits.maxConnectionsPerUser}: one slot per connection of an authenticated user. A single
 * node counts its own connections ({@link #of(ConnectionCounter)}); with the Redis broker the
 * slots are counted across the cluster. Anonymous connections (user {@code ""}) are not counted.
 * Thread-safe; futures complete on the caller's context.
 */
public interface UserSlots {

  /**
   * Takes a slot for {@code connectionId}: true, or false when the user already holds the limit.
   * Never fails. Each true must be paired with one {@link #release}.
   */
  Future<Boolean> tryAcquire(String user, String connectionId);

  void release(String user, String connectionId);

  /** Stops timers of its own; the node calls it on shutdown. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The node's own count, as the counter keeps it. */
  static UserSlots of(ConnectionCounter counter) {
    return new UserSlots() {
      @Override
      public Future<Boolean> tryAcquire(String user, String connectionId) {
        return Future.succeededFuture(counter.tryAcquireUser(user));
      }

      @Override
      public void release(String user, String connectionId) {
        counter.releaseUser(user);
      }
    };
  }
}

package io.switchboard.hub;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publishes handed to the broker and not answered yet, so a drain can let them finish before
 * it closes the connections that wait for their acks. Every event loop publishes: a concurrent
 * set. A publish the broker answers at once (the memory broker) is never added.
 */
final class PendingPublishes {
  private final Set<Future<?>> pending = ConcurrentHashMap.newKeySet();

  <T> Future<T> track(Future<T> publish) {
    if (!publish.isComplete()) {
      pending.add(publish);
      // registered after add: the remove cannot run before it
      publish.onComplete(ar -> pending.remove(publish));
    }
    return publish;
  }

  /**
   * Completes when every publish pending now has been answered, successfully or not; publishes
   * started later are not waited for, so a steady stream of them cannot hold a drain up.
   */
  Future<Void> settled() {
    return Future.join(new ArrayList<>(pending)).transform(ar -> Future.<Void>succeededFuture());
  }
}

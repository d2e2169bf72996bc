package io.switchboard.broker.memory;

import io.switchboard.broker.PresenceContract;
import io.switchboard.broker.PresenceManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

class MemoryPresenceTest extends PresenceContract {
  @Override
  protected Future<PresenceManager> newPresence(Vertx vertx) {
    return Future.succeededFuture(new MemoryPresence());
  }
}

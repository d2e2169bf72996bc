package io.switchboard.broker.redis;

import io.switchboard.broker.PresenceContract;
import io.switchboard.broker.PresenceManager;
import io.switchboard.testing.RedisServerExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisPresenceTest extends PresenceContract {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected Future<PresenceManager> newPresence(Vertx vertx) {
    RedisBroker broker = RedisBroker.start(vertx, RedisBrokerTest.config(redis.url()));
    return broker
        .connected()
        .map(v -> new RedisPresence(vertx, broker, 30_000, 2_000, channel -> false));
  }
}

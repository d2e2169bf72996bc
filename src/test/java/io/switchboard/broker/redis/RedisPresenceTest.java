package io.switchboard.broker.redis;

import io.switchboard.broker.PresenceContract;
import io.switchboard.broker.PresenceManager;
import io.switchboard.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisPresenceTest extends PresenceContract {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected Future<PresenceManager> newPresence(Vertx vertx) {
    RedisBroker broker = RedisBroker.start(vertx, RedisBrokerTest.config(redis.url()));
    return broker.connected()
        .map(v -> new RedisPresence(vertx, broker, 30_000, 2_000, channel -> false));
  }
}

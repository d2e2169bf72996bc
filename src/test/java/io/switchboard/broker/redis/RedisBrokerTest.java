package io.switchboard.broker.redis;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerContract;
import io.switchboard.config.Sections.RedisConfig;
import io.switchboard.config.Sections.RedisMode;
import io.switchboard.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisBrokerTest extends BrokerContract {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  static RedisConfig config(String url) {
    return new RedisConfig(List.of(url), RedisMode.STANDALONE, "mymaster", null, "sbtest",
        60_000, 2_000);
  }

  @Override
  protected Future<Broker> newBroker(Vertx vertx) {
    RedisBroker broker = RedisBroker.start(vertx, config(redis.url()));
    return broker.connected().map(broker);
  }
}

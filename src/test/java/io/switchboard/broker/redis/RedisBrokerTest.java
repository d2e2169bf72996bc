package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerContract;
import io.switchboard.broker.PublishOptions;
import io.switchboard.config.Sections.RedisConfig;
import io.switchboard.config.Sections.RedisMode;
import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServerExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisBrokerTest extends BrokerContract {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  static RedisConfig config(String url) {
    return new RedisConfig(
        List.of(url), RedisMode.STANDALONE, "mymaster", null, "sbtest", 60_000, 2_000, false, null);
  }

  /** A quiet channel costs nothing for long: history and meta keys carry their expiry. */
  @Test
  void historyAndMetaKeysExpireWhenTheChannelGoesQuiet() {
    String ch = channel("ttl");
    Await.result(broker.publish(ch, "1", new PublishOptions(null, 10, 5_000)));
    long historyTtl = Long.parseLong(redis.cli("pttl", "sbtest:{" + ch + "}:s"));
    long metaTtl = Long.parseLong(redis.cli("pttl", "sbtest:{" + ch + "}:m"));
    assertTrue(historyTtl > 0 && historyTtl <= 5_000, "history expires after ttlMs: " + historyTtl);
    assertTrue(metaTtl > 5_000 && metaTtl <= 60_000, "meta outlives it, metaTtlMs: " + metaTtl);
    Await.result(broker.publish(ch, "2", new PublishOptions(null, 0, 5_000)));
    assertEquals("0", redis.cli("exists", "sbtest:{" + ch + "}:s"), "size 0 keeps no history");
  }

  @Override
  protected Future<Broker> newBroker(Vertx vertx) {
    RedisBroker broker = RedisBroker.start(vertx, config(redis.url()));
    return broker.connected().map(broker);
  }
}

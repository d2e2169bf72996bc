package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md 3.6, 8.1 and 13: a publish Redis did not answer within {@code broker.redis.timeoutMs}
 * is answered {@code unavailable} without the claim that it was not published, since Redis may run
 * it after all (here: a {@code CLIENT PAUSE} holds it, then lets it run), and a retry with the same
 * Idempotency-Key then answers the first publish's offset without a second message. A publish
 * Redis certainly did not take (it is down) still says it was not published.
 */
@ExtendWith(VertxExtension.class)
class RedisPublishTimeoutTest {
  private static final long TIMEOUT_MS = 300;

  private static TestNode node(Vertx vertx, RedisServer redis) {
    return TestNode.start(
        vertx,
        RedisBrokerConfig.config(
            RedisBrokerConfig.options(redis.url(), "timeout").put("timeoutMs", TIMEOUT_MS)));
  }

  private static TestNode.Reply publish(TestNode node, String key, int n) {
    return node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/publish",
        new JsonObject().put("channel", "slow").put("data", n).encode(),
        MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", key));
  }

  @Test
  void aTimedOutPublishMayHaveBeenPublishedAndAKeyedRetryDoesNotRepeatIt(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      TestNode node = node(vertx, redis);
      try {
        WsClient subscriber = node.ws();
        subscriber.subscribe("slow");
        // Redis holds write commands (the publish script) for longer than the node waits, then
        // runs them
        assertEquals("OK", redis.cli("client", "pause", String.valueOf(4 * TIMEOUT_MS), "write"));
        TestNode.Reply timedOut = publish(node, "k-1", 1);
        assertEquals(503, timedOut.status(), timedOut.body());
        JsonObject error = timedOut.json();
        assertEquals("unavailable", error.getString("code"), timedOut.body());
        String message = error.getString("message");
        assertTrue(message.contains("may have been published"), message);
        assertTrue(message.contains("same Idempotency-Key"), message);
        assertTrue(!message.contains("was not published"), message);

        // it was published once Redis resumed
        JsonObject delivered = subscriber.nextMessage("slow");
        assertEquals(1, delivered.getInteger("data"), delivered.encode());
        TestNode.Reply retried = publish(node, "k-1", 1);
        assertEquals(200, retried.status(), retried.body());
        assertEquals(delivered.getString("offset"), retried.json().getString("offset"));
        subscriber.expectNo("message");
      } finally {
        node.close();
      }
    }
  }

  @Test
  void aPublishRedisRefusedSaysItWasNotPublished(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      TestNode node = node(vertx, redis);
      try {
        redis.stop();
        TestNode.Reply refused = publish(node, "k-2", 2);
        assertEquals(503, refused.status(), refused.body());
        assertEquals("unavailable", refused.json().getString("code"), refused.body());
        assertTrue(
            refused.json().getString("message").contains("was not published"), refused.body());
      } finally {
        node.close();
      }
    }
  }
}

package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What README "Redis memory" tells operators: every key Switchboard writes expires, except the
 * inbox streams (a queue, not a cache), so a {@code volatile-lru} Redis can always make room
 * without touching the inbox; and a Redis that cannot make room (a policy of
 * {@code noeviction}) refuses publishes with OOM, which clients get as {@code unavailable}: the
 * message was not published, and the node stays ready.
 */
@ExtendWith(VertxExtension.class)
class RedisMaxmemoryTest {
  private static TestNode node(Vertx vertx, RedisServer redis, String prefix) {
    return TestNode.start(vertx, redis.brokerConfig(prefix));
  }

  /** Publishes data of {@code size} to new channels until one is refused; returns that reply. */
  private static TestNode.Reply fill(TestNode node, int size) {
    String data = "x".repeat(size);
    for (int i = 0; i < 20_000; i++) {
      TestNode.Reply reply = node.post(
          "/api/publish",
          new JsonObject()
              .put("channel", "oom-" + size + "-" + i)
              .put("data", data)
              .encode());
      if (reply.status() != 200) {
        return reply;
      }
    }
    return null;
  }

  @Test
  void everyKeyButTheInboxStreamsExpires(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      TestNode node = node(vertx, redis, "ttl");
      try {
        WsClient client = node.ws();
        client.subscribe("chat:keys"); // presence keys
        client.subscribe("keys-never-published"); // an epoch stored for its subscribers
        client.publish("chat:keys", new JsonObject().put("text", "hi"));
        TestNode.Reply keyed = node.exchange(
            node.port(),
            HttpMethod.POST,
            "/api/publish",
            "{\"channel\":\"keys\",\"data\":1}",
            MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "k-1"));
        assertEquals(200, keyed.status(), keyed.body());
        redis.cli("xadd", "ttl:inbox", "*", "channel", "nope:x", "data", "1"); // rejected
        Await.until(
            () -> "1".equals(redis.cli("xlen", "ttl:inbox:rejected")),
            "the inbox to reject the entry");

        List<String> keys = redis.cli("--scan", "--pattern", "ttl:*").lines().toList();
        assertTrue(keys.size() >= 8, "meta, history, presence, idempotency: " + keys);
        for (String key : keys) {
          long ttl = Long.parseLong(redis.cli("pttl", key));
          if (key.equals("ttl:inbox") || key.equals("ttl:inbox:rejected")) {
            assertEquals(-1, ttl, key + " is a queue: never evicted by volatile-lru");
          } else {
            assertTrue(ttl > 0, key + " has no expiry (pttl " + ttl + ")");
          }
        }
      } finally {
        node.close();
      }
    }
  }

  @Test
  void aRedisOutOfMemoryAnswersUnavailableNotInternal(Vertx vertx) {
    try (RedisServer redis =
        RedisServer.start("--maxmemory", "3mb", "--maxmemory-policy", "noeviction")) {
      TestNode node = node(vertx, redis, "oom");
      try {
        // big messages fill it fast; small ones then take what a big one's request buffer
        // left free, so that nothing fits any more
        TestNode.Reply refused = fill(node, 64 * 1024);
        assertTrue(refused != null, "3 MB filled up");
        assertEquals(503, refused.status(), refused.body());
        assertEquals("unavailable", refused.json().getString("code"), refused.body());
        assertTrue(fill(node, 100) != null, "nothing fits any more");
        JsonObject frame = node.ws().publish("oom-ws", new JsonObject().put("text", "small"));
        assertEquals("error", frame.getString("type"), frame.encode());
        assertEquals("unavailable", frame.getString("code"), frame.encode());
        assertEquals(200, node.get("/ready").status(), "Redis is reachable: the node is ready");
      } finally {
        node.close();
      }
    }
  }
}

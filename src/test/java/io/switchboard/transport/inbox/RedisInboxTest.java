package io.switchboard.transport.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServerExtension;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Services with only a Redis client publish by XADD to {prefix}:inbox (README: Redis layout). */
@ExtendWith(VertxExtension.class)
class RedisInboxTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static TestNode node(Vertx vertx, String prefix) {
    return TestNode.start(vertx, redis.brokerConfig(prefix));
  }

  @Test
  void anInboxEntryReachesSubscribersWithAnOffsetAndLeavesTheStream(Vertx vertx) {
    TestNode node = node(vertx, "inbox1");
    try {
      WsClient client = node.ws();
      client.subscribe("chat:inbox");
      redis.cli("xadd", "inbox1:inbox", "*", "channel", "chat:inbox", "data", "{\"text\":\"hi\"}");
      JsonObject message = client.nextMessage("chat:inbox");
      assertEquals("hi", message.getJsonObject("data").getString("text"));
      assertTrue(message.getString("offset").startsWith("1-"), message.encode());
      awaitTrue(
          () -> "0".equals(redis.cli("xlen", "inbox1:inbox")), "entry deleted once published");
    } finally {
      node.close();
    }
  }

  @Test
  void entriesAddedWhileNoNodeRunsArePublishedWhenOneStarts(Vertx vertx) {
    for (int i = 0; i < 5; i++) {
      redis.cli("xadd", "inbox2:inbox", "*", "channel", "news", "data", "{\"n\":" + i + "}");
    }
    TestNode node = node(vertx, "inbox2");
    try {
      awaitTrue(() -> "0".equals(redis.cli("xlen", "inbox2:inbox")), "entries consumed");
      JsonObject history = node.get("/api/channels/news/history?limit=10").json();
      JsonArray messages = history.getJsonArray("messages");
      assertEquals(5, messages.size(), history.encode());
      for (int i = 0; i < 5; i++) {
        assertEquals(
            i,
            messages.getJsonObject(i).getJsonObject("data").getInteger("n"),
            "published in stream order");
      }
    } finally {
      node.close();
    }
  }

  @Test
  void invalidEntriesAreSetAsideWithTheReasonAndTheRestIsPublished(Vertx vertx) {
    TestNode node = node(vertx, "inbox3");
    try {
      WsClient client = node.ws();
      client.subscribe("chat:bad");
      redis.cli("xadd", "inbox3:inbox", "*", "channel", "chat:bad", "data", "{\"text\":5}");
      redis.cli("xadd", "inbox3:inbox", "*", "channel", "nope:x", "data", "{}");
      redis.cli("xadd", "inbox3:inbox", "*", "channel", "chat:bad", "data", "{not json");
      redis.cli("xadd", "inbox3:inbox", "*", "data", "{}");
      redis.cli("xadd", "inbox3:inbox", "*", "channel", "chat:bad", "data", "{\"text\":\"ok\"}");
      assertEquals("ok", client.nextMessage("chat:bad").getJsonObject("data").getString("text"));
      awaitTrue(
          () -> "4".equals(redis.cli("xlen", "inbox3:inbox:rejected")), "four entries set aside");
      String rejected = redis.cli("xrange", "inbox3:inbox:rejected", "-", "+");
      for (String code : List.of("invalid_payload", "unknown_channel", "bad_request")) {
        assertTrue(rejected.contains(code), code + " in " + rejected);
      }
      assertEquals("0", redis.cli("xlen", "inbox3:inbox"));
    } finally {
      node.close();
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    Await.until(condition, Duration.ofSeconds(15), what);
  }
}

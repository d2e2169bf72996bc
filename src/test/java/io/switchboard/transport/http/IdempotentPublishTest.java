package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServerExtension;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Idempotency-Key} on {@code POST /api/publish}: a publisher that retries because the answer
 * was lost gets the first publish's offset, and subscribers get the message once.
 */
@ExtendWith(VertxExtension.class)
class IdempotentPublishTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static TestNode.Reply publish(TestNode node, String key, int n) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (key != null) {
      headers.add("Idempotency-Key", key);
    }
    return node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/publish",
        new JsonObject()
            .put("channel", "once")
            .put("data", new JsonObject().put("n", n))
            .encode(),
        headers);
  }

  private static void assertRetriesArePublishedOnce(TestNode first, TestNode retry) {
    WsClient subscriber = retry.ws();
    subscriber.subscribe("once");
    TestNode.Reply original = publish(first, "order-17", 1);
    assertEquals(200, original.status(), original.body());
    TestNode.Reply again = publish(retry, "order-17", 1);
    assertEquals(200, again.status(), again.body());
    assertEquals(original.json().getString("offset"), again.json().getString("offset"));
    TestNode.Reply other = publish(first, "order-18", 2);
    assertEquals(1, subscriber.nextMessage("once").getJsonObject("data").getInteger("n"));
    assertEquals(
        other.json().getString("offset"),
        subscriber.nextMessage("once").getString("offset"),
        "the retry was not delivered");
    assertEquals(
        2,
        retry
            .get("/api/channels/once/history?limit=10")
            .json()
            .getJsonArray("messages")
            .size());
  }

  @Test
  void aRetryWithTheSameKeyAnswersTheFirstOffsetAndIsDeliveredOnce(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    try {
      assertRetriesArePublishedOnce(node, node);
    } finally {
      node.close();
    }
  }

  @Test
  void aRetryOnAnotherNodeOfTheClusterIsPublishedOnceToo() {
    Vertx va = Vertx.vertx();
    Vertx vb = Vertx.vertx();
    JsonObject broker = redis.brokerConfig("idem");
    TestNode a = TestNode.start(va, broker.copy());
    TestNode b = TestNode.start(vb, broker.copy());
    try {
      assertRetriesArePublishedOnce(a, b);
    } finally {
      a.close();
      b.close();
      Await.result(va.close());
      Await.result(vb.close());
    }
  }

  @Test
  void aKeyThatIsNotPrintableAsciiIsRefused(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    try {
      TestNode.Reply refused = publish(node, "with space", 1);
      assertEquals(400, refused.status());
      assertEquals("bad_request", refused.json().getString("code"));
      assertEquals(400, publish(node, "k".repeat(129), 1).status());
    } finally {
      node.close();
    }
  }
}

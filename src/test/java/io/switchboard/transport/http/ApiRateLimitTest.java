package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.apiPublishesPerSecond / apiPublishesBurst: per caller (here "anonymous": the test node
 * has no auth), 429 rate_limited on /api/publish, per item on /api/batch. The rate is 1 a second,
 * so no token comes back during a test step.
 */
@ExtendWith(VertxExtension.class)
class ApiRateLimitTest {
  private static final int BURST = 3;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject().put("apiPublishesPerSecond", 1).put("apiPublishesBurst", BURST)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static String message(int i) {
    return new JsonObject().put("channel", "arl").put("data", i).encode();
  }

  private Reply batch(int items) {
    JsonArray messages = new JsonArray();
    for (int i = 0; i < items; i++) {
      messages.add(new JsonObject(message(i)));
    }
    return node.post("/api/batch", new JsonObject().put("messages", messages).encode());
  }

  @Test
  void publishOverTheRateGets429() {
    for (int i = 0; i < BURST; i++) {
      assertEquals(200, node.post("/api/publish", message(i)).status(), "publish " + i);
    }
    Reply refused = node.post("/api/publish", message(99));
    assertEquals(429, refused.status(), refused.body());
    assertEquals("rate_limited", refused.json().getString("code"));
    assertTrue(refused.json().getString("message").contains("apiPublishesPerSecond"));
  }

  @Test
  void batchItemsOverTheRateGetRateLimitedResults() {
    Reply reply = batch(BURST + 2);
    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    assertEquals(BURST + 2, results.size());
    for (int i = 0; i < BURST; i++) {
      assertTrue(results.getJsonObject(i).containsKey("offset"), "item " + i + ": " + results);
    }
    for (int i = BURST; i < BURST + 2; i++) {
      assertEquals(
          "rate_limited",
          results.getJsonObject(i).getJsonObject("error").getString("code"),
          "item " + i + ": " + results);
    }
    JsonObject history = node.get("/api/channels/arl/history").json();
    assertEquals(BURST, history.getJsonArray("messages").size(), "refused items not published");
  }

  @Test
  void batchWithNoTokenAtAllGets429() {
    assertEquals(200, batch(BURST).status());
    Reply refused = batch(2);
    assertEquals(429, refused.status(), refused.body());
    assertEquals("rate_limited", refused.json().getString("code"));
  }

  @Test
  void publishAndBatchShareTheCallersBudget() {
    assertEquals(200, node.post("/api/publish", message(0)).status());
    JsonArray results = batch(BURST).json().getJsonArray("results");
    assertEquals(
        "rate_limited",
        results.getJsonObject(BURST - 1).getJsonObject("error").getString("code"),
        results.encode());
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.apiReadsPerSecond / apiReadsBurst: history and presence reads of one HTTP API caller take
 * tokens (history: one per 100 messages of its limit); over them 429 {@code rate_limited} with
 * Retry-After, and reads come back as tokens do. Publishing has a budget of its own.
 */
@ExtendWith(VertxExtension.class)
class ApiReadRateLimitTest {
  private static final int RATE = 4;
  private static final int BURST = 8;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx, limits(new JsonObject()));
  }

  private static JsonObject limits(JsonObject config) {
    return config.put(
        "limits",
        new JsonObject()
            .put("apiReadsPerSecond", RATE)
            .put("apiReadsBurst", BURST)
            .put("apiPublishesPerSecond", 1)
            .put("apiPublishesBurst", 1));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private Reply history(int limit) {
    return node.get("/api/channels/arr/history?limit=" + limit);
  }

  private static void assertRateLimited(Reply reply) {
    assertEquals(429, reply.status(), reply.body());
    assertEquals("rate_limited", reply.json().getString("code"));
    assertTrue(reply.json().getString("message").contains("apiReadsPerSecond"), reply.body());
  }

  private void spendTheBurst() {
    for (int i = 0; i < BURST; i++) {
      assertEquals(200, history(1).status(), "read " + i);
    }
  }

  @Test
  void readsOverTheRateGet429WithRetryAfterThenRecover(Vertx vertx) {
    spendTheBurst();
    Reply refused = history(1);
    assertRateLimited(refused);
    assertEquals("1", refused.headers().get("Retry-After"), "a token is back within a second");

    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (history(1).status() != 200) {
      assertTrue(System.nanoTime() < deadline, "no read token came back within 5 s");
      Await.result(vertx.timer(1000 / RATE));
    }
  }

  @Test
  void historyTakesATokenPerHundredMessagesOfItsLimit() {
    assertEquals(200, history(100 * (BURST - 1)).status());
    assertEquals(200, history(100).status());
    Reply refused = node.get("/api/channels/chat:arr/presence");
    assertRateLimited(refused);
  }

  @Test
  void retryAfterCoversTheWholeCostOfTheRefusedRead() {
    spendTheBurst();
    // 8 tokens at 4 a second
    assertEquals("2", history(1000).headers().get("Retry-After"));
  }

  @Test
  void badReadsCostNothing() {
    for (int i = 0; i < 2 * BURST; i++) {
      assertEquals(400, history(0).status());
      assertEquals(400, node.get("/api/channels/arr/presence").status());
    }
    spendTheBurst();
  }

  @Test
  void publishingHasABudgetOfItsOwn() {
    spendTheBurst();
    assertEquals(
        200,
        node.post(
                "/api/publish",
                new JsonObject().put("channel", "arr").put("data", 1).encode())
            .status());
    assertRateLimited(history(1));
  }

  @Test
  void eachCallerHasItsOwnBudget(Vertx vertx) {
    node.close();
    String keyOne = "read-key-one-0123456789abcdef";
    String keyTwo = "read-key-two-0123456789abcdef";
    node = TestNode.start(
        vertx,
        limits(new JsonObject()
            .put(
                "auth",
                new JsonObject().put("apiKeys", new JsonArray().add(keyOne).add(keyTwo)))));
    for (int i = 0; i <= BURST; i++) {
      Reply reply = read(keyOne);
      assertEquals(i < BURST ? 200 : 429, reply.status(), "read " + i + ": " + reply.body());
    }
    assertEquals(200, read(keyTwo).status());
  }

  private Reply read(String key) {
    return node.exchange(
        node.port(),
        HttpMethod.GET,
        "/api/channels/arr/history?limit=1",
        null,
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + key));
  }

  @Test
  void defaultsLetADashboardLoadingAHundredChannelsThrough(Vertx vertx) {
    node.close();
    node = TestNode.start(vertx);
    for (int i = 0; i < 100; i++) {
      assertEquals(200, node.get("/api/channels/chat:dash-" + i + "/history").status());
      assertEquals(200, node.get("/api/channels/chat:dash-" + i + "/presence").status());
    }
  }
}

package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.readsPerSecond / readsBurst: history and presence frames of one WebSocket take tokens (a
 * history frame one per 100 messages of its limit); over them the frame gets {@code rate_limited}
 * with its id, the connection stays open, and reads come back as tokens do. Nothing else a
 * connection does takes from this budget.
 */
@ExtendWith(VertxExtension.class)
class ReadRateLimitTest {
  private static final int RATE = 4;
  private static final int BURST = 8;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("limits", new JsonObject().put("readsPerSecond", RATE).put("readsBurst", BURST)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static JsonObject history(String channel, int limit) {
    return new JsonObject().put("type", "history").put("channel", channel).put("limit", limit);
  }

  private static JsonObject presence(String channel) {
    return new JsonObject().put("type", "presence").put("channel", channel);
  }

  private static void assertRateLimited(JsonObject reply) {
    assertEquals("error", reply.getString("type"), reply.encode());
    assertEquals("rate_limited", reply.getString("code"), reply.encode());
    assertTrue(reply.getString("message").contains("readsPerSecond"), reply.encode());
  }

  private static void assertAnswered(String type, JsonObject reply) {
    assertEquals(type, reply.getString("type"), reply.encode());
  }

  private static void spendTheBurst(WsClient ws) {
    for (int i = 0; i < BURST; i++) {
      assertAnswered("history", ws.request(history("rr", 1)));
    }
  }

  @Test
  void readsOverTheBurstGetRateLimitedWithTheirIdThenRecover(Vertx vertx) {
    WsClient ws = node.ws();
    spendTheBurst(ws);
    JsonObject refused = ws.request(history("rr", 1));
    assertRateLimited(refused);
    assertTrue(refused.getLong("id") > 0, "the frame was parsed, so the error names it");
    assertFalse(ws.isClosed(), "an overrun only gets errors");

    // tokens come back with time and no event says so: poll once per token period, with a deadline
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!"history".equals(ws.request(history("rr", 1)).getString("type"))) {
      assertTrue(System.nanoTime() < deadline, "no read token came back within 5 s");
      Await.result(vertx.timer(1000 / RATE));
    }
  }

  @Test
  void historyTakesATokenPerHundredMessagesOfItsLimit() {
    WsClient ws = node.ws();
    assertAnswered("history", ws.request(history("rr", 100 * (BURST - 1))));
    assertAnswered("history", ws.request(history("rr", 100)));
    assertRateLimited(ws.request(history("rr", 1)));
  }

  @Test
  void aReadDearerThanTheBurstIsNotRefusedForever() {
    WsClient ws = node.ws();
    // limit 1000 is 10 tokens, more than the bucket holds: it costs the whole bucket instead
    assertAnswered("history", ws.request(history("rr", 1000)));
    assertRateLimited(ws.request(history("rr", 1)));
  }

  @Test
  void presenceTakesFromTheSameBudget() {
    WsClient ws = node.ws();
    ws.subscribe("chat:rr");
    for (int i = 0; i < BURST; i++) {
      assertAnswered("presence", ws.request(presence("chat:rr")));
    }
    assertRateLimited(ws.request(presence("chat:rr")));
    assertRateLimited(ws.request(history("chat:rr", 1)));
  }

  @Test
  void refusedReadsCostNothing() {
    WsClient ws = node.ws();
    for (int i = 0; i < 2 * BURST; i++) {
      JsonObject reply = ws.request(presence("rr-no-presence"));
      assertEquals("bad_request", reply.getString("code"), reply.encode());
    }
    spendTheBurst(ws);
  }

  @Test
  void subscribingPublishingAndPingsAreNotAffected() {
    WsClient ws = node.ws();
    spendTheBurst(ws);
    assertAnswered("ack", ws.subscribe("rr-live"));
    assertAnswered("ack", ws.publish("rr-live", 1));
    assertEquals(1, ws.nextMessage("rr-live").getInteger("data"));
    assertAnswered("pong", ws.request(new JsonObject().put("type", "ping")));
    assertRateLimited(ws.request(history("rr", 1)));
  }

  @Test
  void eachConnectionHasItsOwnBudget() {
    spendTheBurst(node.ws());
    WsClient other = node.ws();
    assertAnswered("history", other.request(history("rr", 1)));
  }

  @Test
  void defaultsLetAClientOpeningFiftyRoomsThrough(Vertx vertx) {
    node.close();
    node = TestNode.start(vertx);
    WsClient ws = node.ws();
    // history (default limit) and presence of 50 rooms, sent at once as a client starting up does
    for (int i = 0; i < 50; i++) {
      ws.send(history("chat:room-" + i, 50).put("id", 1000 + i));
      ws.send(presence("chat:room-" + i).put("id", 2000 + i));
    }
    for (int i = 0; i < 50; i++) {
      long historyId = 1000 + i;
      long presenceId = 2000 + i;
      assertAnswered(
          "history",
          ws.next(f -> Long.valueOf(historyId).equals(f.getLong("id")), "reply " + historyId));
      assertAnswered(
          "presence",
          ws.next(f -> Long.valueOf(presenceId).equals(f.getLong("id")), "reply " + presenceId));
    }
  }
}

package io.switchboard.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.newChannelsPerSecond / newChannelsBurst: a publish to a channel that holds nothing yet
 * creates it, and each WebSocket connection and each HTTP API caller (here "anonymous": the test
 * node has no auth) may create only so many; past that such a publish is {@code rate_limited}
 * and nothing is published, while publishes to existing channels go on. The rate is 1 a second,
 * so at most one creation comes back during a test step; the steps allow for it.
 */
@ExtendWith(VertxExtension.class)
class NewChannelLimitTest {
  private static final int BURST = 3;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject().put("newChannelsPerSecond", 1).put("newChannelsBurst", BURST)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void aWebSocketPastItsNewChannelsGetsRateLimitedWithTheRequestId() {
    WsClient ws = node.ws();
    int created = 0;
    JsonObject refused = null;
    for (int i = 0; i < BURST + 2 && refused == null; i++) {
      JsonObject reply = ws.publish("nc-ws-" + i, i);
      if ("ack".equals(reply.getString("type"))) {
        created++;
      } else {
        refused = reply;
      }
    }
    assertTrue(created >= BURST, "the burst is granted: " + created);
    assertTrue(refused != null, "a publish past the burst is refused");
    assertEquals("error", refused.getString("type"), refused.encode());
    assertEquals("rate_limited", refused.getString("code"), refused.encode());
    assertTrue(refused.containsKey("id"), "the error answers the request: " + refused.encode());
    assertTrue(refused.getString("message").contains("newChannelsPerSecond"), refused.encode());
    String unpublished = "nc-ws-" + created;
    assertEquals(
        0,
        node.get("/api/channels/" + unpublished + "/history")
            .json()
            .getJsonArray("messages")
            .size(),
        "nothing was published");

    // channels that exist still take its publishes, and the connection stays open
    for (int i = 0; i < 10; i++) {
      assertEquals("ack", ws.publish("nc-ws-0", i).getString("type"));
    }
    assertFalse(ws.isClosed());
    // the budget is the connection's: another one has its own
    assertEquals("ack", node.ws().publish("nc-ws-other", 1).getString("type"));
  }

  /** Subscribing to channels that do not exist creates nothing, so it costs no creation. */
  @Test
  void subscribingToAbsentChannelsCostsNoCreation() {
    WsClient ws = node.ws();
    for (int i = 0; i < 20; i++) {
      ws.subscribe("nc-absent-" + i);
    }
    for (int i = 0; i < BURST; i++) {
      assertEquals("ack", ws.publish("nc-absent-" + i, i).getString("type"), "publish " + i);
    }
    String metrics = node.get("/metrics").body();
    assertTrue(metrics.contains("switchboard_broker_channels " + BURST + ".0"), metrics);
  }

  @Test
  void anApiCallerPastItsNewChannelsGets429AndExistingChannelsStillWork() {
    int created = 0;
    Reply refused = null;
    for (int i = 0; i < BURST + 2 && refused == null; i++) {
      Reply reply = node.post("/api/publish", publish("nc-http-" + i, i));
      if (reply.status() == 200) {
        created++;
      } else {
        refused = reply;
      }
    }
    assertTrue(created >= BURST, "the burst is granted: " + created);
    assertTrue(refused != null, "a publish past the burst is refused");
    assertEquals(429, refused.status(), refused.body());
    assertEquals("rate_limited", refused.json().getString("code"));
    assertEquals(200, node.post("/api/publish", publish("nc-http-0", 99)).status());
  }

  @Test
  void batchItemsPastTheNewChannelsAreRateLimitedAndTheOthersPublished() {
    assertEquals(200, node.post("/api/publish", publish("nc-batch-old", 0)).status());
    JsonArray messages = new JsonArray();
    for (int i = 0; i < BURST + 3; i++) {
      messages.add(new JsonObject(publish("nc-batch-new-" + i, i)));
      messages.add(new JsonObject(publish("nc-batch-old", i)));
    }
    Reply reply =
        node.post("/api/batch", new JsonObject().put("messages", messages).encode());
    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    int newCreated = 0;
    int newRefused = 0;
    for (int i = 0; i < results.size(); i++) {
      JsonObject result = results.getJsonObject(i);
      if (i % 2 == 1) {
        assertTrue(result.containsKey("offset"), "existing channel, item " + i + ": " + result);
      } else if (result.containsKey("offset")) {
        newCreated++;
      } else {
        assertEquals("rate_limited", result.getJsonObject("error").getString("code"));
        newRefused++;
      }
    }
    // one creation went to nc-batch-old; one may have come back meanwhile
    assertTrue(newCreated >= BURST - 1 && newCreated <= BURST, "created " + newCreated);
    assertTrue(newRefused >= 3, "refused " + newRefused);
  }

  /** The event bus is code inside the node's JVM: the server itself, not limited. */
  @Test
  void theEventBusIsNotLimited(Vertx vertx) {
    for (int i = 0; i < BURST + 5; i++) {
      Await.result(vertx
          .eventBus()
          .request(
              "switchboard.publish",
              new JsonObject().put("channel", "nc-bus-" + i).put("data", i)));
    }
  }

  private static String publish(String channel, int data) {
    return new JsonObject().put("channel", channel).put("data", data).encode();
  }
}

package io.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SubscribeTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void welcomeSaysSessionNodeAndHeartbeat(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, node.port());
    JsonObject welcome = ws.next("welcome");
    assertNotNull(welcome.getString("session"));
    assertEquals("", welcome.getString("user"));
    assertEquals(node.node().config().nodeId(), welcome.getString("node"));
    assertEquals(25_000L, welcome.getLong("heartbeat"));
  }

  @Test
  void subscribeAckCarriesCurrentOffsetThenLiveMessagesFollow() {
    String before = node.publish("sub-a", new JsonObject().put("n", 0));
    WsClient ws = node.ws();
    JsonObject ack = ws.subscribe("sub-a");
    assertEquals("ack", ack.getString("type"));
    assertEquals("sub-a", ack.getString("channel"));
    assertEquals(before, ack.getString("offset"));
    String offset = node.publish("sub-a", new JsonObject().put("n", 1));
    JsonObject message = ws.nextMessage("sub-a");
    assertEquals(offset, message.getString("offset"));
    assertEquals(1, message.getJsonObject("data").getInteger("n"));
    assertTrue(message.getLong("ts") > 0);
  }

  @Test
  void publishOverWebSocketIsAckedWithTheOffsetSubscribersSee() {
    WsClient a = node.ws();
    WsClient b = node.ws();
    a.subscribe("sub-b");
    b.subscribe("sub-b");
    JsonObject ack = a.publish("sub-b", new JsonObject().put("text", "hi"));
    assertEquals("ack", ack.getString("type"));
    for (WsClient client : List.of(a, b)) {
      JsonObject message = client.nextMessage("sub-b");
      assertEquals(ack.getString("offset"), message.getString("offset"));
      assertEquals("", message.getString("publisher"));
    }
  }

  @Test
  void manyConnectionsAcrossEventLoopsGetEveryMessageInOrderOnce() {
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      WsClient ws = node.ws();
      ws.subscribe("sub-c");
      clients.add(ws);
    }
    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      offsets.add(node.publish("sub-c", new JsonObject().put("n", i)));
    }
    for (WsClient ws : clients) {
      for (int i = 0; i < 50; i++) {
        JsonObject message = ws.nextMessage("sub-c");
        assertEquals(offsets.get(i), message.getString("offset"));
        assertEquals(i, message.getJsonObject("data").getInteger("n"));
      }
      ws.expectNo("message");
    }
    assertNotEquals(offsets.get(0), offsets.get(1));
  }

  @Test
  void unsubscribeStopsDelivery() {
    WsClient ws = node.ws();
    ws.subscribe("sub-d");
    JsonObject ack =
        ws.request(new JsonObject().put("type", "unsubscribe").put("channel", "sub-d"));
    assertEquals("ack", ack.getString("type"));
    node.publish("sub-d", 1);
    ws.expectNo("message");
  }

  @Test
  void batchClientsGetSeveralMessagesPerFrameInOrder(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, node.port(), "/ws?batch=1", null);
    ws.next("welcome");
    ws.subscribe("sub-e");
    JsonObject batch = new JsonObject().put("messages", new JsonArray());
    for (int i = 0; i < 20; i++) {
      batch
          .getJsonArray("messages")
          .add(new JsonObject().put("channel", "sub-e").put("data", i));
    }
    assertEquals(200, node.post("/api/batch", batch.encode()).status());
    for (int i = 0; i < 20; i++) {
      assertEquals(i, ws.nextMessage("sub-e").getInteger("data"));
    }
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /api/batch: each item validated and answered on its own, at its own index. */
@ExtendWith(VertxExtension.class)
class BatchTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static JsonObject item(String channel, Object data) {
    return new JsonObject().put("channel", channel).put("data", data);
  }

  private static String batch(JsonObject... items) {
    JsonArray messages = new JsonArray();
    for (JsonObject item : items) {
      messages.add(item);
    }
    return new JsonObject().put("messages", messages).encode();
  }

  @Test
  void eachItemIsAnsweredAtItsOwnIndex() {
    WsClient ws = node.ws();
    ws.subscribe("chat:batch-a");
    ws.subscribe("batch-a");

    Reply reply = node.post(
        "/api/batch",
        batch(
            item("chat:batch-a", new JsonObject().put("text", "one")),
            item("chat:batch-a", new JsonObject().put("text", 2)),
            item("nosuchns:batch-a", 1),
            item("batch-a", "plain"),
            item("chat:batch-a", new JsonObject().put("text", "three")),
            new JsonObject().put("channel", "bad name!").put("data", 1),
            new JsonObject().put("channel", "batch-a")));

    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    assertNotNull(results, reply.body());
    assertEquals(7, results.size(), reply.body());

    String first = offsetAt(results, 0);
    assertError(results, 1, "invalid_payload", "/data/text");
    assertError(results, 2, "unknown_channel", null);
    String plain = offsetAt(results, 3);
    String third = offsetAt(results, 4);
    assertError(results, 5, "bad_request", "/channel");
    assertError(results, 6, "bad_request", null);

    JsonObject m1 = ws.nextMessage("chat:batch-a");
    assertEquals(first, m1.getString("offset"));
    assertEquals("one", m1.getJsonObject("data").getString("text"));
    JsonObject m2 = ws.nextMessage("chat:batch-a");
    assertEquals(third, m2.getString("offset"));
    assertEquals("three", m2.getJsonObject("data").getString("text"));
    JsonObject m3 = ws.nextMessage("batch-a");
    assertEquals(plain, m3.getString("offset"));
    assertEquals("plain", m3.getString("data"));
    ws.expectNo("message");
  }

  @Test
  void offsetsOfOneChannelFollowTheBatchOrderAndSubscribersGetExactlyTheGoodOnes() {
    WsClient ws = node.ws();
    ws.subscribe("chat:batch-b");
    List<JsonObject> items = new ArrayList<>();
    List<Integer> good = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      boolean bad = i % 5 == 3;
      items.add(item(
          "chat:batch-b",
          bad ? new JsonObject().put("text", i) : new JsonObject().put("text", "m" + i)));
      if (!bad) {
        good.add(i);
      }
    }
    Reply reply = node.post("/api/batch", batch(items.toArray(JsonObject[]::new)));
    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    assertEquals(60, results.size());

    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      if (good.contains(i)) {
        offsets.add(offsetAt(results, i));
      } else {
        assertError(results, i, "invalid_payload", "/data/text");
      }
    }
    assertEquals(offsets.size(), new HashSet<>(offsets).size(), "offsets are distinct");

    // the subscriber sees the good items in batch order with the offsets the reply gave them
    for (int k = 0; k < good.size(); k++) {
      JsonObject message = ws.nextMessage("chat:batch-b");
      assertEquals(offsets.get(k), message.getString("offset"));
      assertEquals("m" + good.get(k), message.getJsonObject("data").getString("text"));
    }
    ws.expectNo("message");

    // and history agrees that the batch order is the offset order
    JsonObject history =
        node.get("/api/channels/chat:batch-b/history?limit=1000").json();
    JsonArray messages = history.getJsonArray("messages");
    assertEquals(good.size(), messages.size());
    for (int k = 0; k < good.size(); k++) {
      assertEquals(offsets.get(k), messages.getJsonObject(k).getString("offset"));
    }
  }

  @Test
  void batchesToSeveralChannelsInterleaveCorrectly() {
    WsClient ws = node.ws();
    ws.subscribe("batch-c1");
    ws.subscribe("batch-c2");
    List<JsonObject> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      items.add(item(i % 2 == 0 ? "batch-c1" : "batch-c2", i));
    }
    Reply reply = node.post("/api/batch", batch(items.toArray(JsonObject[]::new)));
    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    for (int i = 0; i < 20; i += 2) {
      assertEquals(offsetAt(results, i), ws.nextMessage("batch-c1").getString("offset"));
      assertEquals(offsetAt(results, i + 1), ws.nextMessage("batch-c2").getString("offset"));
    }
  }

  @Test
  void emptyBatchGetsEmptyResults() {
    Reply reply = node.post("/api/batch", "{\"messages\":[]}");
    assertEquals(200, reply.status(), reply.body());
    assertEquals(new JsonArray(), reply.json().getJsonArray("results"));
  }

  @Test
  void exactlyTheMaximumIsAccepted() {
    List<JsonObject> items = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      items.add(item("batch-max", i));
    }
    Reply reply = node.post("/api/batch", batch(items.toArray(JsonObject[]::new)));
    assertEquals(200, reply.status());
    JsonArray results = reply.json().getJsonArray("results");
    assertEquals(1000, results.size());
    Set<String> offsets = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      offsets.add(offsetAt(results, i));
    }
    assertEquals(1000, offsets.size());
  }

  @Test
  void overAThousandItemsIsTooLargeAndPublishesNothing() {
    WsClient ws = node.ws();
    ws.subscribe("batch-over");
    List<JsonObject> items = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      items.add(item("batch-over", i));
    }
    Reply reply = node.post("/api/batch", batch(items.toArray(JsonObject[]::new)));
    reply.assertError(413, "too_large");
    ws.expectNo("message");
  }

  static Stream<Arguments> malformedBatches() {
    return Stream.of(
        Arguments.of("empty body", ""),
        Arguments.of("not JSON", "{\"messages\": ["),
        Arguments.of("JSON array", "[{\"channel\":\"batch-bad\",\"data\":1}]"),
        Arguments.of("no messages field", "{\"items\":[]}"),
        Arguments.of("messages not an array", "{\"messages\":{\"channel\":\"batch-bad\"}}"),
        Arguments.of("messages is null", "{\"messages\":null}"),
        Arguments.of("a single publish request", "{\"channel\":\"batch-bad\",\"data\":1}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedBatches")
  void malformedBatchIs400(String name, String body) {
    WsClient ws = node.ws();
    ws.subscribe("batch-bad");
    Reply reply = node.post("/api/batch", body);
    JsonObject json = reply.assertError(400, "bad_request");
    assertNull(json.getValue("results"));
    ws.expectNo("message");
  }

  @Test
  void anItemThatIsNotAnObjectFailsOnItsOwn() {
    Reply reply = node.post(
        "/api/batch", "{\"messages\":[\"nope\",{\"channel\":\"batch-d\",\"data\":1},42,null]}");
    assertEquals(200, reply.status(), reply.body());
    JsonArray results = reply.json().getJsonArray("results");
    assertEquals(4, results.size(), reply.body());
    assertError(results, 0, "bad_request", null);
    offsetAt(results, 1);
    assertError(results, 2, "bad_request", null);
    assertError(results, 3, "bad_request", null);
  }

  private static String offsetAt(JsonArray results, int index) {
    JsonObject result = results.getJsonObject(index);
    String offset = result.getString("offset");
    assertNotNull(offset, "result " + index + " is an offset: " + result.encode());
    assertNull(result.getValue("error"), "result " + index + ": " + result.encode());
    return offset;
  }

  private static void assertError(JsonArray results, int index, String code, String path) {
    JsonObject result = results.getJsonObject(index);
    assertNull(result.getValue("offset"), "result " + index + " failed: " + result.encode());
    JsonObject error = result.getJsonObject("error");
    assertNotNull(error, "result " + index + " is an error: " + result.encode());
    assertEquals(code, error.getString("code"), "result " + index + ": " + result.encode());
    assertFalse(error.getString("message", "").isBlank());
    if (path != null) {
      JsonArray errors = error.getJsonArray("errors");
      assertNotNull(errors, result.encode());
      assertTrue(
          errors.stream()
              .map(JsonObject.class::cast)
              .anyMatch(e -> path.equals(e.getString("path"))),
          result.encode());
    }
  }
}

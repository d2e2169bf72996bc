package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /api/publish (PROTOCOL.md section 8) and the JSON error replies of the HTTP API. */
@ExtendWith(VertxExtension.class)
class HttpPublishTest {
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
  void publishAnswersOffsetAndReachesWebSocketAndSseSubscribers() {
    WsClient ws = node.ws();
    ws.subscribe("chat:http-pub-a");
    SseReader sse = node.sse("/sse?channel=chat:http-pub-a");
    sse.firstId();

    Reply reply = node.post(
        "/api/publish",
        new JsonObject()
            .put("channel", "chat:http-pub-a")
            .put("data", new JsonObject().put("text", "hello"))
            .encode());

    assertEquals(200, reply.status(), reply.body());
    String offset = reply.json().getString("offset");
    assertNotNull(offset);
    assertEquals(1, reply.json().size(), "the reply is just {\"offset\"}: " + reply.body());

    JsonObject message = ws.nextMessage("chat:http-pub-a");
    assertEquals(offset, message.getString("offset"));
    assertEquals("hello", message.getJsonObject("data").getString("text"));
    assertTrue(message.getLong("ts") > 0);

    JsonObject event = sse.next("message").json();
    assertEquals("chat:http-pub-a", event.getString("channel"));
    assertEquals(offset, event.getString("offset"));
    assertTrue(event.getLong("ts") > 0);
    assertEquals(new JsonObject().put("text", "hello"), event.getJsonObject("data"));
    sse.close();
  }

  @Test
  void successivePublishesGetDistinctOffsetsInOrder() {
    WsClient ws = node.ws();
    ws.subscribe("http-pub-b");
    String first = node.publish("http-pub-b", 1);
    String second = node.publish("http-pub-b", 2);
    assertNotEquals(first, second);
    assertEquals(first, ws.nextMessage("http-pub-b").getString("offset"));
    assertEquals(second, ws.nextMessage("http-pub-b").getString("offset"));
  }

  @Test
  void anyJsonValueIsDataInTheDefaultNamespace() {
    WsClient ws = node.ws();
    ws.subscribe("http-pub-c");
    Object[] values = {
      "text",
      42,
      true,
      new JsonArray().add(1).add("two"),
      new JsonObject().put("nested", new JsonObject().put("x", 1))
    };
    for (Object value : values) {
      node.publish("http-pub-c", value);
    }
    for (Object value : values) {
      assertEquals(value, ws.nextMessage("http-pub-c").getValue("data"));
    }
  }

  @Test
  void theApiMayPublishToServerOnlyNamespaces() {
    WsClient ws = node.ws();
    ws.subscribe("feed:http-pub-d");
    String offset = node.publish("feed:http-pub-d", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("feed:http-pub-d").getString("offset"));
  }

  static Stream<Arguments> badBodies() {
    String tooLong = "x".repeat(256);
    return Stream.of(
        Arguments.of("empty body", "", 400, "bad_request", null),
        Arguments.of("not JSON", "{\"channel\": ", 400, "bad_request", null),
        Arguments.of("JSON array", "[{\"channel\":\"a\",\"data\":1}]", 400, "bad_request", ""),
        Arguments.of("JSON string", "\"hello\"", 400, "bad_request", ""),
        Arguments.of("missing channel", "{\"data\":{\"n\":1}}", 400, "bad_request", ""),
        Arguments.of("missing data", "{\"channel\":\"http-bad\"}", 400, "bad_request", ""),
        Arguments.of(
            "channel not a string", "{\"channel\":42,\"data\":1}", 400, "bad_request", "/channel"),
        Arguments.of(
            "extra field",
            "{\"channel\":\"http-bad\",\"data\":1,\"extra\":true}",
            400,
            "bad_request",
            "/extra"),
        Arguments.of(
            "bad channel name",
            "{\"channel\":\"bad name!\",\"data\":1}",
            400,
            "bad_request",
            "/channel"),
        Arguments.of(
            "empty channel name", "{\"channel\":\"\",\"data\":1}", 400, "bad_request", "/channel"),
        Arguments.of(
            "channel name over 255",
            "{\"channel\":\"" + tooLong + "\",\"data\":1}",
            400,
            "bad_request",
            "/channel"),
        Arguments.of(
            "unknown namespace",
            "{\"channel\":\"nosuchns:room\",\"data\":1}",
            404,
            "unknown_channel",
            null),
        Arguments.of(
            "schema violation on chat",
            "{\"channel\":\"chat:http-bad\",\"data\":{\"text\":5}}",
            400,
            "invalid_payload",
            "/data/text"),
        Arguments.of(
            "chat data missing required text",
            "{\"channel\":\"chat:http-bad\",\"data\":{\"name\":\"x\"}}",
            400,
            "invalid_payload",
            "/data"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyGetsStatusAndJsonError(
      String name, String body, int status, String code, String errorPath) {
    WsClient ws = node.ws();
    ws.subscribe("http-bad");
    ws.subscribe("chat:http-bad");

    Reply reply = node.post("/api/publish", body);

    JsonObject json = reply.assertError(status, code);
    if (errorPath != null) {
      JsonArray errors = json.getJsonArray("errors");
      assertNotNull(errors, "errors lists the offending paths: " + reply.body());
      assertTrue(
          errors.stream()
              .map(JsonObject.class::cast)
              .anyMatch(e -> errorPath.equals(e.getString("path"))
                  && !e.getString("message", "").isBlank()),
          "an error at " + errorPath + ": " + reply.body());
    }
    ws.expectNo("message");
  }

  @Test
  void bodyOverMaxBodyBytesIsTooLarge(Vertx vertx) {
    TestNode small = TestNode.start(
        vertx, new JsonObject().put("limits", new JsonObject().put("maxBodyBytes", 1024)));
    try {
      WsClient ws = WsClient.welcomed(vertx, small.port());
      ws.subscribe("http-big");
      String fits = new JsonObject()
          .put("channel", "http-big")
          .put("data", "x".repeat(900))
          .encode();
      assertTrue(fits.length() <= 1024);
      assertEquals(200, small.post("/api/publish", fits).status());
      assertEquals("x".repeat(900), ws.nextMessage("http-big").getString("data"));

      String tooBig = new JsonObject()
          .put("channel", "http-big")
          .put("data", "x".repeat(2000))
          .encode();
      Reply reply = small.post("/api/publish", tooBig);
      reply.assertError(413, "too_large");
      ws.expectNo("message");
    } finally {
      small.close();
    }
  }

  static Stream<Arguments> unknownEndpoints() {
    return Stream.of(
        Arguments.of("POST under /api", HttpMethod.POST, "/api/nope", "{}"),
        Arguments.of("GET under /api", HttpMethod.GET, "/api/nope", null),
        Arguments.of("GET a missing page", HttpMethod.GET, "/no-such-page.html", null),
        Arguments.of("DELETE publish", HttpMethod.DELETE, "/api/publish", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownEndpoints")
  void unknownEndpointIsJson404(String name, HttpMethod method, String uri, String body) {
    Reply reply = node.exchange(method, uri, body);
    assertEquals(404, reply.status(), reply.body());
    JsonObject json = reply.json();
    assertNotNull(json.getString("code"), reply.body());
    assertFalse(json.getString("message", "").isBlank());
    assertNull(json.getValue("offset"));
  }
}

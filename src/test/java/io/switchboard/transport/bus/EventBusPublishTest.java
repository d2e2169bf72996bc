package io.switchboard.transport.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
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

/** Requests to {@code switchboard.publish} (PROTOCOL.md section 9). */
@ExtendWith(VertxExtension.class)
class EventBusPublishTest {
  private static final String ADDRESS = "switchboard.publish";
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static JsonObject request(String channel, Object data) {
    return new JsonObject().put("channel", channel).put("data", data);
  }

  @Test
  void publishRepliesWithOffsetAndReachesSubscribers(Vertx vertx) {
    WsClient ws = node.ws();
    ws.subscribe("chat:bus-a");
    SseReader sse = node.sse("/sse?channel=chat:bus-a");
    sse.firstId();

    Message<Object> reply = Await.result(vertx
        .eventBus()
        .request(ADDRESS, request("chat:bus-a", new JsonObject().put("text", "from the bus"))));

    JsonObject body = assertInstanceOf(JsonObject.class, reply.body());
    String offset = body.getString("offset");
    assertNotNull(offset, body.encode());
    JsonObject message = ws.nextMessage("chat:bus-a");
    assertEquals(offset, message.getString("offset"));
    assertEquals("from the bus", message.getJsonObject("data").getString("text"));
    assertEquals(offset, sse.next("message").json().getString("offset"));
    sse.close();
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyHeaderIsPublishedOnce(Vertx vertx) {
    WsClient ws = node.ws();
    ws.subscribe("bus-once");
    DeliveryOptions keyed = new DeliveryOptions().addHeader("Idempotency-Key", "job-7");
    Message<Object> first =
        Await.result(vertx.eventBus().request(ADDRESS, request("bus-once", 1), keyed));
    Message<Object> retry =
        Await.result(vertx.eventBus().request(ADDRESS, request("bus-once", 1), keyed));
    String offset = ((JsonObject) first.body()).getString("offset");
    assertEquals(offset, ((JsonObject) retry.body()).getString("offset"));
    Message<Object> other = Await.result(vertx.eventBus().request(ADDRESS, request("bus-once", 2)));
    assertEquals(offset, ws.nextMessage("bus-once").getString("offset"));
    assertEquals(
        ((JsonObject) other.body()).getString("offset"),
        ws.nextMessage("bus-once").getString("offset"),
        "the retry was not delivered");
  }

  @Test
  void jsonSentAsAStringAlsoWorks(Vertx vertx) {
    WsClient ws = node.ws();
    ws.subscribe("bus-b");
    Message<Object> reply = Await.result(vertx
        .eventBus()
        .request(ADDRESS, request("bus-b", new JsonArray().add(1).add(2)).encode()));
    String offset = ((JsonObject) reply.body()).getString("offset");
    JsonObject message = ws.nextMessage("bus-b");
    assertEquals(offset, message.getString("offset"));
    assertEquals(new JsonArray().add(1).add(2), message.getJsonArray("data"));
  }

  @Test
  void busAndHttpPublishesShareOneOffsetSequence(Vertx vertx) {
    WsClient ws = node.ws();
    ws.subscribe("bus-c");
    String viaHttp = node.publish("bus-c", 1);
    String viaBus = ((JsonObject)
            Await.result(vertx.eventBus().request(ADDRESS, request("bus-c", 2))).body())
        .getString("offset");
    assertEquals(viaHttp, ws.nextMessage("bus-c").getString("offset"));
    assertEquals(viaBus, ws.nextMessage("bus-c").getString("offset"));
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(
            "schema violation",
            request("chat:bus-bad", new JsonObject().put("text", 1)),
            "invalid_payload",
            400),
        Arguments.of("unknown namespace", request("nosuchns:bus-bad", 1), "unknown_channel", 404),
        Arguments.of("bad channel name", request("bad name!", 1), "bad_request", 400),
        Arguments.of(
            "missing data", new JsonObject().put("channel", "bus-bad"), "bad_request", 400),
        Arguments.of("missing channel", new JsonObject().put("data", 1), "bad_request", 400),
        Arguments.of("extra field", request("bus-bad", 1).put("extra", 1), "bad_request", 400),
        Arguments.of(
            "channel not a string",
            new JsonObject().put("channel", 7).put("data", 1),
            "bad_request",
            400),
        Arguments.of("a number", 42, "bad_request", 400),
        Arguments.of("JSON array as a string", "[1,2]", "bad_request", 400),
        Arguments.of("string that is not JSON", "{\"channel\": ", "bad_request", 400),
        Arguments.of(
            "schema violation as a string",
            request("chat:bus-bad", new JsonObject()).encode(),
            "invalid_payload",
            400),
        // a JsonObject is held to the rules of a JSON text (README "Inbound JSON")
        Arguments.of("data nested 65 deep", request("bus-bad", nested(65)), "bad_request", 400),
        // deeper ones overflow the stack in Vert.x's copy of the message, in the sender
        Arguments.of("data nested 1500 deep", request("bus-bad", nested(1500)), "bad_request", 400),
        Arguments.of("NaN", request("bus-bad", Double.NaN), "bad_request", 400),
        Arguments.of(
            "infinity",
            request("bus-bad", new JsonArray().add(Double.NEGATIVE_INFINITY)),
            "bad_request",
            400),
        Arguments.of("lone surrogate", request("bus-bad", "\ud800"), "bad_request", 400),
        Arguments.of(
            "lone surrogate in a string body",
            "{\"channel\":\"bus-bad\",\"data\":\"\ud800\"}",
            "bad_request",
            400),
        Arguments.of(
            "duplicate key in a string body",
            "{\"channel\":\"bus-bad\",\"channel\":\"feed:x\",\"data\":1}",
            "bad_request",
            400),
        Arguments.of(
            "bytes that are not UTF-8",
            Buffer.buffer(new byte[] {'{', '"', (byte) 0xC0, (byte) 0x80, '"', ':', '1', '}'}),
            "bad_request",
            400),
        Arguments.of(
            "string body over limits.maxBodyBytes",
            request("bus-bad", "x".repeat(1 << 20)).encode(),
            "too_large",
            413),
        Arguments.of(
            "byte body over limits.maxBodyBytes",
            request("bus-bad", "\u00e9".repeat(1 << 19)).toBuffer(),
            "too_large",
            413));
  }

  private static Object nested(int depth) {
    Object value = 1;
    for (int i = 1; i < depth; i++) {
      value = new JsonArray().add(value);
    }
    return value;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestFailsWithCodeAndStatus(
      String name, Object body, String code, int status, Vertx vertx) {
    WsClient ws = node.ws();
    ws.subscribe("bus-bad");
    ws.subscribe("chat:bus-bad");
    Throwable failure = Await.failure(vertx.eventBus().request(ADDRESS, body));
    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(code, reply.getMessage());
    assertEquals(status, reply.failureCode());
    ws.expectNo("message");
  }
}

package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.switchboard.testing.RawConnection;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.VertxExtension;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROTOCOL.md section 4: a bad request gets an {@code error} frame with the right code, carrying the
 * request's id when it had one, and the connection stays open.
 */
@ExtendWith(VertxExtension.class)
class BadFrameTest {
  /** Marks rows whose error must not name a path (or whose path this test does not pin down). */
  private static final String ANY_PATH = null;

  private static final Long NO_ID = null;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    // personal channels need their namespace configured like any other (PROTOCOL.md section 2)
    node = TestNode.start(
        vertx, new JsonObject().put("namespaces", new JsonObject().put("user", new JsonObject())));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  private static String frame(String json) {
    return json.replace('\'', '"');
  }

  static Stream<Arguments> badFrames() {
    String longName = "b".repeat(256);
    return Stream.of(
        // not a JSON object at all: nothing to take an id from
        arguments("not JSON", "{\"type\":", "bad_request", NO_ID, ANY_PATH),
        arguments("plain text", "hello", "bad_request", NO_ID, ANY_PATH),
        arguments("empty frame", "", "bad_request", NO_ID, ANY_PATH),
        arguments("JSON array", frame("[{'type':'ping','id':7}]"), "bad_request", NO_ID, ANY_PATH),
        arguments("JSON string", frame("'ping'"), "bad_request", NO_ID, ANY_PATH),
        arguments("JSON number", "42", "bad_request", NO_ID, ANY_PATH),
        arguments("JSON null", "null", "bad_request", NO_ID, ANY_PATH),
        arguments("JSON true", "true", "bad_request", NO_ID, ANY_PATH),
        // type
        arguments("missing type", frame("{'id':7,'channel':'bf-a'}"), "bad_request", 7L, ANY_PATH),
        arguments("type is a number", frame("{'type':5,'id':7}"), "bad_request", 7L, ANY_PATH),
        arguments("type is null", frame("{'type':null,'id':7}"), "bad_request", 7L, ANY_PATH),
        arguments(
            "type is an object",
            frame("{'type':{'name':'ping'},'id':7}"),
            "bad_request",
            7L,
            ANY_PATH),
        arguments("unknown type", frame("{'type':'shout','id':7}"), "unknown_type", 7L, ANY_PATH),
        arguments(
            "type in wrong case", frame("{'type':'PING','id':7}"), "unknown_type", 7L, ANY_PATH),
        arguments(
            "server-only type", frame("{'type':'welcome','id':7}"), "unknown_type", 7L, ANY_PATH),
        // id
        arguments("id is a string", frame("{'type':'ping','id':'7'}"), "bad_request", NO_ID, "/id"),
        arguments(
            "id is a fraction", frame("{'type':'ping','id':1.5}"), "bad_request", NO_ID, "/id"),
        // an id a client could not hold exactly is not echoed, rounded or truncated
        arguments(
            "id is 2^53",
            frame("{'type':'ping','id':9007199254740992}"),
            "bad_request",
            NO_ID,
            "/id"),
        arguments(
            "id is 2^64 + 7",
            frame("{'type':'ping','id':18446744073709551623}"),
            "bad_request",
            NO_ID,
            "/id"),
        arguments(
            "id is -2^53",
            frame("{'type':'ping','id':-9007199254740992}"),
            "bad_request",
            NO_ID,
            "/id"),
        // wrong field types and missing fields
        arguments(
            "channel is a number",
            frame("{'type':'subscribe','id':7,'channel':5}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel missing", frame("{'type':'subscribe','id':7}"), "bad_request", 7L, ANY_PATH),
        arguments(
            "since is a number",
            frame("{'type':'subscribe','id':7,'channel':'bf-a','since':5}"),
            "bad_request",
            7L,
            "/since"),
        arguments(
            "since is empty",
            frame("{'type':'subscribe','id':7,'channel':'bf-a','since':''}"),
            "bad_request",
            7L,
            "/since"),
        arguments(
            "limit is a string",
            frame("{'type':'history','id':7,'channel':'bf-a','limit':'10'}"),
            "bad_request",
            7L,
            "/limit"),
        arguments(
            "limit is 0",
            frame("{'type':'history','id':7,'channel':'bf-a','limit':0}"),
            "bad_request",
            7L,
            "/limit"),
        arguments(
            "limit is negative",
            frame("{'type':'history','id':7,'channel':'bf-a','limit':-1}"),
            "bad_request",
            7L,
            "/limit"),
        arguments(
            "limit is 5000",
            frame("{'type':'history','id':7,'channel':'bf-a','limit':5000}"),
            "bad_request",
            7L,
            "/limit"),
        arguments(
            "publish without data",
            frame("{'type':'publish','id':7,'channel':'bf-a'}"),
            "bad_request",
            7L,
            ANY_PATH),
        arguments(
            "auth without token", frame("{'type':'auth','id':7}"), "bad_request", 7L, ANY_PATH),
        arguments(
            "auth with empty token",
            frame("{'type':'auth','id':7,'token':''}"),
            "bad_request",
            7L,
            "/token"),
        // extra fields are refused, so a typo is not silently ignored
        arguments(
            "extra field on ping",
            frame("{'type':'ping','id':7,'extra':1}"),
            "bad_request",
            7L,
            ANY_PATH),
        arguments(
            "typo 'sinse' on subscribe",
            frame("{'type':'subscribe','id':7,'channel':'bf-a','sinse':'1-x'}"),
            "bad_request",
            7L,
            ANY_PATH),
        // channel names (PROTOCOL.md section 2)
        arguments(
            "channel empty",
            frame("{'type':'subscribe','id':7,'channel':''}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel of 256 chars",
            frame("{'type':'subscribe','id':7,'channel':'" + longName + "'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel with a space",
            frame("{'type':'subscribe','id':7,'channel':'bf a'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel with unicode",
            frame("{'type':'subscribe','id':7,'channel':'caf\u00e9'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel with #",
            frame("{'type':'subscribe','id':7,'channel':'#general'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "channel with a newline",
            frame("{'type':'subscribe','id':7,'channel':'bf\\na'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "bad channel on publish",
            frame("{'type':'publish','id':7,'channel':'bf a','data':1}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "bad channel on history",
            frame("{'type':'history','id':7,'channel':'bf a'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "bad channel on presence",
            frame("{'type':'presence','id':7,'channel':'bf a'}"),
            "bad_request",
            7L,
            "/channel"),
        arguments(
            "bad channel on unsubscribe",
            frame("{'type':'unsubscribe','id':7,'channel':'bf a'}"),
            "bad_request",
            7L,
            "/channel"),
        // namespaces
        arguments(
            "unknown namespace on subscribe",
            frame("{'type':'subscribe','id':7,'channel':'nope:x'}"),
            "unknown_channel",
            7L,
            ANY_PATH),
        arguments(
            "unknown namespace on publish",
            frame("{'type':'publish','id':7,'channel':'nope:x','data':1}"),
            "unknown_channel",
            7L,
            ANY_PATH),
        arguments(
            "unknown namespace on history",
            frame("{'type':'history','id':7,'channel':'nope:x'}"),
            "unknown_channel",
            7L,
            ANY_PATH),
        arguments(
            "unknown namespace on presence",
            frame("{'type':'presence','id':7,'channel':'nope:x'}"),
            "unknown_channel",
            7L,
            ANY_PATH),
        // permissions
        arguments(
            "publish to a server-only namespace",
            frame("{'type':'publish','id':7,'channel':'feed:bf','data':{'n':1}}"),
            "forbidden",
            7L,
            ANY_PATH),
        arguments(
            "subscribe to another user's channel",
            frame("{'type':'subscribe','id':7,'channel':'user:42'}"),
            "forbidden",
            7L,
            ANY_PATH),
        // state
        arguments(
            "unsubscribe never subscribed",
            frame("{'type':'unsubscribe','id':7,'channel':'bf-never'}"),
            "not_subscribed",
            7L,
            ANY_PATH),
        arguments(
            "presence without presence (default namespace)",
            frame("{'type':'presence','id':7,'channel':'bf-a'}"),
            "bad_request",
            7L,
            ANY_PATH),
        arguments(
            "presence without presence (feed)",
            frame("{'type':'presence','id':7,'channel':'feed:bf'}"),
            "bad_request",
            7L,
            ANY_PATH),
        // token authentication is not there yet: any token is refused
        arguments(
            "auth with a token",
            frame("{'type':'auth','id':7,'token':'abc.def.ghi'}"),
            "unauthorized",
            7L,
            ANY_PATH),
        // no id: the error carries none
        arguments(
            "unknown type without id", frame("{'type':'shout'}"), "unknown_type", NO_ID, ANY_PATH),
        arguments(
            "unknown namespace without id",
            frame("{'type':'subscribe','channel':'nope:x'}"),
            "unknown_channel",
            NO_ID,
            ANY_PATH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void badFrameGetsErrorAndTheConnectionStaysOpen(
      String name, String frame, String code, Long id, String path) {
    WsClient ws = client();
    ws.send(frame);
    JsonObject error = ws.next("error");
    assertEquals(code, error.getString("code"), error.encode());
    assertEquals(id, error.getLong("id"), "id echoed: " + error.encode());
    if (id == null) {
      assertFalse(error.containsKey("id"), error.encode());
    }
    assertNotNull(error.getString("message"), error.encode());
    assertFalse(error.getString("message").isBlank(), error.encode());
    if (path != null) {
      assertHasPath(error, path);
    }
    assertStillOpen(ws);
  }

  static Stream<Arguments> badPayloads() {
    return Stream.of(
        arguments("text is a number", new JsonObject().put("text", 5), "/data/text"),
        arguments("text is null", new JsonObject().putNull("text"), "/data/text"),
        arguments("text missing", new JsonObject().put("body", "hi"), "/data"),
        arguments("data is a string", "hi", "/data"),
        arguments("data is null", null, "/data"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPayloads")
  void schemaViolationOnChatIsInvalidPayloadWithPaths(String name, Object data, String path) {
    WsClient ws = client();
    ws.subscribe("chat:bf-schema");
    JsonObject error = ws.request(
        new JsonObject().put("type", "publish").put("channel", "chat:bf-schema").put("data", data));
    assertEquals("error", error.getString("type"), error.encode());
    assertEquals("invalid_payload", error.getString("code"), error.encode());
    assertHasPath(error, path);
    ws.expectNo("message");
    assertStillOpen(ws);
  }

  @Test
  void validChatPayloadStillPublishesAfterAnInvalidOne() {
    WsClient ws = client();
    ws.subscribe("chat:bf-after");
    assertEquals(
        "invalid_payload",
        ws.publish("chat:bf-after", new JsonObject().put("text", 1)).getString("code"));
    JsonObject ack = ws.publish("chat:bf-after", new JsonObject().put("text", "ok"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("ok", ws.nextMessage("chat:bf-after").getJsonObject("data").getString("text"));
  }

  static Stream<Arguments> malformedUpgradeQueries() {
    return Stream.of(
        arguments("bad escape in batch", "/ws?batch=%ZZ"),
        arguments("bad escape in token", "/ws?token=%"),
        arguments("half an escape", "/ws?x=%4"));
  }

  /** The query is read once the socket is up: one it cannot decode is refused before that. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedUpgradeQueries")
  void upgradeWithAMalformedQueryIsRefusedWith400(String name, String uri, Vertx vertx) {
    // Vert.x's client refuses to send such a URI
    NetClient net = vertx.createNetClient();
    try {
      RawConnection connection = RawConnection.open(vertx, net, node.port());
      connection.send(RawConnection.WS_UPGRADE.replace("GET /ws ", "GET " + uri + " "));
      assertEquals(400, RawConnection.status(connection.nextResponse()));
    } finally {
      net.close();
    }
    assertStillOpen(client());
  }

  @Test
  void idsUpTo2Pow53Minus1AreEchoedExactly() {
    WsClient ws = client();
    for (long id : new long[] {9007199254740991L, -9007199254740991L, 0}) {
      ws.send("{\"type\":\"ping\",\"id\":" + id + "}");
      assertEquals(id, ws.next("pong").getLong("id"));
    }
  }

  @Test
  void subscribingTwiceIsBadRequestAndKeepsOneSubscription() {
    WsClient ws = client();
    assertEquals("ack", ws.subscribe("bf-twice").getString("type"));
    JsonObject error = ws.subscribe("bf-twice");
    assertEquals("error", error.getString("type"), error.encode());
    assertEquals("bad_request", error.getString("code"), error.encode());
    String offset = node.publish("bf-twice", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("bf-twice").getString("offset"));
    ws.expectNo("message");
    assertStillOpen(ws);
  }

  @Test
  void unsubscribingTwiceIsNotSubscribed() {
    WsClient ws = client();
    ws.subscribe("bf-unsub");
    JsonObject unsubscribe = new JsonObject().put("type", "unsubscribe").put("channel", "bf-unsub");
    assertEquals("ack", ws.request(unsubscribe).getString("type"));
    JsonObject error = ws.request(unsubscribe);
    assertEquals("not_subscribed", error.getString("code"), error.encode());
    assertStillOpen(ws);
  }

  @Test
  void longestValidChannelNameIsAccepted() {
    WsClient ws = client();
    String name = "b".repeat(255);
    JsonObject ack = ws.subscribe(name);
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(name, ack.getString("channel"));
  }

  @Test
  void everyAllowedCharacterIsAccepted() {
    WsClient ws = client();
    String name = "AZaz09_-:.@/=";
    // "AZaz09_-" is the namespace of this name, which is not configured
    assertEquals("unknown_channel", ws.subscribe(name).getString("code"));
    String plain = "AZaz09_-.@/=";
    assertEquals("ack", ws.subscribe(plain).getString("type"));
  }

  @Test
  void manyBadFramesInARowLeaveTheConnectionUsable() {
    WsClient ws = client();
    ws.subscribe("bf-many");
    badFrames().forEach(row -> ws.send((String) row.get()[1]));
    for (int i = 0; i < badFrames().count(); i++) {
      ws.next("error");
    }
    String offset = node.publish("bf-many", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("bf-many").getString("offset"));
    assertStillOpen(ws);
  }

  private static void assertHasPath(JsonObject error, String path) {
    JsonArray errors = error.getJsonArray("errors");
    assertNotNull(errors, "no errors list: " + error.encode());
    boolean found = false;
    for (int i = 0; i < errors.size(); i++) {
      JsonObject entry = errors.getJsonObject(i);
      found |= path.equals(entry.getString("path"));
      assertNotNull(entry.getString("message"), error.encode());
    }
    assertTrue(found, "no error at " + path + ": " + error.encode());
  }

  /** A ping with an id gets its pong: the server still reads and answers this connection. */
  private static void assertStillOpen(WsClient ws) {
    JsonObject pong = ws.request(new JsonObject().put("type", "ping"));
    assertEquals("pong", pong.getString("type"), pong.encode());
    assertFalse(ws.isClosed());
  }
}

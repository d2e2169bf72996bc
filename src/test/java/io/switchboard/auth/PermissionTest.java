package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROTOCOL.md sections 2, 6, 7 and 10: namespace policies ({@code anyone}, {@code authenticated},
 * {@code claims}, {@code server}) for anonymous and authenticated connections, personal channels
 * {@code user:<id>}, history and presence following subscribe rights, over WebSocket and SSE.
 */
@ExtendWith(VertxExtension.class)
class PermissionTest {
  private Vertx vertx;
  private TestNode node;
  private TestTokens tokens;
  private final List<SseReader> readers = new ArrayList<>();

  /** Who connects: anonymous (no token) or a user with the claims of their token. */
  enum Who {
    ANONYMOUS(null),
    USER_42(TestTokens.claims("42")),
    USER_7(TestTokens.claims("7")),
    /** subscribe room:a*, publish only room:alpha; also (uselessly) claims srv:* and user:*. */
    CLAIMS_42(TestTokens.claims("42")
        .put("channels", new JsonArray().add("room:a*").add("srv:*").add("user:*"))
        .put("publish", "room:alpha"));

    final JsonObject claims;

    Who(JsonObject claims) {
      this.claims = claims;
    }
  }

  static JsonObject namespaces() {
    JsonObject policy = new JsonObject();
    return new JsonObject()
        .put(
            "auth",
            policy
                .copy()
                .put("subscribe", "authenticated")
                .put("publish", "authenticated")
                .put("presence", true))
        .put(
            "room",
            policy.copy().put("subscribe", "claims").put("publish", "claims").put("presence", true))
        .put("srv", policy.copy().put("subscribe", "server").put("publish", "server"))
        .put(
            "user",
            policy
                .copy()
                .put("subscribe", "authenticated")
                .put("publish", "server")
                .put("presence", true));
  }

  static JsonObject config(boolean anonymous) {
    JsonObject config = TestTokens.nodeConfig().put("namespaces", namespaces());
    config.getJsonObject("auth").put("anonymous", anonymous);
    return config;
  }

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
    // anonymous on, no API keys: anonymous and authenticated connections side by side, open API
    node = TestNode.start(vertx, config(true));
  }

  @AfterEach
  void stop() {
    readers.forEach(SseReader::close);
    node.close();
  }

  private String token(Who who) {
    return tokens.hs256(
        who.claims.copy().put("exp", TestTokens.nowSec() + 3600).put("iat", TestTokens.nowSec()));
  }

  private WsClient ws(Who who) {
    MultiMap headers = who.claims == null
        ? null
        : MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token(who));
    WsClient ws = WsClient.connect(vertx, node.port(), "/ws", headers);
    node.track(ws);
    JsonObject welcome = ws.next("welcome");
    assertEquals(who.claims == null ? "" : who.claims.getString("sub"), welcome.getString("user"));
    return ws;
  }

  private static Arguments row(Who who, String type, String channel, boolean allowed) {
    return Arguments.of(
        who + " " + type + " " + channel + " -> " + (allowed ? "allowed" : "forbidden"),
        who,
        type,
        channel,
        allowed);
  }

  static Stream<Arguments> wsRules() {
    return Stream.of(
        // anyone
        row(Who.ANONYMOUS, "subscribe", "perm-open", true),
        row(Who.ANONYMOUS, "publish", "perm-open", true),
        // authenticated
        row(Who.ANONYMOUS, "subscribe", "auth:perm", false),
        row(Who.ANONYMOUS, "publish", "auth:perm", false),
        row(Who.ANONYMOUS, "history", "auth:perm", false),
        row(Who.ANONYMOUS, "presence", "auth:perm", false),
        row(Who.USER_42, "subscribe", "auth:perm", true),
        row(Who.USER_42, "publish", "auth:perm", true),
        row(Who.USER_42, "history", "auth:perm", true),
        row(Who.USER_42, "presence", "auth:perm", true),
        // claims
        row(Who.ANONYMOUS, "subscribe", "room:alpha", false),
        row(Who.ANONYMOUS, "publish", "room:alpha", false),
        row(Who.USER_42, "subscribe", "room:alpha", false),
        row(Who.USER_42, "publish", "room:alpha", false),
        row(Who.USER_42, "history", "room:alpha", false),
        row(Who.CLAIMS_42, "subscribe", "room:alpha", true),
        row(Who.CLAIMS_42, "subscribe", "room:abc", true),
        row(Who.CLAIMS_42, "subscribe", "room:beta", false),
        row(Who.CLAIMS_42, "subscribe", "room:", false),
        row(Who.CLAIMS_42, "publish", "room:alpha", true),
        row(Who.CLAIMS_42, "publish", "room:abc", false),
        row(Who.CLAIMS_42, "publish", "room:alpha2", false),
        row(Who.CLAIMS_42, "history", "room:abc", true),
        row(Who.CLAIMS_42, "history", "room:beta", false),
        row(Who.CLAIMS_42, "presence", "room:alpha", true),
        row(Who.CLAIMS_42, "presence", "room:beta", false),
        // server
        row(Who.ANONYMOUS, "subscribe", "srv:perm", false),
        row(Who.USER_42, "subscribe", "srv:perm", false),
        row(Who.CLAIMS_42, "subscribe", "srv:perm", false),
        row(Who.CLAIMS_42, "publish", "srv:perm", false),
        row(Who.USER_42, "history", "srv:perm", false),
        row(Who.USER_42, "publish", "feed:perm", false),
        row(Who.USER_42, "subscribe", "feed:perm", true),
        // personal channels
        row(Who.USER_42, "subscribe", "user:42", true),
        row(Who.USER_42, "history", "user:42", true),
        row(Who.USER_42, "presence", "user:42", true),
        row(Who.USER_42, "publish", "user:42", false),
        row(Who.USER_7, "subscribe", "user:42", false),
        row(Who.USER_7, "history", "user:42", false),
        row(Who.USER_7, "presence", "user:42", false),
        row(Who.CLAIMS_42, "subscribe", "user:7", false),
        row(Who.USER_42, "subscribe", "user:4", false),
        row(Who.USER_42, "subscribe", "user:420", false),
        row(Who.ANONYMOUS, "subscribe", "user:42", false),
        row(Who.ANONYMOUS, "history", "user:42", false),
        // nobody is authenticated as "": the personal channel of the empty id is nobody's
        row(Who.ANONYMOUS, "subscribe", "user:", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wsRules")
  void webSocketFollowsTheNamespaceRules(
      String name, Who who, String type, String channel, boolean allowed) {
    WsClient ws = ws(who);
    JsonObject frame = new JsonObject().put("type", type).put("channel", channel);
    if (type.equals("publish")) {
      frame.put("data", new JsonObject().put("text", "hi"));
    }
    JsonObject reply = ws.request(frame);
    if (allowed) {
      String expected = type.equals("subscribe") || type.equals("publish") ? "ack" : type;
      assertEquals(expected, reply.getString("type"), reply.encode());
    } else {
      assertEquals("error", reply.getString("type"), reply.encode());
      assertEquals("forbidden", reply.getString("code"), reply.encode());
    }
  }

  @Test
  void serverMayPublishToPersonalChannelAndEveryDeviceOfTheOwnerGetsIt() {
    WsClient phone = ws(Who.USER_42);
    WsClient laptop = ws(Who.USER_42);
    WsClient other = ws(Who.USER_7);
    phone.subscribe("user:42");
    laptop.subscribe("user:42");
    other.subscribe("user:7");
    String offset = node.publish("user:42", new JsonObject().put("note", "for 42"));
    for (WsClient device : List.of(phone, laptop)) {
      JsonObject message = device.nextMessage("user:42");
      assertEquals(offset, message.getString("offset"));
      assertEquals("for 42", message.getJsonObject("data").getString("note"));
    }
    other.expectNo("message");
    // the API may read it too
    assertEquals(
        1,
        node.get("/api/channels/user:42/history")
            .json()
            .getJsonArray("messages")
            .size());
  }

  @Test
  void personalChannelsStayPersonalWhenTheirNamespaceIsOpenToAnyone() {
    JsonObject open = config(true);
    open.getJsonObject("namespaces").put("user", new JsonObject().put("subscribe", "anyone"));
    node.close();
    node = TestNode.start(vertx, open);
    WsClient anonymous = ws(Who.ANONYMOUS);
    WsClient seven = ws(Who.USER_7);
    assertEquals("forbidden", anonymous.subscribe("user:42").getString("code"));
    assertEquals("forbidden", seven.subscribe("user:42").getString("code"));
    assertEquals("ack", seven.subscribe("user:7").getString("type"));
    // no one is authenticated as "", so "user:" is no one's channel either
    JsonObject empty = anonymous.subscribe("user:");
    assertEquals("forbidden", empty.getString("code"), empty.encode());
  }

  @Test
  void claimsPublishIsDeliveredToClaimsSubscribers() {
    WsClient reader = ws(Who.CLAIMS_42);
    reader.subscribe("room:alpha");
    WsClient writer = ws(Who.CLAIMS_42);
    writer.publish("room:alpha", new JsonObject().put("n", 1));
    JsonObject message = reader.nextMessage("room:alpha");
    assertEquals("42", message.getString("publisher"));
  }

  // ---- SSE ----

  private SseReader sse(String uri, String bearerToken) {
    return sse(node, uri, bearerToken);
  }

  private SseReader sse(TestNode on, String uri, String bearerToken) {
    MultiMap headers = bearerToken == null
        ? null
        : MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + bearerToken);
    SseReader reader = SseReader.open(vertx, on.port(), uri, null, headers);
    readers.add(reader);
    return reader;
  }

  private static void assertRefused(SseReader reader, int status, String code) {
    assertEquals(status, reader.status());
    assertTrue(
        reader.header("Content-Type").startsWith("application/json"),
        reader.header("Content-Type"));
    assertEquals(code, reader.errorBody().getString("code"), reader.errorBody().encode());
  }

  static Stream<Arguments> sseForbidden() {
    return Stream.of(
        Arguments.of("anonymous on authenticated", Who.ANONYMOUS, "auth:sse"),
        Arguments.of("anonymous on claims", Who.ANONYMOUS, "room:alpha"),
        Arguments.of("no claim for the channel", Who.CLAIMS_42, "room:beta"),
        Arguments.of("server-only namespace", Who.USER_42, "srv:sse"),
        Arguments.of("another user's personal channel", Who.USER_7, "user:42"),
        Arguments.of("anonymous on a personal channel", Who.ANONYMOUS, "user:42"),
        Arguments.of("one of two channels forbidden", Who.USER_42, "sse-open&channel=user:7"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sseForbidden")
  void sseForbiddenChannelIs403BeforeTheStream(String name, Who who, String channels) {
    String uri = "/sse?channel=" + channels;
    SseReader reader =
        who.claims == null ? sse(uri, null) : sse(uri + "&token=" + token(who), null);
    assertRefused(reader, 403, "forbidden");
  }

  @Test
  void sseWithTokenQueryParameterStreamsThePersonalChannel() {
    SseReader reader =
        sse("/sse?channel=user:42&channel=auth:sse-q&token=" + token(Who.USER_42), null);
    assertEquals(200, reader.status());
    reader.firstId();
    node.publish("user:42", new JsonObject().put("n", 1));
    node.publish("auth:sse-q", new JsonObject().put("n", 2));
    assertEquals("user:42", reader.next("message").json().getString("channel"));
    assertEquals("auth:sse-q", reader.next("message").json().getString("channel"));
  }

  @Test
  void sseWithBearerHeaderStreamsClaimedChannels() {
    SseReader reader = sse("/sse?channel=room:alpha", token(Who.CLAIMS_42));
    assertEquals(200, reader.status());
    reader.firstId();
    node.publish("room:alpha", new JsonObject().put("n", 1));
    JsonObject data = reader.next("message").json();
    assertEquals("room:alpha", data.getString("channel"));
    assertEquals(1, data.getJsonObject("data").getInteger("n"));
  }

  @Test
  void sseAnonymousOnAnOpenChannelStreams() {
    SseReader reader = sse("/sse?channel=sse-anon", null);
    assertEquals(200, reader.status());
    reader.firstId();
  }

  @Test
  void sseWithBadTokenIs401() {
    assertRefused(
        sse("/sse?channel=sse-open&token=" + tokens.algNone(TestTokens.claims("42")), null),
        401,
        "unauthorized");
    assertRefused(
        sse("/sse?channel=sse-open", tokens.badSignature(TestTokens.claims("42"))),
        401,
        "unauthorized");
  }

  @Test
  void sseWithoutTokenIs401WhenAnonymousAccessIsOff() {
    TestNode closed = TestNode.start(vertx, config(false));
    try {
      assertRefused(sse(closed, "/sse?channel=sse-open", null), 401, "unauthorized");
      SseReader ok = sse(closed, "/sse?channel=sse-open", token(Who.USER_7));
      assertEquals(200, ok.status());
      ok.firstId();
    } finally {
      closed.close();
    }
  }

  @Test
  void sseStreamEndsWhenItsTokenExpires() {
    long expSec = (System.currentTimeMillis() + 1500 + 999) / 1000;
    SseReader reader =
        sse("/sse?channel=auth:sse-exp", tokens.hs256(TestTokens.claims("42").put("exp", expSec)));
    assertEquals(200, reader.status());
    reader.firstId();
    reader.awaitEnd();
    assertTrue(System.currentTimeMillis() >= expSec * 1000 - 50, "ended before exp");
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
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
 * PROTOCOL.md sections 1, 4 and 6: {@code POST /api/disconnect {"user":"42"}} closes every
 * connection of the user with 4403, answers how many, and refuses the user's tokens issued before
 * it; tokens issued after it are accepted. The node keeps the default 30 s clock skew.
 */
@ExtendWith(VertxExtension.class)
class DisconnectTest {
  private static final String API_KEY = "disconnect-test-api-key";

  private Vertx vertx;
  private TestNode node;
  private TestTokens tokens;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
    JsonObject config = TestTokens.nodeConfig();
    JsonObject auth = config.getJsonObject("auth");
    auth.getJsonObject("jwt").remove("clockSkewMs");
    auth.put("apiKeys", new JsonArray().add(API_KEY));
    node = TestNode.start(vertx, config);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static MultiMap apiKey() {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + API_KEY);
  }

  private Reply disconnect(String body) {
    return node.exchange(node.port(), HttpMethod.POST, "/api/disconnect", body, apiKey());
  }

  private Reply disconnectUser(String user) {
    Reply reply = disconnect(new JsonObject().put("user", user).encode());
    assertEquals(200, reply.status(), reply.toString());
    return reply;
  }

  private WsClient connect(MultiMap headers) {
    WsClient ws = WsClient.connect(vertx, node.port(), "/ws", headers);
    node.track(ws);
    return ws;
  }

  private WsClient authenticated(String token) {
    WsClient ws = connect(null);
    ws.send(new JsonObject().put("type", "auth").put("token", token));
    ws.next("welcome");
    return ws;
  }

  private WsClient withHeader(String token) {
    WsClient ws =
        connect(MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token));
    ws.next("welcome");
    return ws;
  }

  @Test
  void closesEveryConnectionOfTheUserWith4403AndNoOther() {
    String token42 = tokens.hs256("42");
    WsClient phone = authenticated(token42);
    WsClient laptop = withHeader(tokens.rs256(TestTokens.claims("42")));
    WsClient seven = authenticated(tokens.hs256("7"));
    for (WsClient ws : List.of(phone, laptop, seven)) {
      ws.subscribe("chat:disconnect");
    }

    Reply reply = disconnectUser("42");
    assertEquals(new JsonObject().put("user", "42").put("closed", 2), reply.json());
    assertEquals(4403, phone.closeCode());
    assertEquals(4403, laptop.closeCode());
    seven.assertAlive();
    // their subscriptions and presence went with them
    JsonObject presence =
        seven.request(new JsonObject().put("type", "presence").put("channel", "chat:disconnect"));
    assertEquals(
        new JsonArray().add(new JsonObject().put("user", "7").put("connections", 1)),
        presence.getJsonArray("users"),
        presence.encode());
  }

  @Test
  void oldTokensAreRefusedWith4401AfterTheDisconnect() {
    String used = tokens.hs256("42");
    String unused = tokens.es256(TestTokens.claims("42").put("iat", TestTokens.nowSec() - 60));
    String noIat = tokens.hs256(without(TestTokens.claims("42"), "iat"));
    WsClient ws = authenticated(used);
    disconnectUser("42");
    assertEquals(4403, ws.closeCode());

    for (String old : List.of(used, unused, noIat)) {
      WsClient byFrame = connect(null);
      byFrame.write(new JsonObject().put("type", "auth").put("token", old).encode());
      assertEquals(4401, byFrame.closeCode());
      WsClient byHeader =
          connect(MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + old));
      assertEquals(4401, byHeader.closeCode());
    }
    // the old token is no good on SSE or as a refresh either
    SseReader sse = SseReader.open(vertx, node.port(), "/sse?channel=disc-sse&token=" + used);
    try {
      assertEquals(401, sse.status());
    } finally {
      sse.close();
    }
    // other users are not affected
    authenticated(tokens.hs256("7"));
  }

  @Test
  void tokenIssuedAfterTheDisconnectIsAccepted() {
    WsClient ws = authenticated(tokens.hs256("42"));
    disconnectUser("42");
    assertEquals(4403, ws.closeCode());
    // iat one second granularity: a token issued in the disconnect's second counts as before it;
    // 2 s ahead is within the default 30 s clock skew
    String fresh = tokens.hs256(TestTokens.claims("42").put("iat", TestTokens.nowSec() + 2));
    WsClient again = authenticated(fresh);
    again.assertAlive();
    WsClient viaHeader = withHeader(fresh);
    viaHeader.assertAlive();
  }

  @Test
  void disconnectOfAUserWithoutConnectionsStillRevokesTheirTokens() {
    String before = tokens.hs256("99");
    assertEquals(0, disconnectUser("99").json().getInteger("closed"));
    WsClient ws = connect(null);
    ws.write(new JsonObject().put("type", "auth").put("token", before).encode());
    assertEquals(4401, ws.closeCode());
  }

  @Test
  void disconnectEndsTheUsersSseStreamsToo() {
    SseReader stream =
        SseReader.open(vertx, node.port(), "/sse?channel=disc-sse&token=" + tokens.hs256("42"));
    try {
      assertEquals(200, stream.status());
      stream.firstId();
      WsClient ws = authenticated(tokens.hs256("42"));
      assertEquals(2, disconnectUser("42").json().getInteger("closed"));
      assertEquals(4403, ws.closeCode());
      stream.awaitEnd();
    } finally {
      stream.close();
    }
  }

  @Test
  void everyDisconnectIsAnswered() {
    // each request on a new connection, so they land on both event loops
    for (int i = 0; i < 12; i++) {
      HttpClient client = vertx.createHttpClient();
      try {
        Promise<Integer> status = Promise.promise();
        RequestOptions options = new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/api/disconnect")
            .setHeaders(apiKey());
        vertx
            .getOrCreateContext()
            .runOnContext(v -> client
                .request(options)
                .compose(request -> request.send(Buffer.buffer("{\"user\":\"u" + "\"}")))
                .compose(response -> response.body().map(b -> response.statusCode()))
                .onComplete(status));
        assertEquals(200, Await.result(status.future()), "request " + i);
      } finally {
        client.close();
      }
    }
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("empty body", ""),
        Arguments.of("not JSON", "user=42"),
        Arguments.of("JSON array", "[\"42\"]"),
        Arguments.of("JSON string", "\"42\""),
        Arguments.of("no user", "{}"),
        Arguments.of("numeric user", "{\"user\":42}"),
        Arguments.of("empty user", "{\"user\":\"\"}"),
        Arguments.of("null user", "{\"user\":null}"),
        Arguments.of("user list", "{\"user\":[\"42\"]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyIs400AndDisconnectsNoOne(String name, String body) {
    WsClient ws = authenticated(tokens.hs256("42"));
    Reply reply = disconnect(body);
    assertEquals(400, reply.status(), reply.toString());
    assertEquals("bad_request", reply.json().getString("code"), reply.toString());
    ws.assertAlive();
  }

  @Test
  void disconnectNeedsCredentials() {
    WsClient ws = authenticated(tokens.hs256("42"));
    Reply none =
        node.exchange(node.port(), HttpMethod.POST, "/api/disconnect", "{\"user\":\"42\"}", null);
    assertEquals(401, none.status(), none.toString());
    Reply userToken = node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/disconnect",
        "{\"user\":\"42\"}",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + tokens.hs256("42")));
    assertEquals(403, userToken.status(), userToken.toString());
    ws.assertAlive();
  }

  private static JsonObject without(JsonObject json, String key) {
    json.remove(key);
    return json;
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.vertx.core.MultiMap;
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

/**
 * A user's own token on the HTTP API (publish, history, presence): the request is that user's, as
 * over a WebSocket, so a browser that only reaches SSE can do over HTTP what it could do there, and
 * no more. Who may call the API at all is {@link ApiAuthTest}.
 */
@ExtendWith(VertxExtension.class)
class UserApiTest {
  private static final String API_KEY = "user-api-test-key";

  private Vertx vertx;
  private TestTokens tokens;
  private TestNode node;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private TestNode start(JsonObject more) {
    JsonObject config = TestTokens.nodeConfig()
        .mergeIn(
            new JsonObject().put("namespaces", new JsonObject().put("user", new JsonObject())),
            true)
        .mergeIn(more, true);
    config.getJsonObject("auth").put("apiKeys", new JsonArray().add(API_KEY));
    node = TestNode.start(vertx, config);
    return node;
  }

  private Reply call(HttpMethod method, String uri, Object body, String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", authorization);
    return node.exchange(
        node.port(), method, uri, body == null ? null : ((JsonObject) body).encode(), headers);
  }

  private String user(String sub) {
    return "Bearer " + tokens.hs256(sub);
  }

  private static JsonObject message(String channel, Object data) {
    return new JsonObject().put("channel", channel).put("data", data);
  }

  /** What user 42 may and may not do with its own token: the namespace's policies decide. */
  static Stream<Arguments> userCalls() {
    JsonObject text = new JsonObject().put("text", "hi");
    return Stream.of(
        Arguments.of(
            "publish to an open namespace",
            HttpMethod.POST,
            "/api/publish",
            message("chat:user-api", text),
            200,
            null),
        Arguments.of(
            "publish against the schema",
            HttpMethod.POST,
            "/api/publish",
            message("chat:user-api", new JsonObject().put("nope", 1)),
            400,
            "invalid_payload"),
        Arguments.of(
            "publish to a server-only namespace",
            HttpMethod.POST,
            "/api/publish",
            message("feed:user-api", 1),
            403,
            "forbidden"),
        Arguments.of(
            "publish to an unknown namespace",
            HttpMethod.POST,
            "/api/publish",
            message("nope:x", 1),
            404,
            "unknown_channel"),
        Arguments.of(
            "history of its own personal channel",
            HttpMethod.GET,
            "/api/channels/user:42/history",
            null,
            200,
            null),
        Arguments.of(
            "history of another user's channel",
            HttpMethod.GET,
            "/api/channels/user:43/history",
            null,
            403,
            "forbidden"),
        Arguments.of(
            "presence", HttpMethod.GET, "/api/channels/chat:user-api/presence", null, 200, null),
        Arguments.of(
            "presence of another user's channel",
            HttpMethod.GET,
            "/api/channels/user:43/presence",
            null,
            403,
            "forbidden"),
        Arguments.of(
            "batch",
            HttpMethod.POST,
            "/api/batch",
            new JsonObject().put("messages", new JsonArray().add(message("chat:user-api", text))),
            403,
            "forbidden"),
        Arguments.of(
            "disconnect",
            HttpMethod.POST,
            "/api/disconnect",
            new JsonObject().put("user", "42"),
            403,
            "forbidden"),
        Arguments.of("drain", HttpMethod.POST, "/api/drain", new JsonObject(), 403, "forbidden"));
  }

  @ParameterizedTest(name = "{0} -> {4}")
  @MethodSource("userCalls")
  void aUsersTokenActsAsThatUser(
      String name, HttpMethod method, String uri, JsonObject body, int status, String code) {
    start(new JsonObject());
    Reply reply = call(method, uri, body, user("42"));
    assertEquals(status, reply.status(), name + ": " + reply);
    if (code != null) {
      assertEquals(code, reply.json().getString("code"), name + ": " + reply);
    }
  }

  @Test
  void aUsersPublishCarriesTheUserAsPublisherAndTheServersNone() {
    start(new JsonObject());
    String channel = "chat:user-api-publisher";
    JsonObject text = new JsonObject().put("text", "hi");
    assertEquals(
        200,
        call(HttpMethod.POST, "/api/publish", message(channel, text), user("42"))
            .status());
    assertEquals(
        200,
        call(HttpMethod.POST, "/api/publish", message(channel, text), "ApiKey " + API_KEY)
            .status());
    JsonArray messages = call(
            HttpMethod.GET, "/api/channels/" + channel + "/history", null, "ApiKey " + API_KEY)
        .json()
        .getJsonArray("messages");
    assertEquals("42", messages.getJsonObject(0).getString("publisher"));
    assertFalse(messages.getJsonObject(1).containsKey("publisher"), messages.encode());
  }

  @Test
  void aUsersRequestsAreLimitedPerUserLikeAWebSocketsFrames() {
    start(new JsonObject()
        .put("limits", new JsonObject().put("messagesPerSecond", 2).put("messagesBurst", 2)));
    JsonObject publish = message("chat:user-api-rate", new JsonObject().put("text", "hi"));
    assertEquals(200, call(HttpMethod.POST, "/api/publish", publish, user("42")).status());
    assertEquals(
        200,
        call(HttpMethod.GET, "/api/channels/user:42/history", null, user("42")).status());
    Reply over = call(HttpMethod.POST, "/api/publish", publish, user("42"));
    assertEquals(429, over.status(), over.toString());
    assertEquals("rate_limited", over.json().getString("code"));
    assertEquals(
        200,
        call(HttpMethod.POST, "/api/publish", publish, user("43")).status(),
        "another user has a budget of its own");
    assertEquals(
        200,
        call(HttpMethod.POST, "/api/publish", publish, "ApiKey " + API_KEY).status(),
        "API keys are not users");
  }
}

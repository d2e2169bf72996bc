package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROTOCOL.md sections 6 and 8: who may call {@code /api/*} ({@code Authorization: ApiKey} with a
 * configured key, or {@code Bearer} with an admin JWT; a user's own JWT for publish, history and
 * presence, acting as that user), when the API is open, and that {@code /health} and
 * {@code /ready} need no credentials and move to {@code http.adminPort}.
 */
@ExtendWith(VertxExtension.class)
class ApiAuthTest {
  private static final String KEY_ONE = "api-key-one-for-the-tests";
  private static final String KEY_TWO = "api-key-two-for-the-tests";
  /** In the credentials table: 200 where a user may act, 403 elsewhere ({@link #assertUserToken}). */
  private static final int AS_USER = -1;

  private Vertx vertx;
  private TestTokens tokens;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(boolean anonymous, List<String> apiKeys, JsonObject more) {
    JsonObject config = TestTokens.nodeConfig().mergeIn(more, true);
    config
        .getJsonObject("auth")
        .put("anonymous", anonymous)
        .put("apiKeys", new JsonArray(new ArrayList<>(apiKeys)));
    TestNode node = TestNode.start(vertx, config);
    nodes.add(node);
    return node;
  }

  private TestNode start(boolean anonymous, List<String> apiKeys) {
    return start(anonymous, apiKeys, new JsonObject());
  }

  /**
   * One call of every kind of the API, as method, path and body; {@code asUser}: a user's own
   * token may make it (what the user could do over a WebSocket).
   */
  private record Call(String name, HttpMethod method, String uri, String body, boolean asUser) {}

  private static List<Call> calls() {
    return List.of(
        new Call(
            "publish",
            HttpMethod.POST,
            "/api/publish",
            new JsonObject()
                .put("channel", "api-auth")
                .put("data", new JsonObject().put("n", 1))
                .encode(),
            true),
        new Call(
            "batch",
            HttpMethod.POST,
            "/api/batch",
            new JsonObject()
                .put(
                    "messages",
                    new JsonArray()
                        .add(new JsonObject()
                            .put("channel", "api-auth")
                            .put("data", new JsonObject().put("n", 2))))
                .encode(),
            false),
        new Call("history", HttpMethod.GET, "/api/channels/api-auth/history", null, true),
        new Call("presence", HttpMethod.GET, "/api/channels/chat:api-auth/presence", null, true),
        new Call(
            "disconnect",
            HttpMethod.POST,
            "/api/disconnect",
            new JsonObject().put("user", "nobody").encode(),
            false));
  }

  private static Reply call(TestNode node, Call call, String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    return node.exchange(node.port(), call.method(), call.uri(), call.body(), headers);
  }

  /**
   * A user's own token: 200 where a user may act (acting as that user), 403 {@code forbidden}
   * everywhere else.
   */
  private static void assertUserToken(TestNode node, String authorization) {
    for (Call call : calls()) {
      Reply reply = call(node, call, authorization);
      assertEquals(call.asUser() ? 200 : 403, reply.status(), call.name() + ": " + reply);
      if (!call.asUser()) {
        assertEquals("forbidden", reply.json().getString("code"), call.name() + ": " + reply);
      }
    }
  }

  private static void assertEveryCall(
      TestNode node, String authorization, int status, String code) {
    for (Call call : calls()) {
      Reply reply = call(node, call, authorization);
      assertEquals(status, reply.status(), call.name() + ": " + reply);
      if (code != null) {
        assertEquals(code, reply.json().getString("code"), call.name() + ": " + reply);
      }
    }
  }

  static Stream<Arguments> credentials() {
    return Stream.of(
        row("no Authorization header", t -> null, 401, "unauthorized"),
        row("wrong API key", t -> "ApiKey not-a-key", 401, "unauthorized"),
        row("empty API key", t -> "ApiKey ", 401, "unauthorized"),
        row(
            "API key prefix of a right key",
            t -> "ApiKey " + KEY_ONE.substring(0, 10),
            401,
            "unauthorized"),
        row("right API key", t -> "ApiKey " + KEY_ONE, 200, null),
        row("second right API key", t -> "ApiKey " + KEY_TWO, 200, null),
        row("right API key, scheme in lower case", t -> "apikey " + KEY_ONE, 200, null),
        row("API key sent as a Bearer token", t -> "Bearer " + KEY_ONE, 401, "unauthorized"),
        row("Basic credentials", t -> "Basic YWRtaW46YWRtaW4=", 401, "unauthorized"),
        row(
            "Bearer admin JWT (HS256)",
            t -> "Bearer " + t.hs256(TestTokens.admin("ops")),
            200,
            null),
        row(
            "Bearer admin JWT (ES256)",
            t -> "Bearer " + t.es256(TestTokens.admin("ops")),
            200,
            null),
        row(
            "Bearer JWT without role",
            t -> "Bearer " + t.hs256(TestTokens.claims("42")),
            AS_USER,
            null),
        row(
            "Bearer JWT with role user",
            t -> "Bearer " + t.rs256(TestTokens.claims("42").put("role", "user")),
            AS_USER,
            null),
        row(
            "Bearer admin JWT, bad signature",
            t -> "Bearer " + t.badSignature(TestTokens.admin("ops")),
            401,
            "unauthorized"),
        row(
            "Bearer admin JWT, alg none",
            t -> "Bearer " + t.algNone(TestTokens.admin("ops")),
            401,
            "unauthorized"),
        row(
            "Bearer admin JWT, expired",
            t -> "Bearer "
                + t.hs256(TestTokens.admin("ops")
                    .put("exp", TestTokens.nowSec() - TestTokens.LONG_AGO_SEC)),
            401,
            "unauthorized"),
        row(
            "Bearer non-admin JWT tampered into admin",
            t -> "Bearer " + t.tampered(TestTokens.claims("42")),
            401,
            "unauthorized"));
  }

  private static Arguments row(
      String name, Function<TestTokens, String> authorization, int status, String code) {
    return Arguments.of(name, authorization, status, code);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("credentials")
  void apiKeysCloseTheApiEvenWithAnonymousAccess(
      String name, Function<TestTokens, String> authorization, int status, String code) {
    TestNode node = start(true, List.of(KEY_ONE, KEY_TWO));
    if (status == AS_USER) {
      assertUserToken(node, authorization.apply(tokens));
    } else {
      assertEveryCall(node, authorization.apply(tokens), status, code);
    }
  }

  @Test
  void apiIsOpenWithAnonymousAccessAndNoApiKeys() {
    TestNode node = start(true, List.of());
    assertEveryCall(node, null, 200, null);
    // credentials are still checked when sent
    assertEveryCall(
        node, "Bearer " + tokens.badSignature(TestTokens.admin("ops")), 401, "unauthorized");
    assertEveryCall(node, "ApiKey anything", 401, "unauthorized");
    assertEveryCall(node, "Bearer " + tokens.hs256(TestTokens.admin("ops")), 200, null);
  }

  @Test
  void apiIsClosedWithoutAnonymousAccessEvenWithoutApiKeys() {
    TestNode node = start(false, List.of());
    assertEveryCall(node, null, 401, "unauthorized");
    assertUserToken(node, "Bearer " + tokens.hs256(TestTokens.claims("42")));
    assertEveryCall(node, "Bearer " + tokens.rs256(TestTokens.admin("ops")), 200, null);
  }

  @Test
  void healthAndReadyNeedNoCredentials() {
    TestNode node = start(false, List.of(KEY_ONE));
    Reply health = node.get("/health");
    assertEquals(200, health.status(), health.toString());
    assertEquals("ok", health.json().getString("status"));
    Reply ready = node.get("/ready");
    assertEquals(200, ready.status(), ready.toString());
    assertEquals(true, ready.json().getBoolean("ready"));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void adminPortTakesHealthAndReadyOffThePublicPort() {
    int adminPort = freePort();
    TestNode node = start(
        false,
        List.of(KEY_ONE),
        new JsonObject().put("http", new JsonObject().put("adminPort", adminPort)));
    for (String path : List.of("/health", "/ready")) {
      Reply admin = node.exchange(adminPort, HttpMethod.GET, path, null, null);
      assertEquals(200, admin.status(), path + " on the admin port: " + admin);
      Reply pub = node.exchange(node.port(), HttpMethod.GET, path, null, null);
      assertEquals(404, pub.status(), path + " on the public port: " + pub);
    }
    assertEquals(
        "ok",
        node.exchange(adminPort, HttpMethod.GET, "/health", null, null).json().getString("status"));
    // the admin port serves nothing else, and the API stays on the public port
    MultiMap key = MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + KEY_ONE);
    Call publish = calls().get(0);
    assertEquals(
        404,
        node.exchange(adminPort, publish.method(), publish.uri(), publish.body(), key)
            .status());
    assertEquals(
        200,
        node.exchange(node.port(), publish.method(), publish.uri(), publish.body(), key)
            .status());
  }
}

package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 * PROTOCOL.md sections 3, 4 and 6 over real WebSockets: the auth frame, the upgrade's
 * {@code Authorization: Bearer} and {@code ?token=}, the auth timeout, token expiry and refresh,
 * and anonymous access. Close code 4401 for every refused token.
 */
@ExtendWith(VertxExtension.class)
class AuthTest {
  /** The test config's auth.timeoutMs. */
  private static final long AUTH_TIMEOUT_MS = 500;
  /** Timer slack: a close may come this much before its nominal time (second-rounded exp). */
  private static final long EARLY_SLACK_MS = 50;

  private Vertx vertx;
  private TestNode node;
  private TestTokens tokens;
  private final List<TestNode> extraNodes = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
    node = TestNode.start(vertx, TestTokens.nodeConfig());
  }

  @AfterEach
  void stop() {
    extraNodes.forEach(TestNode::close);
    node.close();
  }

  private WsClient connect(String uri, MultiMap headers) {
    return connect(node, uri, headers);
  }

  private WsClient connect(TestNode on, String uri, MultiMap headers) {
    WsClient ws = WsClient.connect(vertx, on.port(), uri, headers);
    node.track(ws);
    return ws;
  }

  private WsClient connect() {
    return connect("/ws", null);
  }

  private static MultiMap bearer(String token) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
  }

  private static JsonObject auth(String token) {
    return new JsonObject().put("type", "auth").put("token", token);
  }

  /** Connects and authenticates with an auth frame; returns the client after its welcome. */
  private WsClient authenticated(String token) {
    WsClient ws = connect();
    ws.send(auth(token));
    ws.next("welcome");
    return ws;
  }

  private void awaitUntil(long epochMs) {
    long delay = Math.max(1, epochMs - System.currentTimeMillis());
    Await.result(vertx.timer(delay));
  }

  private static void assertAlive(WsClient ws) {
    assertEquals("pong", ws.request(new JsonObject().put("type", "ping")).getString("type"));
    assertFalse(ws.isClosed());
  }

  // ---- before authentication ----

  @Test
  void noAuthWithinTimeoutClosesWith4401() {
    long opened = System.currentTimeMillis();
    WsClient ws = connect();
    assertEquals(4401, ws.closeCode());
    long elapsed = System.currentTimeMillis() - opened;
    assertTrue(elapsed >= AUTH_TIMEOUT_MS - EARLY_SLACK_MS, "closed after " + elapsed + " ms");
    assertTrue(
        ws.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))),
        ws.received().toString());
  }

  static Stream<Arguments> framesNeedingAuth() {
    return Stream.of(
        Arguments.of(
            "subscribe", new JsonObject().put("type", "subscribe").put("channel", "auth-before")),
        Arguments.of(
            "unsubscribe",
            new JsonObject().put("type", "unsubscribe").put("channel", "auth-before")),
        Arguments.of(
            "publish",
            new JsonObject()
                .put("type", "publish")
                .put("channel", "auth-before")
                .put("data", new JsonObject())),
        Arguments.of(
            "history", new JsonObject().put("type", "history").put("channel", "auth-before")),
        Arguments.of(
            "presence",
            new JsonObject().put("type", "presence").put("channel", "chat:auth-before")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framesNeedingAuth")
  void frameBeforeAuthIsUnauthorizedAndTheConnectionWaitsForTheTimeout(
      String name, JsonObject frame) {
    long opened = System.currentTimeMillis();
    WsClient ws = connect();
    JsonObject reply = ws.request(frame);
    assertEquals("error", reply.getString("type"), reply.encode());
    assertEquals("unauthorized", reply.getString("code"), reply.encode());
    assertAlive(ws);
    assertEquals(4401, ws.closeCode());
    assertTrue(System.currentTimeMillis() - opened >= AUTH_TIMEOUT_MS - EARLY_SLACK_MS);
  }

  @Test
  void pingBeforeAuthIsAnswered() {
    WsClient ws = connect();
    JsonObject pong = ws.request(new JsonObject().put("type", "ping"));
    assertEquals("pong", pong.getString("type"));
    ws.send(new JsonObject().put("type", "pong"));
    assertEquals(4401, ws.closeCode());
  }

  @Test
  void authFrameAfterAnUnauthorizedFrameStillWorks() {
    WsClient ws = connect();
    ws.request(new JsonObject().put("type", "subscribe").put("channel", "auth-late"));
    ws.send(auth(tokens.hs256("42")));
    assertEquals("42", ws.next("welcome").getString("user"));
    assertEquals("ack", ws.subscribe("auth-late").getString("type"));
  }

  // ---- the auth frame ----

  static Stream<Arguments> goodTokens() {
    return Stream.of(
        Arguments.of("HS256", (Function<TestTokens, String>) t -> t.hs256(TestTokens.claims("42"))),
        Arguments.of("RS256", (Function<TestTokens, String>) t -> t.rs256(TestTokens.claims("42"))),
        Arguments.of(
            "ES256", (Function<TestTokens, String>) t -> t.es256(TestTokens.claims("42"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodTokens")
  void goodAuthFrameIsWelcomedAsItsSub(String name, Function<TestTokens, String> token) {
    WsClient ws = connect();
    ws.send(auth(token.apply(tokens)));
    JsonObject welcome = ws.next("welcome");
    assertEquals("42", welcome.getString("user"), welcome.encode());
    assertTrue(
        welcome.getString("session") != null && welcome.getLong("heartbeat") > 0, welcome.encode());
    // usable, and not closed by the auth timeout
    assertEquals("ack", ws.subscribe("auth-good").getString("type"));
    awaitUntil(System.currentTimeMillis() + AUTH_TIMEOUT_MS + 200);
    assertAlive(ws);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.switchboard.testing.TestTokens#hostile")
  void badTokenInAuthFrameClosesWith4401(
      String name, Function<TestTokens, Function<String, String>> make) {
    WsClient ws = connect();
    ws.write(auth(make.apply(tokens).apply("42")).encode());
    assertEquals(4401, ws.closeCode());
    assertTrue(
        ws.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))),
        ws.received().toString());
  }

  @Test
  void authFrameWithoutTokenClosesWith4401() {
    WsClient ws = connect();
    ws.write("{\"type\":\"auth\"}");
    assertEquals(4401, ws.closeCode());
  }

  // ---- the upgrade request ----

  @Test
  void bearerHeaderOnTheUpgradeIsWelcomedWithoutAuthFrame() {
    WsClient ws = connect("/ws", bearer(tokens.rs256(TestTokens.claims("42"))));
    assertEquals("42", ws.next("welcome").getString("user"));
    assertEquals("ack", ws.subscribe("auth-header").getString("type"));
  }

  @Test
  void tokenQueryParameterIsWelcomedWithoutAuthFrame() {
    String token = tokens.es256(TestTokens.claims("42"));
    WsClient ws = connect("/ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), null);
    assertEquals("42", ws.next("welcome").getString("user"));
    assertEquals("ack", ws.subscribe("auth-query").getString("type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.switchboard.testing.TestTokens#hostile")
  void badBearerHeaderClosesWith4401(
      String name, Function<TestTokens, Function<String, String>> make) {
    WsClient ws = connect("/ws", bearer(make.apply(tokens).apply("42")));
    assertEquals(4401, ws.closeCode());
    assertTrue(
        ws.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))),
        ws.received().toString());
  }

  @Test
  void badQueryTokenClosesWith4401() {
    WsClient ws = connect("/ws?token=" + tokens.badSignature(TestTokens.claims("42")), null);
    assertEquals(4401, ws.closeCode());
  }

  // ---- expiry and refresh ----

  /** A token of {@code sub} expiring at the first whole second at least 1.5 s from now. */
  private static JsonObject expiringSoon(String sub) {
    long expSec = (System.currentTimeMillis() + 1500 + 999) / 1000;
    return TestTokens.claims(sub).put("exp", expSec);
  }

  @Test
  void connectionClosesWith4401WhenItsTokenExpires() {
    JsonObject claims = expiringSoon("42");
    long expiresAtMs = claims.getLong("exp") * 1000;
    WsClient ws = connect("/ws", bearer(tokens.hs256(claims)));
    ws.next("welcome");
    assertEquals("ack", ws.subscribe("auth-expiry").getString("type"));
    assertEquals(4401, ws.closeCode());
    long now = System.currentTimeMillis();
    assertTrue(
        now >= expiresAtMs - EARLY_SLACK_MS,
        "closed " + (expiresAtMs - now) + " ms before the token expired");
  }

  @Test
  void authFrameWithExpiringTokenAlsoExpires() {
    JsonObject claims = expiringSoon("42");
    WsClient ws = authenticated(tokens.es256(claims));
    assertEquals(4401, ws.closeCode());
    assertTrue(System.currentTimeMillis() >= claims.getLong("exp") * 1000 - EARLY_SLACK_MS);
  }

  @Test
  void freshTokenBeforeExpiryIsAckedAndTheConnectionSurvives() {
    JsonObject claims = expiringSoon("42");
    WsClient ws = connect("/ws", bearer(tokens.hs256(claims)));
    ws.next("welcome");
    ws.subscribe("auth-refresh");
    JsonObject ack = ws.request(auth(tokens.rs256(TestTokens.claims("42"))));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertTrue(ack.containsKey("id"), ack.encode());
    awaitUntil(claims.getLong("exp") * 1000 + 500);
    assertAlive(ws);
    // still subscribed, still the same user
    ws.publish("auth-refresh", new JsonObject().put("n", 1));
    JsonObject message = ws.nextMessage("auth-refresh");
    assertEquals(1, message.getJsonObject("data").getInteger("n"));
    assertEquals("42", message.getString("publisher"));
    ws.expectNo("welcome");
  }

  @Test
  void refreshWithAnotherExpiringTokenMovesTheExpiry() {
    JsonObject first = expiringSoon("42");
    WsClient ws = authenticated(tokens.hs256(first));
    long secondExp = first.getLong("exp") + 2;
    ws.request(auth(tokens.hs256(TestTokens.claims("42").put("exp", secondExp))));
    assertEquals(4401, ws.closeCode());
    assertTrue(
        System.currentTimeMillis() >= secondExp * 1000 - EARLY_SLACK_MS,
        "closed at the first token's expiry");
  }

  @Test
  void freshTokenForAnotherUserIsForbidden() {
    WsClient ws = authenticated(tokens.hs256("42"));
    JsonObject reply = ws.request(auth(tokens.hs256("7")));
    assertEquals("error", reply.getString("type"), reply.encode());
    assertEquals("forbidden", reply.getString("code"), reply.encode());
    assertAlive(ws);
    JsonObject ack = ws.publish("auth-other", new JsonObject());
    assertEquals("ack", ack.getString("type"));
    WsClient watcher = authenticated(tokens.hs256("9"));
    watcher.subscribe("auth-other-2");
    ws.publish("auth-other-2", new JsonObject());
    assertEquals("42", watcher.nextMessage("auth-other-2").getString("publisher"));
  }

  @Test
  void badTokenOnAnAuthenticatedConnectionIsAnErrorAndKeepsTheOldToken() {
    // a connection in use keeps its valid token: the refresh failed, not the connection
    WsClient ws = authenticated(tokens.hs256("42"));
    JsonObject reply = ws.request(auth(tokens.badSignature(TestTokens.claims("42"))));
    assertEquals("unauthorized", reply.getString("code"), reply.encode());
    assertAlive(ws);
  }

  // ---- anonymous access ----

  private TestNode anonymousNode() {
    TestNode anon = TestNode.start(
        vertx,
        TestTokens.nodeConfig()
            .put("auth", TestTokens.nodeConfig().getJsonObject("auth").put("anonymous", true)));
    extraNodes.add(anon);
    return anon;
  }

  @Test
  void anonymousConnectionIsWelcomedAtOnceAsEmptyUser() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", null);
    assertEquals("", ws.next("welcome").getString("user"));
    awaitUntil(System.currentTimeMillis() + AUTH_TIMEOUT_MS + 200);
    assertAlive(ws);
  }

  @Test
  void anonymousConnectionWithTokenIsWelcomedAsItsUser() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", bearer(tokens.hs256("42")));
    assertEquals("42", ws.next("welcome").getString("user"));
    ws.expectNo("welcome");
  }

  @Test
  void authFrameUpgradesAnAnonymousConnectionWithoutSubscriptions() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", null);
    assertEquals("", ws.next("welcome").getString("user"));
    JsonObject ack = ws.request(auth(tokens.hs256("42")));
    assertEquals("ack", ack.getString("type"), ack.encode());
    ws.expectNo("welcome");
    ws.subscribe("chat:auth-upgrade");
    JsonObject presence =
        ws.request(new JsonObject().put("type", "presence").put("channel", "chat:auth-upgrade"));
    assertEquals(
        "42", presence.getJsonArray("users").getJsonObject(0).getString("user"), presence.encode());
    ws.publish("chat:auth-upgrade", new JsonObject().put("text", "hi"));
    assertEquals("42", ws.nextMessage("chat:auth-upgrade").getString("publisher"));
  }

  @Test
  void authFrameCannotUpgradeAnAnonymousConnectionHoldingSubscriptions() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", null);
    ws.next("welcome");
    ws.subscribe("auth-anon-sub");
    JsonObject reply = ws.request(auth(tokens.hs256("42")));
    assertEquals("forbidden", reply.getString("code"), reply.encode());
    assertAlive(ws);
    ws.publish("auth-anon-sub", new JsonObject());
    assertEquals("", ws.nextMessage("auth-anon-sub").getString("publisher"));
  }

  @Test
  void anonymousConnectionWithBadAuthFrameStaysAnonymous() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", null);
    ws.next("welcome");
    JsonObject reply = ws.request(auth(tokens.algNone(TestTokens.claims("42"))));
    assertEquals("unauthorized", reply.getString("code"), reply.encode());
    assertAlive(ws);
  }

  @Test
  void anonymousNodeStillClosesABadUpgradeTokenWith4401() {
    TestNode anon = anonymousNode();
    WsClient ws = connect(anon, "/ws", bearer(tokens.badSignature(TestTokens.claims("42"))));
    assertEquals(4401, ws.closeCode());
  }
}

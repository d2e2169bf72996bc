package io.switchboard.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.ScriptedHook;
import io.switchboard.testing.ScriptedHook.Kind;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Application hooks (issue 12, part 4): a real node asks a real back end, a consumer on the event
 * bus or an HTTP server on a free port, before it welcomes, subscribes or takes a client's
 * publish; clients are real WebSocket and SSE connections.
 */
@ExtendWith(VertxExtension.class)
class HooksTest {
  /** hooks.timeoutMs where a test waits for it to pass. */
  private static final long TIMEOUT_MS = 300;
  /** hooks.timeoutMs elsewhere: a loaded machine never turns an answer into a timeout. */
  private static final long PATIENT_MS = 10_000;

  private final List<ScriptedHook> hooks = new ArrayList<>();
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    for (ScriptedHook hook : hooks) {
      hook.close();
    }
  }

  private ScriptedHook hook(Vertx vertx, Kind kind, String name) {
    ScriptedHook hook = ScriptedHook.start(vertx, kind, name);
    hooks.add(hook);
    return hook;
  }

  /**
   * Namespace {@code app} (presence, no schema) and {@code typed} (data {"text": string}) with the
   * given hooks; the default namespace has none.
   */
  private TestNode start(Vertx vertx, JsonObject global, JsonObject appHooks) {
    JsonObject textSchema = new JsonObject()
        .put("type", "object")
        .put("required", new JsonArray().add("text"))
        .put("properties", new JsonObject().put("text", new JsonObject().put("type", "string")));
    JsonObject config = new JsonObject()
        .put("hooks", new JsonObject().put("timeoutMs", PATIENT_MS).mergeIn(global))
        .put(
            "namespaces",
            new JsonObject()
                .put("app", new JsonObject().put("presence", true).put("hooks", appHooks))
                .put("typed", new JsonObject().put("schema", textSchema).put("hooks", appHooks)));
    node = TestNode.start(vertx, config);
    return node;
  }

  private static JsonObject publishHook(ScriptedHook hook) {
    return new JsonObject().put("publish", hook.target());
  }

  private static String text(JsonObject request) {
    return request.getJsonObject("data").getString("text");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void publishHookAllowsDeniesAndReplaces(Kind kind, Vertx vertx) {
    ScriptedHook hook = hook(vertx, kind, "publish").answer(request -> switch (text(request)) {
      case "deny" -> ScriptedHook.deny("forbidden", "not in this channel");
      case "swap" ->
        Future.succeededFuture(new JsonObject()
            .put("allow", true)
            .put("data", new JsonObject().put("text", "swapped")));
      default -> ScriptedHook.allow();
    });
    start(vertx, new JsonObject(), publishHook(hook));
    WsClient ws = node.ws();
    ws.subscribe("app:room");

    JsonObject allowed = ws.publish("app:room", new JsonObject().put("text", "hello"));
    assertEquals("ack", allowed.getString("type"), allowed.encode());
    assertEquals("hello", text(ws.nextMessage("app:room")));

    JsonObject denied = ws.publish("app:room", new JsonObject().put("text", "deny"));
    assertEquals("error", denied.getString("type"), denied.encode());
    assertEquals("forbidden", denied.getString("code"));
    assertEquals("not in this channel", denied.getString("message"));

    JsonObject replaced = ws.publish("app:room", new JsonObject().put("text", "swap"));
    assertEquals("ack", replaced.getString("type"), replaced.encode());
    JsonObject message = ws.nextMessage("app:room");
    assertEquals("swapped", text(message));
    assertEquals(replaced.getString("offset"), message.getString("offset"));
    ws.expectNo("message");

    JsonObject request = hook.requests().get(0);
    assertEquals("publish", request.getString("hook"));
    assertEquals("app:room", request.getString("channel"));
    assertEquals("", request.getString("user"));
    assertEquals(new JsonObject(), request.getJsonObject("claims"));
    assertEquals("ws", request.getString("transport"));
    assertEquals("127.0.0.1", request.getJsonObject("client").getString("address"));
    assertNotNull(request.getJsonObject("client").getString("session"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void subscribeHookDecidesOnWebSocketAndSse(Kind kind, Vertx vertx) {
    ScriptedHook hook = hook(vertx, kind, "subscribe")
        .answer(request -> request.getString("channel").endsWith("secret")
            ? ScriptedHook.deny("bogus_code", null)
            : ScriptedHook.allow());
    start(vertx, new JsonObject(), new JsonObject().put("subscribe", hook.target()));
    WsClient ws = node.ws();

    JsonObject refused = ws.subscribe("app:secret");
    assertEquals("error", refused.getString("type"), refused.encode());
    assertEquals("forbidden", refused.getString("code"), "an unknown code is forbidden");
    assertEquals("ack", ws.subscribe("app:open").getString("type"));
    node.publish("app:open", "hi");
    assertEquals("hi", ws.nextMessage("app:open").getString("data"));

    SseReader denied = node.sse("/sse?channel=app:open&channel=app:secret");
    assertEquals(403, denied.status());
    assertEquals("forbidden", denied.errorBody().getString("code"));
    SseReader sse = node.sse("/sse?channel=app:open");
    sse.firstId();
    node.publish("app:open", "to sse");
    assertEquals("to sse", sse.next("message").json().getString("data"));
    sse.close();
    assertTrue(hook.requests().stream().anyMatch(r -> "sse".equals(r.getString("transport"))));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectHookNamesTheUserAndShowsInfo(Kind kind, Vertx vertx) {
    TestTokens tokens = TestTokens.create(vertx);
    ScriptedHook hook = hook(vertx, kind, "connect")
        .answer(request -> Future.succeededFuture(new JsonObject()
            .put("allow", true)
            .put("user", "app-" + request.getString("user"))
            .put("info", new JsonObject().put("name", "Ada"))));
    JsonObject global = new JsonObject().put("connect", hook.target());
    node = TestNode.start(
        vertx,
        TestTokens.nodeConfig()
            .put("hooks", global.put("timeoutMs", PATIENT_MS))
            .put(
                "namespaces", new JsonObject().put("app", new JsonObject().put("presence", true))));
    WsClient ws =
        node.track(WsClient.connect(vertx, node.port(), "/ws?token=" + tokens.hs256("ada"), null));

    JsonObject welcome = ws.next("welcome");
    assertEquals("app-ada", welcome.getString("user"));
    assertEquals(new JsonObject().put("name", "Ada"), welcome.getJsonObject("info"));
    JsonObject request = hook.requests().get(0);
    assertEquals("connect", request.getString("hook"));
    assertEquals("ada", request.getString("user"));
    assertEquals("ada", request.getJsonObject("claims").getString("sub"));
    assertEquals(TestTokens.ISSUER, request.getJsonObject("claims").getString("iss"));

    ws.subscribe("app:lobby");
    JsonObject presence =
        ws.request(new JsonObject().put("type", "presence").put("channel", "app:lobby"));
    assertEquals("app-ada", presence.getJsonArray("users").getJsonObject(0).getString("user"));
    // a token refresh keeps the hook's user: same sub as the token the connection came with
    JsonObject refresh =
        ws.request(new JsonObject().put("type", "auth").put("token", tokens.hs256("ada")));
    assertEquals("ack", refresh.getString("type"), refresh.encode());
    assertEquals(1, hook.requests().size(), "asked once per connection");
  }

  @Test
  void aUserTheConnectHookNamesOwnsItsPersonalChannelOnWebSocketAndSse(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.BUS, "connect")
        .answer(request ->
            Future.succeededFuture(new JsonObject().put("allow", true).put("user", "alice")));
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("hooks", new JsonObject().put("connect", hook.target()))
            .put("namespaces", new JsonObject().put("user", new JsonObject())));
    WsClient ws = node.track(WsClient.connect(vertx, node.port()));
    assertEquals("alice", ws.next("welcome").getString("user"));
    assertEquals("ack", ws.subscribe("user:alice").getString("type"));
    assertEquals("forbidden", ws.subscribe("user:bob").getString("code"));

    SseReader own = node.sse("/sse?channel=user:alice");
    own.firstId();
    node.publish("user:alice", "for alice");
    assertEquals("for alice", own.next("message").json().getString("data"));
    own.close();
    SseReader other = node.sse("/sse?channel=user:bob");
    assertEquals(403, other.status());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectHookRefusalClosesWith4403AndAnswersSseWith403(Kind kind, Vertx vertx) {
    hook(vertx, kind, "connect").answer(request -> ScriptedHook.deny("forbidden", "banned"));
    start(vertx, new JsonObject().put("connect", hooks.get(0).target()), new JsonObject());
    WsClient ws = node.track(WsClient.connect(vertx, node.port()));

    JsonObject error = ws.next("error");
    assertEquals("forbidden", error.getString("code"));
    assertEquals("banned", error.getString("message"));
    assertEquals(4403, ws.closeCode());
    assertTrue(ws.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))));

    SseReader sse = node.sse("/sse?channel=app:x");
    assertEquals(403, sse.status());
    assertEquals("banned", sse.errorBody().getString("message"));
  }

  /** A hook that never answers (slow) or cannot be reached (down), under each policy. */
  enum Failure {
    SLOW,
    DOWN
  }

  static Stream<Arguments> failures() {
    List<Arguments> rows = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (Failure failure : Failure.values()) {
        for (String policy : List.of("deny", "allow")) {
          rows.add(Arguments.of(kind, failure, policy));
        }
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} {1} onFailure {2}")
  @MethodSource("failures")
  void aHookThatCannotAnswerGetsThePolicyWithinTimeoutWhileOthersAreServed(
      Kind kind, Failure failure, String policy, Vertx vertx) {
    ScriptedHook hook = hook(vertx, kind, "publish")
        .answer(request -> Promise.<JsonObject>promise().future());
    start(
        vertx,
        new JsonObject().put("onFailure", policy).put("timeoutMs", TIMEOUT_MS),
        publishHook(hook));
    if (failure == Failure.DOWN) {
      hook.close();
      hooks.remove(hook);
    }
    WsClient hooked = node.ws();
    WsClient other = node.ws();
    hooked.subscribe("app:stuck");

    long started = System.nanoTime();
    Future<JsonObject> reply = hooked.nextFrame(f -> Long.valueOf(99).equals(f.getLong("id")));
    hooked.send(new JsonObject()
        .put("type", "publish")
        .put("id", 99)
        .put("channel", "app:stuck")
        .put("data", new JsonObject().put("text", "waiting")));
    // the node keeps serving connections and namespaces the hook has no say in
    JsonObject meanwhile = other.publish("plain", "still served");
    assertEquals("ack", meanwhile.getString("type"), meanwhile.encode());
    if (failure == Failure.SLOW) {
      assertFalse(reply.isComplete(), "the hooked publish waits for its hook meanwhile");
    }
    JsonObject answer = Await.result(reply);
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(tookMs < TIMEOUT_MS + 1_000, "answered within hooks.timeoutMs: " + tookMs + " ms");
    if (failure == Failure.SLOW) {
      assertTrue(tookMs >= TIMEOUT_MS - 50, "not before hooks.timeoutMs: " + tookMs + " ms");
    }
    if (policy.equals("deny")) {
      assertEquals("error", answer.getString("type"), answer.encode());
      assertEquals("unavailable", answer.getString("code"));
      hooked.expectNo("message");
    } else {
      assertEquals("ack", answer.getString("type"), answer.encode());
      assertEquals("waiting", text(hooked.nextMessage("app:stuck")));
    }
  }

  @Test
  void aConnectHookThatDoesNotAnswerClosesWith1013UnderDeny(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.BUS, "connect")
        .answer(request -> Promise.<JsonObject>promise().future());
    start(
        vertx,
        new JsonObject().put("connect", hook.target()).put("timeoutMs", TIMEOUT_MS),
        new JsonObject());
    WsClient ws = node.track(WsClient.connect(vertx, node.port()));

    assertEquals("unavailable", ws.next("error").getString("code"));
    assertEquals(1013, ws.closeCode());
    SseReader sse = node.sse("/sse?channel=app:x");
    assertEquals(503, sse.status());
    assertEquals("unavailable", sse.errorBody().getString("code"));
  }

  @Test
  void aConnectHookThatDoesNotAnswerWelcomesUnderAllow(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.HTTP, "connect")
        .answer(request -> Promise.<JsonObject>promise().future());
    start(
        vertx,
        new JsonObject()
            .put("connect", hook.target())
            .put("onFailure", "allow")
            .put("timeoutMs", TIMEOUT_MS),
        new JsonObject());
    WsClient ws = node.track(WsClient.connect(vertx, node.port()));
    JsonObject welcome = ws.next("welcome");
    assertEquals("", welcome.getString("user"));
    assertFalse(welcome.containsKey("info"));
    ws.assertAlive();
  }

  @Test
  void callsOverMaxInFlightGetThePolicyAtOnce(Vertx vertx) {
    List<Promise<JsonObject>> waiting = new ArrayList<>();
    ScriptedHook hook = hook(vertx, Kind.BUS, "publish").answer(request -> {
      Promise<JsonObject> answer = Promise.promise();
      waiting.add(answer);
      return answer.future();
    });
    // answers come when the test releases them: a timeout long enough not to fire first
    start(vertx, new JsonObject().put("maxInFlight", 2), publishHook(hook));
    WsClient first = node.ws();
    WsClient second = node.ws();
    List<Future<JsonObject>> held = new ArrayList<>();
    for (WsClient ws : List.of(first, second)) {
      held.add(ws.nextFrame(f -> Long.valueOf(1).equals(f.getLong("id"))));
      ws.send(new JsonObject()
          .put("type", "publish")
          .put("id", 1)
          .put("channel", "app:busy")
          .put("data", "held"));
    }
    Await.until(() -> hook.requests().size() == 2, "both calls reach the hook");

    WsClient third = node.ws();
    long started = System.nanoTime();
    JsonObject over = third.publish("app:busy", "one too many");
    assertEquals("unavailable", over.getString("code"), over.encode());
    assertTrue((System.nanoTime() - started) / 1_000_000 < 2_000, "refused without waiting");
    assertEquals(2, hook.requests().size(), "the call over the bound is not sent");

    vertx.runOnContext(v -> waiting.forEach(p -> p.complete(new JsonObject().put("allow", true))));
    for (Future<JsonObject> reply : held) {
      assertEquals("ack", Await.result(reply).getString("type"));
    }
    hook.answer(request -> ScriptedHook.allow());
    assertEquals("ack", third.publish("app:busy", "room again").getString("type"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void publishesKeepTheirOrderWhenTheHookAnswersOutOfOrder(Kind kind, Vertx vertx) {
    // the first publish's answer comes last: the others are allowed at once, and wait for it
    ScriptedHook hook = hook(vertx, kind, "publish")
        .answer(request -> "0".equals(text(request))
            ? Future.<Void>future(p -> vertx.setTimer(150, id -> p.complete()))
                .map(v -> new JsonObject().put("allow", true))
            : ScriptedHook.allow());
    start(vertx, new JsonObject(), publishHook(hook));
    WsClient ws = node.ws();
    ws.subscribe("app:ordered");
    int count = 6;
    for (int i = 0; i < count; i++) {
      ws.send(new JsonObject()
          .put("type", "publish")
          .put("id", 100 + i)
          .put("channel", "app:ordered")
          .put("data", new JsonObject().put("text", String.valueOf(i))));
    }
    for (int i = 0; i < count; i++) {
      assertEquals(
          String.valueOf(i), text(ws.nextMessage("app:ordered")), "message " + i + ws.received());
    }
    List<Long> acks = ws.received().stream()
        .filter(f -> "ack".equals(f.getString("type")) && f.getLong("id") >= 100)
        .map(f -> f.getLong("id"))
        .toList();
    assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L), acks, "acks in order too");
    Await.until(() -> hook.requests().size() == count, "every publish asked");
  }

  @Test
  void replacedDataThatBreaksTheSchemaIsInvalidPayload(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.BUS, "publish")
        .answer(request -> Future.succeededFuture(
            new JsonObject().put("allow", true).put("data", new JsonObject().put("text", 5))));
    start(vertx, new JsonObject(), publishHook(hook));
    WsClient ws = node.ws();
    ws.subscribe("typed:room");
    JsonObject reply = ws.publish("typed:room", new JsonObject().put("text", "fine"));
    assertEquals("invalid_payload", reply.getString("code"), reply.encode());
    ws.expectNo("message");

    JsonObject bad = ws.publish("typed:room", new JsonObject().put("text", 1));
    assertEquals("invalid_payload", bad.getString("code"), bad.encode());
    assertEquals(1, hook.requests().size(), "data the schema refuses is not sent to the hook");
  }

  @Test
  void aBadAnswerGetsThePolicy(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.HTTP, "publish")
        .answer(request -> Future.succeededFuture(new JsonObject().put("ok", true)));
    start(vertx, new JsonObject(), publishHook(hook));
    WsClient ws = node.ws();
    assertEquals("unavailable", ws.publish("app:x", "?").getString("code"));
  }

  @Test
  void aConnectionClosedWhileItsSubscribeHookThinksHoldsNothing(Vertx vertx) {
    Promise<JsonObject> answer = Promise.promise();
    ScriptedHook hook = hook(vertx, Kind.BUS, "subscribe").answer(request -> answer.future());
    start(vertx, new JsonObject(), new JsonObject().put("subscribe", hook.target()));
    WsClient ws = node.ws();
    ws.send(new JsonObject().put("type", "subscribe").put("id", 1).put("channel", "app:gone"));
    Await.until(() -> hook.requests().size() == 1, "the hook is asked");
    ws.close();
    Await.until(
        () -> node.get("/metrics").body().contains("switchboard_connections{transport=\"ws\"} 0.0"),
        "the connection is gone");

    vertx.runOnContext(v -> answer.complete(new JsonObject().put("allow", true)));
    Await.until(() -> node.get("/metrics").body().contains("outcome=\"allow\""), "answered");
    String metrics = node.get("/metrics").body();
    assertTrue(metrics.contains("switchboard_subscriptions 0.0"), metrics);
    assertTrue(metrics.contains("switchboard_channels 0.0"), metrics);
    assertEquals(List.of(), Await.result(node.node().parts().engine().presence().list("app:gone")));
  }

  @Test
  void aConnectionGoneWhileItsConnectHookThinksIsNeverWelcomedAndFreesItsSlot(Vertx vertx) {
    TestTokens tokens = TestTokens.create(vertx);
    List<Promise<JsonObject>> waiting = new ArrayList<>();
    ScriptedHook hook = hook(vertx, Kind.BUS, "connect").answer(request -> {
      Promise<JsonObject> answer = Promise.promise();
      waiting.add(answer);
      return answer.future();
    });
    node = TestNode.start(
        vertx,
        TestTokens.nodeConfig()
            .put(
                "hooks",
                new JsonObject().put("connect", hook.target()).put("timeoutMs", PATIENT_MS))
            .put("limits", new JsonObject().put("maxConnectionsPerUser", 1)));
    WsClient first = node.track(WsClient.connect(vertx, node.port()));
    String token = tokens.hs256("ada");
    // two auth frames while the hook thinks: one question, one welcome
    first.send(new JsonObject().put("type", "auth").put("token", token));
    first.send(new JsonObject().put("type", "auth").put("token", token));
    Await.until(() -> hook.requests().size() == 1, "the hook is asked");
    first.close();
    Await.until(
        () -> node.get("/metrics").body().contains("switchboard_connections{transport=\"ws\"} 0.0"),
        "the connection is gone");
    vertx.runOnContext(v -> waiting.forEach(p -> p.complete(new JsonObject().put("allow", true))));
    assertEquals(1, hook.requests().size(), "asked once for the two auth frames");
    assertTrue(first.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))));

    // the slot of limits.maxConnectionsPerUser went with the connection
    hook.answer(request -> ScriptedHook.allow());
    WsClient second = node.track(WsClient.connect(vertx, node.port()));
    second.send(new JsonObject().put("type", "auth").put("token", token));
    assertEquals("ada", second.next("welcome").getString("user"));
    assertEquals(2, hook.requests().size());
  }

  @Test
  void hookCallsAreMetrics(Vertx vertx) {
    ScriptedHook hook = hook(vertx, Kind.BUS, "publish")
        .answer(request -> "no".equals(request.getValue("data"))
            ? ScriptedHook.deny("forbidden", "no")
            : ScriptedHook.allow());
    start(vertx, new JsonObject(), publishHook(hook));
    WsClient ws = node.ws();
    ws.publish("app:m", "yes");
    ws.publish("app:m", "no");
    String metrics = node.get("/metrics").body();
    assertTrue(
        metrics.contains(
            "switchboard_hook_duration_seconds_count{hook=\"publish\",outcome=\"allow\"} 1"),
        metrics);
    assertTrue(
        metrics.contains(
            "switchboard_hook_duration_seconds_count{hook=\"publish\",outcome=\"deny\"} 1"),
        metrics);
    assertTrue(metrics.contains("switchboard_hook_in_flight 0.0"), metrics);
  }
}

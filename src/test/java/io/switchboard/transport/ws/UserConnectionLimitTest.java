package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.metrics.PrometheusText;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** limits.maxConnectionsPerUser: counted when a connection authenticates, freed when it closes. */
@ExtendWith(VertxExtension.class)
class UserConnectionLimitTest {
  private static final int MAX = 2;

  private TestNode node;
  private TestTokens tokens;

  @BeforeEach
  void start(Vertx vertx) {
    tokens = TestTokens.create(vertx);
    node = TestNode.start(
        vertx,
        TestTokens.nodeConfig().put("limits", new JsonObject().put("maxConnectionsPerUser", MAX)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient connect(Vertx vertx, String user) {
    WsClient ws = WsClient.connect(
        vertx,
        node.port(),
        "/ws",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + tokens.hs256(user)));
    node.track(ws);
    return ws;
  }

  @Test
  void theConnectionOverTheLimitIsRateLimitedAndClosed4429(Vertx vertx) {
    for (int i = 0; i < MAX; i++) {
      assertEquals("u1", connect(vertx, "u1").next("welcome").getString("user"));
    }
    WsClient third = connect(vertx, "u1");
    assertEquals("rate_limited", third.next("error").getString("code"));
    assertEquals(4429, third.closeCode());
    // another user is not affected
    assertEquals("u2", connect(vertx, "u2").next("welcome").getString("user"));
  }

  @Test
  void closingAConnectionFreesItsSlot(Vertx vertx) {
    WsClient first = connect(vertx, "u3");
    first.next("welcome");
    connect(vertx, "u3").next("welcome");
    first.close();
    // the slot comes back once the server has processed the close: poll with a deadline, as
    // no event tells the client when that happened
    long deadline = System.currentTimeMillis() + 5_000;
    while (true) {
      JsonObject first3 = connect(vertx, "u3")
          .next(
              f -> "welcome".equals(f.getString("type")) || "error".equals(f.getString("type")),
              "welcome or error");
      if ("welcome".equals(first3.getString("type"))) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the slot of a closed connection was not freed: " + first3);
      }
    }
  }

  /** An SSE stream of {@code user} once the user holds the limit over WebSocket. */
  private SseReader sseOverTheLimit(Vertx vertx, String user) {
    for (int i = 0; i < MAX; i++) {
      connect(vertx, user).next("welcome");
    }
    return SseReader.open(vertx, node.port(), "/sse?channel=ulimit&token=" + tokens.hs256(user));
  }

  @Test
  void sseOverTheLimitIs429BeforeTheStream(Vertx vertx) {
    SseReader sse = sseOverTheLimit(vertx, "u4");
    assertEquals(429, sse.status());
    assertEquals("rate_limited", sse.errorBody().getString("code"));
    sse.close();
  }

  @Test
  void refusalsAreCountedUnderTheirOwnTransport(Vertx vertx) {
    SseReader sse = sseOverTheLimit(vertx, "u5");
    assertEquals(429, sse.status());
    sse.close();
    WsClient ws = connect(vertx, "u5");
    assertEquals(4429, ws.closeCode());
    PrometheusText metrics = new PrometheusText(node.get("/metrics").body());
    assertEquals(
        1, metrics.value("switchboard_errors_total{code=\"rate_limited\",transport=\"sse\"}"));
    assertEquals(
        1, metrics.value("switchboard_errors_total{code=\"rate_limited\",transport=\"ws\"}"));
  }
}

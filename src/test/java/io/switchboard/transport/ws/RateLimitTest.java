package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.messagesPerSecond / messagesBurst on a WebSocket (PROTOCOL.md sections 4 and 10): frames
 * over the rate get {@code rate_limited} (no id) and are dropped, a sustained flood is closed with
 * 4429, and the heartbeat answer is never refused.
 */
@ExtendWith(VertxExtension.class)
class RateLimitTest {
  private static final int RATE = 10;
  private static final int BURST = 20;
  private static final long TOKEN_MS = 1000 / RATE;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject().put("messagesPerSecond", RATE).put("messagesBurst", BURST)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  private static String ping(long id) {
    return new JsonObject().put("type", "ping").put("id", id).encode();
  }

  private static boolean rateLimited(JsonObject frame) {
    return "error".equals(frame.getString("type"))
        && "rate_limited".equals(frame.getString("code"));
  }

  /** Sends the whole burst and waits until the last of it is answered: the bucket is empty. */
  private static void spendTheBurst(WsClient ws) {
    for (int i = 1; i <= BURST; i++) {
      ws.write(ping(i));
    }
    ws.next(f -> "pong".equals(f.getString("type")) && f.getLong("id") == BURST, "pong " + BURST);
  }

  @Test
  void overTheBurstGetsRateLimitedThenRecovers(Vertx vertx) {
    WsClient ws = client();
    spendTheBurst(ws);
    ws.send(ping(1000));
    JsonObject error = ws.next(RateLimitTest::rateLimited, "rate_limited error");
    assertNull(error.getValue("id"), "the refused frame was not parsed: " + error);
    assertFalse(ws.isClosed(), "a short overrun only gets errors");

    // tokens come back with time and no event says so: poll once per token period, with a deadline
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    long id = 2000;
    while (true) {
      Await.result(vertx.timer(TOKEN_MS));
      long sent = ++id;
      ws.send(ping(sent));
      JsonObject reply = ws.next(
          f -> rateLimited(f) || ("pong".equals(f.getString("type")) && f.getLong("id") == sent),
          "pong or error");
      if ("pong".equals(reply.getString("type"))) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "no token came back within 5 s");
    }
    assertFalse(ws.isClosed());
  }

  @Test
  void sustainedFloodIsClosedWith4429() {
    WsClient ws = client();
    // far over burst + strikes, written without waiting: the server closes midway
    for (int i = 0; i < 20 * BURST; i++) {
      ws.write(ping(i));
    }
    assertEquals(4429, ws.closeCode());
    long errors = ws.received().stream().filter(RateLimitTest::rateLimited).count();
    assertTrue(errors >= BURST / 2, "refused frames were answered before the close: " + errors);
  }

  @Test
  void plainPongsAreNeverRefused() {
    WsClient ws = client();
    spendTheBurst(ws);
    // with no tokens left, each of these would be refused and 20 refusals would close the socket
    for (int i = 0; i < 50 * BURST; i++) {
      ws.write("{\"type\":\"pong\"}");
    }
    ws.expectNo("error");
    assertFalse(ws.isClosed());
  }

  @Test
  void zeroRateMeansNoLimit(Vertx vertx) {
    node.close();
    node = TestNode.start(
        vertx, new JsonObject().put("limits", new JsonObject().put("messagesPerSecond", 0)));
    WsClient ws = client();
    int frames = 50 * BURST;
    for (int i = 1; i <= frames; i++) {
      ws.write(ping(i));
    }
    ws.next(f -> "pong".equals(f.getString("type")) && f.getLong("id") == frames, "pong " + frames);
    assertEquals(0, ws.received().stream().filter(RateLimitTest::rateLimited).count());
  }
}

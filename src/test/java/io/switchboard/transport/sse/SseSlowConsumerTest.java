package io.switchboard.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An SSE reader that stops reading is dropped after limits.slowConsumerMs; others go on. */
@ExtendWith(VertxExtension.class)
class SseSlowConsumerTest {
  private static final String CHANNEL = "chat:sse-slow";
  private static final String TEXT = "y".repeat(16 * 1024);

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject()
                    .put("sendQueueBytes", 64 * 1024)
                    .put("slowConsumerMs", 200)
                    .put("maxBodyBytes", 4 * 1024 * 1024)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void streamThatStopsReadingIsDroppedWhileAWebSocketGetsEverything() {
    SseReader slow = node.sse("/sse?channel=" + CHANNEL);
    slow.firstId();
    WsClient healthy = node.ws();
    healthy.subscribe(CHANNEL);
    slow.pauseReading();
    long deadline = System.currentTimeMillis() + 20_000;
    int batch = 0;
    // publish until the server has dropped the stuck stream (presence back to one connection)
    while (connections() > 1) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the stuck SSE stream was never dropped");
      }
      JsonArray messages = new JsonArray();
      for (int i = 0; i < 50; i++) {
        messages.add(new JsonObject()
            .put("channel", CHANNEL)
            .put("data", new JsonObject().put("text", TEXT).put("name", batch + "-" + i)));
      }
      assertEquals(
          200,
          node.post("/api/batch", new JsonObject().put("messages", messages).encode())
              .status());
      for (int i = 0; i < 50; i++) {
        assertEquals(
            batch + "-" + i, healthy.nextMessage(CHANNEL).getJsonObject("data").getString("name"));
      }
      batch++;
    }
    slow.resumeReading();
    slow.awaitEnd();
    healthy.close();
    slow.close();
  }

  private int connections() {
    JsonArray users =
        node.get("/api/channels/" + CHANNEL + "/presence").json().getJsonArray("users");
    return users.isEmpty() ? 0 : users.getJsonObject(0).getInteger("connections");
  }
}

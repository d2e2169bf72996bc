package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * limits.sendQueueBytes / slowConsumerMs: a client that stops reading is closed with 4429 instead
 * of growing the server's queue, and the others keep receiving everything.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerTest {
  private static final String CHANNEL = "chat:slow";
  private static final int BATCHES = 12;
  private static final int PER_BATCH = 100;
  private static final String TEXT = "x".repeat(16 * 1024);

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
                    .put("slowConsumerMs", 300)
                    .put("maxFrameBytes", 1024 * 1024)
                    .put("maxBodyBytes", 4 * 1024 * 1024)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void clientThatStopsReadingIsClosed4429WhileOthersGetEverything() {
    WsClient slow = node.ws();
    slow.subscribe(CHANNEL);
    WsClient healthy = node.ws();
    healthy.subscribe(CHANNEL);
    slow.pauseReading();
    long slowestBatchNanos = 0;

    // ~19 MB: more than the loopback socket buffers hold, so the server's queue must fill
    for (int b = 0; b < BATCHES; b++) {
      long batchStart = System.nanoTime();
      JsonArray messages = new JsonArray();
      for (int i = 0; i < PER_BATCH; i++) {
        messages.add(new JsonObject()
            .put("channel", CHANNEL)
            .put("data", new JsonObject().put("text", TEXT).put("name", b + "-" + i)));
      }
      assertEquals(
          200,
          node.post("/api/batch", new JsonObject().put("messages", messages).encode())
              .status());
      for (int i = 0; i < PER_BATCH; i++) {
        assertEquals(
            b + "-" + i, healthy.nextMessage(CHANNEL).getJsonObject("data").getString("name"));
      }
      slowestBatchNanos = Math.max(slowestBatchNanos, System.nanoTime() - batchStart);
    }
    // the healthy client is never held up by the stuck one (the stuck one's queue is bounded by
    // SendQueueGuard: closed at once past 4 x sendQueueBytes; heap is not measured here because
    // the test's clients, which keep every frame, share this JVM)
    assertTrue(
        slowestBatchNanos < TimeUnit.SECONDS.toNanos(2),
        "a 1.6 MB batch reached the healthy client in " + slowestBatchNanos / 1_000_000 + " ms");
    // the server dropped the stuck client: it is gone from presence (no event tells the test)
    awaitConnections(1);
    slow.resumeReading();
    assertEquals(4429, slow.closeCode());
    assertFalse(healthy.isClosed());
    assertTrue(
        node.get("/metrics").body().contains("switchboard_slow_consumer_drops_total 1.0"),
        "the drop is counted");
    healthy.close();
  }

  private void awaitConnections(int expected) {
    long deadline = System.currentTimeMillis() + 10_000;
    int connections = -1;
    while (System.currentTimeMillis() < deadline) {
      JsonArray users =
          node.get("/api/channels/" + CHANNEL + "/presence").json().getJsonArray("users");
      connections = users.isEmpty() ? 0 : users.getJsonObject(0).getInteger("connections");
      if (connections == expected) {
        return;
      }
    }
    throw new AssertionError("presence still counts " + connections + " connections");
  }
}

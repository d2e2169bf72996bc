package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node as operators run it ({@code Main} with conf/logback.xml, a JVM of its own): JSON log
 * lines on request, a /metrics with Vert.x's meters next to Switchboard's, and a heap a client
 * that stops reading cannot grow.
 */
@ExtendWith(VertxExtension.class)
class MainProcessTest {
  private static final JsonObject OPEN_DEFAULT_NAMESPACE =
      new JsonObject().put("namespaces", new JsonObject().put("", new JsonObject()));

  @TempDir
  Path dir;

  @Test
  void jsonLogLinesAndVertxMetrics() {
    List<String> lines;
    try (NodeProcess node = NodeProcess.start(
        dir, OPEN_DEFAULT_NAMESPACE, List.of(), Map.of("SWITCHBOARD_LOG_FORMAT", "json"))) {
      HttpResponse<String> published =
          node.post("/api/publish", "{\"channel\":\"news\",\"data\":1}");
      assertEquals(200, published.statusCode(), published.body());
      String metrics = node.get("/metrics").body();
      assertTrue(metrics.contains("vertx_http_server_requests_total"), "Vert.x's meters");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM meters");
      assertTrue(
          metrics.contains("switchboard_messages_published_total{path=\"http\"} 1.0"),
          "Switchboard's meters in the same scrape");
      lines = node.output().lines().filter(line -> !line.isBlank()).toList();
    }
    assertFalse(lines.isEmpty(), "the node logged");
    for (String line : lines) {
      JsonObject event = new JsonObject(line);
      assertTrue(
          event.containsKey("level")
              && event.containsKey("loggerName")
              && event.containsKey("formattedMessage"),
          line);
    }
    assertTrue(lines.stream().anyMatch(line -> line.contains("switchboard started")), "start");
  }

  /**
   * 64 MB of messages published past a client that never reads, to a node whose heap and direct
   * memory are capped at 48 MB and 32 MB: were the stuck client's queue unbounded, the node would
   * run out of memory. It closes that client with 4429 and the healthy one gets everything.
   */
  @Test
  void aClientThatNeverReadsCannotGrowTheHeap(Vertx vertx) {
    JsonObject config = OPEN_DEFAULT_NAMESPACE
        .copy()
        .put(
            "limits",
            new JsonObject()
                .put("sendQueueBytes", 256 * 1024)
                .put("slowConsumerMs", 500)
                .put("maxBodyBytes", 4 * 1024 * 1024));
    try (NodeProcess node = NodeProcess.start(
        dir, config, List.of("-Xmx48m", "-XX:MaxDirectMemorySize=32m"), Map.of())) {
      WsClient slow = WsClient.connect(vertx, node.port());
      slow.subscribe("flood");
      slow.pauseReading();
      WsClient healthy = WsClient.connect(vertx, node.port());
      healthy.subscribe("flood");
      String text = "x".repeat(32 * 1024);
      int batches = 20;
      int perBatch = 100;
      for (int b = 0; b < batches; b++) {
        JsonArray messages = new JsonArray();
        for (int i = 0; i < perBatch; i++) {
          messages.add(new JsonObject()
              .put("channel", "flood")
              .put("data", new JsonObject().put("text", text).put("n", b * perBatch + i)));
        }
        HttpResponse<String> reply =
            node.post("/api/batch", new JsonObject().put("messages", messages).encode());
        assertEquals(200, reply.statusCode(), reply.body());
        for (int i = 0; i < perBatch; i++) {
          assertEquals(
              b * perBatch + i,
              healthy.nextMessage("flood").getJsonObject("data").getInteger("n"));
        }
      }
      slow.resumeReading();
      assertEquals(4429, slow.closeCode());
      assertEquals(200, node.get("/health").statusCode());
      assertTrue(node.process().isAlive(), "the node is still up");
      assertFalse(node.output().contains("OutOfMemoryError"), node.output());
      healthy.close();
    }
  }
}

package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node as operators run it ({@code Main} with conf/logback.xml): JSON log lines on request, and
 * a /metrics that carries Vert.x's own meters next to Switchboard's.
 */
class MainProcessTest {
  @TempDir
  Path dir;

  @Test
  void jsonLogLinesAndVertxMetrics() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = dir.resolve("node.json");
    Files.writeString(config, new JsonObject().put("http", new JsonObject()
        .put("host", "127.0.0.1").put("port", port))
        .put("namespaces", new JsonObject().put("", new JsonObject())).encode());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java,
        "-Dlogback.configurationFile=" + Path.of("conf/logback.xml").toAbsolutePath()));
    if (Runtime.version().feature() >= 22) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.switchboard.Main",
        "-conf", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
    builder.environment().put("SWITCHBOARD_LOG_FORMAT", "json");
    Process process = builder.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + port;
      awaitHealthy(http, base);
      HttpResponse<String> published = http.send(HttpRequest.newBuilder(URI.create(base
              + "/api/publish")).POST(HttpRequest.BodyPublishers.ofString(
              "{\"channel\":\"news\",\"data\":1}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, published.statusCode(), published.body());
      String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("vertx_http_server_requests_total"), "Vert.x's meters");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM meters");
      assertTrue(metrics.contains("switchboard_messages_published_total{path=\"http\"} 1.0"),
          "Switchboard's meters in the same scrape");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(dir.resolve("out.txt"), StandardCharsets.UTF_8)
        .stream().filter(line -> !line.isBlank()).toList();
    assertTrue(lines.size() >= 1, "the node logged");
    for (String line : lines) {
      JsonObject event = new JsonObject(line);
      assertTrue(event.containsKey("level") && event.containsKey("loggerName")
          && event.containsKey("formattedMessage"), line);
    }
    assertTrue(lines.stream().anyMatch(line -> line.contains("switchboard started")), "start");
  }

  private static void awaitHealthy(HttpClient http, String base) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the node did not answer /health within 20 s");
  }
}

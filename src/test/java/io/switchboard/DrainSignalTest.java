package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, graceful drain, on a real {@code io.switchboard.Main} process: SIGTERM drains the node
 * (clients closed with 1001) and the process exits 0; a second SIGTERM during the drain exits at
 * once, with 143.
 */
@ExtendWith(VertxExtension.class)
class DrainSignalTest {
  private static final long EXIT_DEADLINE_S = 30;
  /** How soon "at once" is: the JVM's halt, far below the drain window. */
  private static final long AT_ONCE_S = 5;

  @TempDir
  Path dir;

  private Vertx vertx;
  private NodeProcess node;
  private Process process;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() {
    for (WsClient client : clients) {
      try {
        client.close();
      } catch (RuntimeException | AssertionError e) {
        // closed by the node, or the process is gone: nothing to release
      }
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Test
  void sigtermDrainsTheClientsWith1001AndExitsZero() throws Exception {
    int port = start(1_000);
    for (int i = 0; i < 4; i++) {
      clients.add(WsClient.welcomed(vertx, port));
    }

    process.destroy(); // SIGTERM on Linux, as an orchestrator stopping the node sends

    for (WsClient client : clients) {
      assertEquals(1001, client.closeCode(), "closed as going away; " + output());
    }
    assertTrue(process.waitFor(EXIT_DEADLINE_S, TimeUnit.SECONDS), "exits after the drain");
    assertEquals(0, process.exitValue(), "exit status; " + output());
    String out = output();
    assertTrue(out.contains("SIGTERM: draining") && out.contains("drained"), out);
  }

  @Test
  void secondSigtermExitsAtOnce() throws Exception {
    // a minute-long drain: with 6 clients on 2 event loops, one loop keeps 2 or more open for
    // at least 20 s after its first close
    int port = start(60_000);
    for (int i = 0; i < 6; i++) {
      clients.add(WsClient.welcomed(vertx, port));
    }

    kill("TERM");
    List<Future<Short>> closes = clients.stream().map(WsClient::closed).toList();
    short first = Await.result(Future.any(closes)
        .map(any ->
            closes.stream().filter(Future::succeeded).findFirst().orElseThrow().result()));
    assertEquals(1001, first, "the first SIGTERM started the drain");
    HttpResponse<String> ready = node.get("/ready");
    assertEquals(503, ready.statusCode(), ready.body());
    assertEquals("draining", new JsonObject(ready.body()).getString("reason"));
    assertTrue(process.isAlive(), "still draining");

    long sentNanos = System.nanoTime();
    kill("TERM");
    assertTrue(
        process.waitFor(AT_ONCE_S, TimeUnit.SECONDS),
        "the second SIGTERM exits at once; " + output());
    long exitMs = (System.nanoTime() - sentNanos) / 1_000_000;
    assertEquals(TermSignal.HALT_STATUS, process.exitValue(), "exit status; " + output());
    assertTrue(output().contains("second SIGTERM"), output());
    assertTrue(exitMs < AT_ONCE_S * 1000, "exited " + exitMs + " ms after the second SIGTERM");
  }

  /** Starts Main on a free port with two event loops and this window; waits until it is ready. */
  private int start(long windowMs) {
    node = NodeProcess.start(
        dir,
        new JsonObject()
            .put("http", new JsonObject().put("instances", 2))
            .put("drain", new JsonObject().put("windowMs", windowMs))
            .put("namespaces", new JsonObject().put("", new JsonObject())),
        List.of(),
        Map.of());
    process = node.process();
    return node.port();
  }

  /** {@code kill -<signal> <pid>}, as an operator would send it. */
  private void kill(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .redirectErrorStream(true)
        .start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill ran");
    assertEquals(0, kill.exitValue(), "kill -" + signal);
  }

  private String output() {
    return node.output();
  }
}

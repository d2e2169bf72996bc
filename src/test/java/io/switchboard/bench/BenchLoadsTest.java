package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The bench's own clients against a real node at a small scale: the SSE reader, the protocol
 * connect and the storm's resume must count exactly, or the figures of `scripts/bench` mean
 * nothing. The bench runs on its own Vert.x instance, as it does in its own JVM.
 */
@ExtendWith(VertxExtension.class)
class BenchLoadsTest {
  private TestNode node;
  private Vertx bench;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
    bench = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    bench.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.close();
  }

  private static BenchOptions options(String... args) {
    return CommandLine.populateCommand(new BenchOptions(), args);
  }

  /** A node started in-process: no process of its own, so no CPU figures. */
  private Endpoint endpoint() {
    return new Endpoint(Target.SWITCHBOARD, "127.0.0.1", node.port(), null);
  }

  @Test
  void sseSubscribersReceiveEveryMessageOnce() throws Exception {
    try (FanoutLoad load =
        new FanoutLoad(options("--drain", "5"), bench, endpoint(), 2, 10, true)) {
      assertEquals(20, load.open().getInteger("subscribed"));
      JsonObject step = load.step(20, 1000);
      assertEquals(step.getLong("expected"), step.getLong("received"), step.encode());
      assertTrue(step.getLong("expected") >= 150, step.encode());
      assertEquals(0, step.getLong("dup"), step.encode());
      assertEquals(0, step.getLong("misrouted"), step.encode());
    }
  }

  @Test
  void connectCountsWelcomedAndSubscribedConnectionsOverBothTransports() throws Exception {
    ConnectLoad load = new ConnectLoad(
        options("--connects", "50", "--channels", "5", "--handshakes", "10"), bench, endpoint());
    for (boolean sse : new boolean[] {false, true}) {
      JsonObject figures = load.run(sse);
      assertEquals(50, figures.getInteger("connected"), figures.encode());
      assertEquals(0, figures.getInteger("failed"), figures.encode());
    }
  }

  @Test
  void stormResumesEveryClientWithoutLossOrDuplicates() throws Exception {
    BenchOptions options = options(
        "--connections", "200",
        "--channels", "10",
        "--storm-rate", "50",
        "--warmup", "1",
        "--storm-timeout", "20",
        "--drain", "5");
    try (StormLoad load = new StormLoad(options, bench, endpoint())) {
      JsonObject figures = load.run();
      assertEquals(200, figures.getInteger("reconnected"), figures.encode());
      assertEquals(200, figures.getLong("caughtUp"), figures.encode());
      assertEquals(0, figures.getLong("notRecovered"), figures.encode());
      assertEquals(0, figures.getLong("loss"), figures.encode());
      assertEquals(0, figures.getLong("dup"), figures.encode());
      assertTrue(figures.getLong("replayed") > 0, figures.encode());
    }
  }
}

package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.switchboard.transport.IdleTimer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The places that reach into Vert.x and Netty internals for memory, checked on live connections of
 * a real node: a Vert.x or Netty upgrade that turns one into a silent no-op fails here, not only in
 * the benchmark. (SseTest checks the idle timer of SSE streams.)
 */
@ExtendWith(VertxExtension.class)
class VertxInternalsTest {
  private static final String CHANNEL = "internals";
  private static final String TEXT = "x".repeat(16 * 1024);
  /** Long enough that only the hard limit, which needs the queued bytes, can close in time. */
  private static final long SLOW_CONSUMER_MS = 120_000;

  private TestNode node;

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void everyWebSocketWritesThroughTheDirectQueue(Vertx vertx) {
    node = TestNode.start(vertx);
    node.ws();
    node.ws();
    List<Boolean> installed = Await.result(node.node()
        .parts()
        .hubs()
        .probeSessions(
            session -> DirectWriteQueue.installed(((WsTransport) session.transport()).socket())));
    assertEquals(
        List.of(true, true),
        installed,
        "DirectWriteQueue no longer replaces Vert.x's write queue of a WebSocket connection "
            + "(VertxConnection.outboundMessageQueue): each idle connection costs ~4 KB more");
  }

  @Test
  void idleTimeoutIsNettysIdleStateHandlerAndAWebSocketHasNone(Vertx vertx) {
    // where Vert.x puts its idle timeout: on a plain HTTP connection of a server that has one
    Promise<Boolean> plainHasOne = Promise.promise();
    HttpServer plain = Await.result(vertx
        .createHttpServer(new HttpServerOptions().setIdleTimeout(60))
        .connectionHandler(c -> plainHasOne.tryComplete(IdleTimer.present(IdleTimer.pipelineOf(c))))
        .requestHandler(req -> req.response().end())
        .listen(0, "127.0.0.1"));
    Await.result(vertx
        .createHttpClient()
        .request(HttpMethod.GET, plain.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send()));
    assertTrue(
        Await.result(plainHasOne.future()),
        "Vert.x no longer times idle connections out with Netty's IdleStateHandler: IdleTimer "
            + "removes nothing, and idle WebSockets and SSE streams may keep another timer");
    Await.result(plain.close());

    node = TestNode.start(vertx);
    node.ws();
    List<Boolean> present = Await.result(node.node()
        .parts()
        .hubs()
        .probeSessions(session ->
            IdleTimer.present(((WebSocketInternal) ((WsTransport) session.transport()).socket())
                .channelHandlerContext()
                .pipeline())));
    assertEquals(
        List.of(false),
        present,
        "a WebSocket connection kept its IdleStateHandler (IdleTimer): ~240 bytes and a "
            + "scheduled task more per idle connection");
  }

  @Test
  void queuedBytesOfAPeerThatStopsReadingAreSeen(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject()
                    .put("sendQueueBytes", 64 * 1024)
                    .put("slowConsumerMs", SLOW_CONSUMER_MS)
                    .put("maxFrameBytes", 1024 * 1024)
                    .put("maxBodyBytes", 4 * 1024 * 1024)));
    WsClient stuck = node.ws();
    stuck.subscribe(CHANNEL);
    stuck.pauseReading();
    // 1.6 MB a batch, until the socket buffers are full and Netty's queue passes 4 x 64 KB
    for (int b = 0; b < 12 && !dropped(); b++) {
      JsonArray messages = new JsonArray();
      for (int i = 0; i < 100; i++) {
        messages.add(new JsonObject()
            .put("channel", CHANNEL)
            .put("data", new JsonObject().put("text", TEXT)));
      }
      assertEquals(
          200,
          node.post("/api/batch", new JsonObject().put("messages", messages).encode())
              .status());
    }
    // the grace period (slowConsumerMs) is far away: only a close at the hard limit, which
    // WsTransport decides from Netty's outbound buffer, comes this early
    Await.until(
        this::dropped,
        Duration.ofSeconds(20),
        "a slow-consumer drop at the hard limit; "
            + "none means WsTransport no longer sees the bytes queued in Netty's outbound buffer");
    stuck.resumeReading();
    assertEquals(4429, stuck.closeCode());
  }

  private boolean dropped() {
    return node.get("/metrics").body().contains("switchboard_slow_consumer_drops_total 1.0");
  }
}

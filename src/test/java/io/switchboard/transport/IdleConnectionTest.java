package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A TCP connection that never sends a request is closed; a live WebSocket is not. */
@ExtendWith(VertxExtension.class)
class IdleConnectionTest {
  private static final long TIMEOUT_MS = 400;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("heartbeat", new JsonObject().put("intervalMs", 100).put("timeoutMs", TIMEOUT_MS))
            .put("reaper", new JsonObject().put("intervalMs", 50)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void silentTcpConnectionIsClosedAfterTwiceTheHeartbeatTimeout(Vertx vertx) {
    long opened = System.nanoTime();
    NetSocket socket = Await.result(vertx.createNetClient().connect(node.port(), "127.0.0.1"));
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    Await.result(closed.future(), Duration.ofSeconds(5));
    long elapsedMs = (System.nanoTime() - opened) / 1_000_000;
    assertTrue(elapsedMs >= 2 * TIMEOUT_MS - 50, "closed after only " + elapsedMs + " ms");
  }

  @Test
  void webSocketThatAnswersPingsOutlivesTheIdleTimeout() {
    WsClient ws = node.ws();
    ws.subscribe("idle-ws");
    // pings come every 100 ms: 27 of them span more than three idle timeouts (3 x 800 ms)
    for (int i = 0; i < 27; i++) {
      ws.next("ping");
    }
    node.publish("idle-ws", 1);
    assertEquals(1, ws.nextMessage("idle-ws").getInteger("data"));
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /ready says why a node should get no traffic. (Broker outages: RedisOutageTest.) */
@ExtendWith(VertxExtension.class)
class ReadinessTest {

  @Test
  void aBlockedEventLoopMakesTheNodeNotReadyUntilItRunsAgain(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(
        vertx,
        new JsonObject()
            .put("heartbeat", new JsonObject().put("intervalMs", 1_600).put("timeoutMs", 10_000)));
    try {
      assertEquals(200, node.get("/ready").status());
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean blockedOne = new AtomicBoolean();
      // block exactly one of the node's loops, as a handler that blocks would
      node.node().parts().hubs().onEachLoop(() -> {
        if (blockedOne.compareAndSet(false, true)) {
          try {
            release.await(6, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      JsonObject notReady = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (notReady == null && System.nanoTime() < deadline) {
        TestNode.Reply reply = node.get("/ready");
        if (reply.status() == 503) {
          notReady = reply.json();
        }
      }
      release.countDown();
      assertTrue(notReady != null, "/ready answered 503 while a loop was blocked");
      assertEquals(false, notReady.getBoolean("ready"));
      assertTrue(notReady.getString("reason").contains("blocked"), notReady.encode());
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      int status = 0;
      while (status != 200 && System.nanoTime() < until) {
        status = node.get("/ready").status();
      }
      assertEquals(200, status, "ready again once the loop runs");
    } finally {
      node.close();
    }
  }
}

package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md section 3 with the node's two event loops subscribing to a channel at once: one
 * broker subscribe serves both, and it completes on the loop of the hub that sent it. The other
 * hub must still take its sessions live on its own loop; carrying on on the first one raced its
 * own deliveries (in a reconnect storm, a live message before the ack and the catch-up, or one
 * lost). A {@code CLIENT PAUSE} holds the broker subscribe until every client asked, so both hubs
 * wait on it; the hub asserts it goes live on its loop (tests run with assertions on).
 */
@ExtendWith(VertxExtension.class)
class SharedBrokerSubscribeTest {
  private static final int CLIENTS = 4;

  @Test
  void hubsWaitingOnOneBrokerSubscribeEachGoLiveOnTheirOwnLoop(Vertx vertx) throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      TestNode node = TestNode.start(
          vertx,
          RedisBrokerConfig.config(
              RedisBrokerConfig.options(redis.url(), "shared").put("timeoutMs", 5_000)));
      try {
        List<String> offsets = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
          offsets.add(node.publish("shared", new JsonObject().put("n", n)));
        }
        // connections go to the node's two loops in turn
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          clients.add(node.ws());
        }
        assertEquals("OK", redis.cli("client", "pause", "700", "all"));
        for (WsClient client : clients) {
          client.send(new JsonObject()
              .put("type", "subscribe")
              .put("id", 1)
              .put("channel", "shared")
              .put("since", offsets.get(0)));
        }
        for (WsClient client : clients) {
          JsonObject ack = client.next(f -> !"ping".equals(f.getString("type")), "the reply");
          assertEquals("ack", ack.getString("type"), ack.encode());
          assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
          assertEquals(offsets.get(2), ack.getString("offset"), ack.encode());
          for (int n = 1; n < 3; n++) {
            JsonObject message = client.nextMessage("shared");
            assertEquals(offsets.get(n), message.getString("offset"), message.encode());
          }
        }
        String live = node.publish("shared", new JsonObject().put("n", 3));
        for (WsClient client : clients) {
          assertEquals(live, client.nextMessage("shared").getString("offset"));
        }
      } finally {
        node.close();
      }
    }
  }
}

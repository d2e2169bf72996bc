package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Disconnects, revocations and the per-user limit of two nodes while their Redis is down (README
 * "Cluster", outages): a disconnect closes what the asked node holds and answers 503
 * {@code unavailable}, never a cluster-wide count; logins go on, checked against each node's own
 * revocations, and each node counts the per-user limit over its own connections; once Redis is
 * back, a disconnect reaches every node again.
 */
class DisconnectOutageTest {
  private static final int MAX_PER_USER = 2;
  /** The Redis command timeout of the nodes: a login that waited for Redis would take this long. */
  private static final long REDIS_TIMEOUT_MS = 5_000;

  private RedisServer redis;
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();
  private TestTokens tokens;

  @BeforeEach
  void startRedisAndNodes() {
    redis = RedisServer.start();
    JsonObject config = ClusterDisconnectTest.nodeConfig()
        .put("limits", new JsonObject().put("maxConnectionsPerUser", MAX_PER_USER))
        .mergeIn(RedisBrokerConfig.config(
            RedisBrokerConfig.options(redis.url(), "outage").put("timeoutMs", REDIS_TIMEOUT_MS)));
    for (int i = 0; i < 2; i++) {
      Vertx vertx = Vertx.vertx();
      vertxes.add(vertx);
      TestNode node =
          TestNode.start(vertx, config.copy().put("node", new JsonObject().put("id", "n" + i)));
      nodes.add(node);
      Await.result(node.node().parts().engine().broker().connected());
    }
    tokens = TestTokens.create(vertxes.get(0));
  }

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
    vertxes.forEach(v -> Await.result(v.close()));
    redis.close();
  }

  private void stopRedis() {
    redis.stop();
    for (TestNode node : nodes) {
      Await.until(
          () -> !node.node().parts().engine().broker().reachable(), "the node sees Redis gone");
    }
  }

  private Reply disconnect(int i, String user) {
    TestNode node = nodes.get(i);
    return node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/disconnect",
        new JsonObject().put("user", user).encode(),
        MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "ApiKey " + ClusterDisconnectTest.API_KEY));
  }

  private WsClient connect(int i, String token) {
    return nodes
        .get(0)
        .track(WsClient.connect(
            vertxes.get(0),
            nodes.get(i).port(),
            "/ws",
            MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token)));
  }

  private WsClient welcomed(int i, String token) {
    WsClient ws = connect(i, token);
    ws.next("welcome");
    return ws;
  }

  @Test
  void aDisconnectClosesWhatThisNodeHoldsAndAnswers503Unavailable() {
    String here = tokens.hs256(TestTokens.claims("42").put("tag", "here"));
    WsClient onZero = welcomed(0, here);
    WsClient onOne = welcomed(1, tokens.hs256(TestTokens.claims("42").put("tag", "there")));
    stopRedis();

    Reply reply = disconnect(0, "42");
    assertEquals(503, reply.status(), reply.toString());
    assertEquals("unavailable", reply.json().getString("code"), reply.toString());
    String message = reply.json().getString("message");
    assertTrue(message.contains("closed 1 connection(s) of user 42 on this node only"), message);
    assertEquals(4403, onZero.closeCode());
    // the other node was not reached: it says so, and does not pretend otherwise
    onOne.assertAlive();
    // this node refuses the token from its own list
    assertEquals(4401, connect(0, here).closeCode());
  }

  @Test
  void loginsGoOnWithoutWaitingForRedis() {
    stopRedis();
    long started = System.currentTimeMillis();
    for (int i = 0; i < nodes.size(); i++) {
      welcomed(i, tokens.hs256("9")).assertAlive();
    }
    long tookMs = System.currentTimeMillis() - started;
    assertTrue(tookMs < REDIS_TIMEOUT_MS / 2, "two logins took " + tookMs + " ms");
  }

  @Test
  void theUserLimitCountsEachNodesOwnConnections() {
    String token = tokens.hs256("u-outage");
    stopRedis();
    for (int i = 0; i < MAX_PER_USER; i++) {
      welcomed(0, token);
    }
    WsClient over = connect(0, token);
    assertEquals("rate_limited", over.next("error").getString("code"));
    assertEquals(4429, over.closeCode());
    welcomed(1, token).assertAlive();
  }

  @Test
  void onceRedisIsBackADisconnectReachesEveryNodeAgain() {
    WsClient onOne = welcomed(1, tokens.hs256("42"));
    stopRedis();
    redis.restart();
    for (TestNode node : nodes) {
      Await.until(
          () -> node.node().parts().engine().broker().reachable(), "the node sees Redis back");
    }
    Reply reply = disconnect(0, "42");
    assertEquals(200, reply.status(), reply.toString());
    // Redis came back empty: each node listed itself again as its link came back
    assertEquals(
        new JsonObject()
            .put("user", "42")
            .put("closed", 1)
            .put("complete", true)
            .put("nodes", 2)
            .put("answered", 2),
        reply.json());
    assertEquals(4403, onOne.closeCode());
  }
}

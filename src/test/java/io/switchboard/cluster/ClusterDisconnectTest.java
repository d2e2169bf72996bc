package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code POST /api/disconnect}, token revocation and {@code limits.maxConnectionsPerUser} across
 * nodes that share a Redis (README "Cluster"): a disconnect on one node closes the user's
 * connections on every node with 4403 and counts them all; the revoked tokens are refused on every
 * node, including one started afterwards; the per-user limit counts the connections of every node,
 * and the share of a node that died expires within {@code presence.ttlMs}. On one Redis server and
 * on a Redis Cluster of three masters. Redis outages: {@link DisconnectOutageTest}.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedRedis.Kind.class)
class ClusterDisconnectTest {
  static final String API_KEY = "cluster-disconnect-test-key";
  /** Short, so a dead node's entries expire within the test; every node of the cluster has it. */
  private static final long TTL_MS = 3_000;
  /**
   * After the ttl (counted from the dead node's last refresh, at most ttl / 3 before it died),
   * slack for a loaded machine.
   */
  private static final long EXPIRY_MARGIN_MS = 2_000;

  private static final int MAX_PER_USER = 3;
  /** The promise of a disconnect: every connection of the user is closed within this. */
  private static final long CLOSED_WITHIN_MS = 1_000;

  private static SharedRedis redis;

  @Parameter
  SharedRedis.Kind kind;

  private ThreeNodes nodes;
  private TestTokens tokens;
  private NodeProcess process;

  @TempDir
  Path dir;

  @BeforeParameterizedClassInvocation
  static void startRedis(SharedRedis.Kind kind) {
    redis = SharedRedis.start(kind);
  }

  @AfterParameterizedClassInvocation
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startNodes() {
    nodes = ThreeNodes.start(redis, "disconnect", nodeConfig());
    tokens = TestTokens.create(nodes.vertx(0));
  }

  @AfterEach
  void stopNodes() {
    if (process != null) {
      process.process().destroyForcibly();
    }
    nodes.close();
  }

  /**
   * Tokens required (the test keys), the default 30 s clock skew (so a token issued a few seconds
   * ahead is accepted), an API key for the disconnects.
   */
  static JsonObject nodeConfig() {
    JsonObject config = TestTokens.nodeConfig();
    JsonObject auth = config.getJsonObject("auth");
    auth.getJsonObject("jwt").remove("clockSkewMs");
    auth.put("apiKeys", new JsonArray().add(API_KEY));
    return config
        .put("presence", new JsonObject().put("ttlMs", TTL_MS))
        .put("limits", new JsonObject().put("maxConnectionsPerUser", MAX_PER_USER));
  }

  private Reply disconnect(int i, String user) {
    TestNode node = nodes.node(i);
    Reply reply = node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/disconnect",
        new JsonObject().put("user", user).encode(),
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + API_KEY));
    assertEquals(200, reply.status(), reply.toString());
    return reply;
  }

  private static JsonObject reply(
      String user, int closed, boolean complete, int nodes, int answered) {
    return new JsonObject()
        .put("user", user)
        .put("closed", closed)
        .put("complete", complete)
        .put("nodes", nodes)
        .put("answered", answered);
  }

  /** A WebSocket to {@code port} with the token on the upgrade request, closed with node 0. */
  private WsClient connect(int port, String token) {
    return nodes
        .node(0)
        .track(WsClient.connect(
            nodes.vertx(0),
            port,
            "/ws",
            MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token)));
  }

  private WsClient welcomed(int i, String token) {
    return welcomedOn(nodes.node(i).port(), token);
  }

  private WsClient welcomedOn(int port, String token) {
    WsClient ws = connect(port, token);
    ws.next("welcome");
    return ws;
  }

  private void assertRateLimited(int port, String token) {
    WsClient over = connect(port, token);
    assertEquals("rate_limited", over.next("error").getString("code"));
    assertEquals(4429, over.closeCode());
  }

  /**
   * Connects until the node welcomes the token's user: a slot freed elsewhere (a close, an
   * expiry) shows on this node after a Redis round trip no event announces.
   */
  private WsClient eventuallyWelcomed(int i, String token, long deadlineMs, String what) {
    while (true) {
      WsClient ws = connect(nodes.node(i).port(), token);
      JsonObject first = ws.next(
          f -> "welcome".equals(f.getString("type")) || "error".equals(f.getString("type")),
          "welcome or error");
      if ("welcome".equals(first.getString("type"))) {
        return ws;
      }
      assertTrue(System.currentTimeMillis() < deadlineMs, what + ": still " + first);
    }
  }

  private static String token(TestTokens tokens, String user, String tag) {
    // a claim of its own, so tokens of one user issued in the same second differ
    return tokens.hs256(TestTokens.claims(user).put("tag", tag));
  }

  @Test
  void disconnectOnOneNodeClosesTheUsersConnectionsOnEveryNodeWithinASecondAndCountsThemAll() {
    List<WsClient> user42 = new ArrayList<>();
    List<WsClient> user7 = new ArrayList<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      user42.add(welcomed(i, token(tokens, "42", "n" + i)));
      user7.add(welcomed(i, token(tokens, "7", "n" + i)));
    }
    Map<Integer, Long> closedAt = new ConcurrentHashMap<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      int node = i;
      user42.get(i).closed().onComplete(ar -> closedAt.put(node, System.nanoTime()));
    }

    long asked = System.nanoTime();
    assertEquals(reply("42", 3, true, 3, 3), disconnect(1, "42").json());
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      assertEquals(4403, user42.get(i).closeCode(), "user 42 on n" + i);
      int node = i;
      Await.until(() -> closedAt.containsKey(node), "close seen on n" + i);
      long ms = TimeUnit.NANOSECONDS.toMillis(closedAt.get(i) - asked);
      assertTrue(ms <= CLOSED_WITHIN_MS, "closed on n" + i + " after " + ms + " ms");
    }
    user7.forEach(WsClient::assertAlive);
  }

  @Test
  void revokedTokensAreRefusedOnEveryNodeAndOnANodeStartedAfterwards() {
    long now = TestTokens.nowSec();
    String used = token(tokens, "42", "used");
    // issued "after" the disconnect by its iat (within the clock skew): refused only as the
    // exact token of a connection the disconnect closed, which its node shares
    String ahead = tokens.hs256(TestTokens.claims("42").put("iat", now + 20));
    String unused = tokens.hs256(TestTokens.claims("42").put("iat", now - 60));
    WsClient onTwo = welcomed(2, used);
    WsClient onZero = welcomed(0, ahead);

    assertEquals(reply("42", 2, true, 3, 3), disconnect(1, "42").json());
    assertEquals(4403, onTwo.closeCode());
    assertEquals(4403, onZero.closeCode());

    nodes.startNode();
    for (int i = 0; i <= ThreeNodes.SIZE; i++) {
      for (String old : List.of(used, ahead, unused)) {
        WsClient ws = connect(nodes.node(i).port(), old);
        assertEquals(4401, ws.closeCode(), "an old token on n" + i);
      }
    }
    // and not only over WebSocket
    SseReader sse = nodes.sse(2, "/sse?channel=disc-sse&token=" + used, null);
    try {
      assertEquals(401, sse.status());
    } finally {
      sse.close();
    }

    // iat has a one-second granularity: a token issued in the disconnect's second counts as
    // before it; 3 s ahead is within the default 30 s clock skew
    String fresh = tokens.hs256(
        TestTokens.claims("42").put("iat", TestTokens.nowSec() + 3).put("tag", "fresh"));
    for (int i = 0; i <= ThreeNodes.SIZE; i++) {
      WsClient ws = welcomed(i, fresh);
      ws.assertAlive();
      // four nodes, a limit of three per user
      ws.close();
    }
  }

  @Test
  void theLimitCountsTheUsersConnectionsOnEveryNode() {
    String token = token(tokens, "u-limit", "any");
    List<WsClient> held = new ArrayList<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      held.add(welcomed(i, token));
    }
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      assertRateLimited(nodes.node(i).port(), token);
    }
    SseReader sse = nodes.sse(1, "/sse?channel=ulimit&token=" + token, null);
    try {
      assertEquals(429, sse.status());
      assertEquals("rate_limited", sse.errorBody().getString("code"));
    } finally {
      sse.close();
    }
    // another user is not affected
    welcomed(0, token(tokens, "u-other", "any")).assertAlive();

    held.get(2).close();
    eventuallyWelcomed(
        0,
        token,
        System.currentTimeMillis() + Received.SETTLE_DEADLINE_MS,
        "the slot of a connection closed on n2");
  }

  /**
   * A node in a process of its own (so it can die without closing anything) holds two of the
   * user's three slots; killed, it is reported as not answering disconnects, and within the ttl
   * its slots free up and it is no longer expected.
   */
  @Test
  void theShareOfANodeThatDiedExpiresWithinTheTtl() throws Exception {
    process = nodes.startProcess(dir, "doomed");
    String token = token(tokens, "u-dead", "any");
    welcomedOn(process.port(), token);
    welcomedOn(process.port(), token);
    welcomed(0, token);
    assertRateLimited(nodes.node(1).port(), token);

    long killedAt = System.currentTimeMillis();
    process.process().destroyForcibly();
    assertTrue(process.process().waitFor(10, TimeUnit.SECONDS), "process died");
    // still listed (for at least two thirds of the ttl): waited for, it does not answer
    assertEquals(reply("nobody", 0, false, 4, 3), disconnect(0, "nobody").json());

    long deadline = killedAt + TTL_MS + EXPIRY_MARGIN_MS;
    eventuallyWelcomed(1, token, deadline, "the dead node's slots expire");
    eventuallyWelcomed(2, token, deadline, "both of them");
    JsonObject answered;
    do {
      answered = disconnect(0, "nobody").json();
      assertTrue(
          System.currentTimeMillis() < deadline || answered.getBoolean("complete"),
          "the dead node is still expected: " + answered);
    } while (!answered.getBoolean("complete"));
    assertEquals(reply("nobody", 0, true, 3, 3), answered);
  }

  /**
   * A node that lost Redis missed the disconnects made meanwhile; when its link is back, it closes
   * the connections whose tokens were revoked (here written into Redis as another node would
   * have, README "Redis layout").
   */
  @Test
  void aNodeThatLostRedisClosesWhatWasRevokedMeanwhileWhenItIsBack() {
    WsClient ws =
        welcomed(2, tokens.hs256(TestTokens.claims("42").put("iat", TestTokens.nowSec() - 5)));
    WsClient other = welcomed(2, token(tokens, "7", "any"));
    long now = System.currentTimeMillis();
    String key = nodes.prefix() + ":u:{42}:rv";
    redis.cli("hset", key, "u", (now / 1000) + " " + (now + 60_000));
    redis.cli("pexpire", key, "60000");
    ws.assertAlive();

    redis.killPubSubClients();
    assertEquals(4403, ws.closeCode());
    other.assertAlive();
  }
}

package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence across nodes (PROTOCOL.md sections 1 and 5): the presence of a channel lists the users
 * connected on every node with their connection counts, join and leave reach subscribers on other
 * nodes, and the entries of a node that dies without cleaning up expire within
 * {@code presence.ttlMs}, with a leave. Users are told apart by tokens ({@code ?token=}); the
 * nodes also allow anonymous connections, which keeps the HTTP API open.
 */
class CrossNodePresenceTest {
  /** Short, so a dead node's entries expire within the test; every node of the cluster has it. */
  private static final long TTL_MS = 1_500;
  /**
   * After the ttl, the entries are swept by the next refresh of a node that has a connection in
   * the channel (every ttl / 3); the rest is slack for a loaded machine.
   */
  private static final long EXPIRY_MARGIN_MS = 2_000;

  private static SharedRedis redis;

  private ThreeNodes nodes;
  private TestTokens tokens;
  private Process process;

  @TempDir
  Path dir;

  @BeforeAll
  static void startRedis() {
    redis = SharedRedis.start(SharedRedis.Kind.STANDALONE);
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startNodes() {
    nodes = ThreeNodes.start(redis, "presence", nodeConfig());
    tokens = TestTokens.create(nodes.vertx(0));
  }

  @AfterEach
  void stopNodes() {
    if (process != null) {
      process.destroyForcibly();
    }
    nodes.close();
  }

  /** Anonymous access stays on (the default); tokens signed with the HS256 key name users. */
  private static JsonObject nodeConfig() {
    return new JsonObject()
        .put("presence", new JsonObject().put("ttlMs", TTL_MS))
        .put(
            "auth",
            new JsonObject()
                .put(
                    "jwt",
                    new JsonObject().put("keys", new JsonArray().add(TestTokens.key("HS256")))));
  }

  /** A WebSocket on node {@code i} authenticated as {@code user}, closed with node 0. */
  private WsClient connect(int i, String user) {
    return connectToPort(nodes.node(i).port(), user);
  }

  private WsClient connectToPort(int port, String user) {
    WsClient ws = nodes
        .node(0)
        .track(WsClient.connect(nodes.vertx(0), port, "/ws?token=" + tokens.hs256(user), null));
    JsonObject welcome = ws.next("welcome");
    assertEquals(user, welcome.getString("user"), welcome.encode());
    return ws;
  }

  private static void subscribe(WsClient ws, String channel) {
    JsonObject ack = ws.subscribe(channel);
    assertEquals("ack", ack.getString("type"), ack.encode());
  }

  private static JsonArray users(Object... userThenConnections) {
    JsonArray users = new JsonArray();
    for (int i = 0; i < userThenConnections.length; i += 2) {
      users.add(new JsonObject()
          .put("user", userThenConnections[i])
          .put("connections", userThenConnections[i + 1]));
    }
    return users;
  }

  private static JsonArray presence(WsClient ws, String channel) {
    JsonObject reply = ws.request(new JsonObject().put("type", "presence").put("channel", channel));
    assertEquals("presence", reply.getString("type"), reply.encode());
    return reply.getJsonArray("users");
  }

  private JsonArray httpPresence(int i, String channel) {
    TestNode.Reply reply = nodes.node(i).get("/api/channels/" + channel + "/presence");
    assertEquals(200, reply.status(), reply.body());
    return reply.json().getJsonArray("users");
  }

  private static JsonObject event(String type, String channel, String user) {
    return new JsonObject().put("type", type).put("channel", channel).put("user", user);
  }

  /** The join and leave frames the client was sent so far, in order. */
  private static List<JsonObject> joinsAndLeaves(WsClient ws) {
    return ws.received().stream()
        .filter(f -> "join".equals(f.getString("type")) || "leave".equals(f.getString("type")))
        .toList();
  }

  @Test
  void presenceListsUsersOfEveryNodeAndJoinLeaveCrossNodes() {
    String channel = "chat:pr-span";
    WsClient watcher = connect(0, "watcher");
    subscribe(watcher, channel);
    assertEquals(event("join", channel, "watcher"), watcher.next("join"));

    WsClient alice1 = connect(1, "alice");
    subscribe(alice1, channel);
    assertEquals(event("join", channel, "alice"), watcher.next("join"));
    WsClient alice2 = connect(2, "alice");
    subscribe(alice2, channel);
    WsClient bob = connect(2, "bob");
    subscribe(bob, channel);
    assertEquals(
        event("join", channel, "bob"),
        watcher.next("join"),
        "alice's second" + " connection (on another node) is no join");
    assertEquals(
        event("join", channel, "bob"),
        alice1.next(
            f -> "join".equals(f.getString("type")) && "bob".equals(f.getString("user")),
            "bob's join on n1"));

    JsonArray everyone = users("alice", 2, "bob", 1, "watcher", 1);
    assertEquals(everyone, presence(watcher, channel), "asked on n0");
    assertEquals(everyone, presence(alice1, channel), "asked on n1");
    assertEquals(everyone, presence(bob, channel), "asked on n2");
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      assertEquals(everyone, httpPresence(i, channel), "HTTP API of n" + i);
    }

    alice2.close();
    Received.eventually(
        () -> httpPresence(0, channel),
        users("alice", 1, "bob", 1, "watcher", 1),
        "alice's connection on n2 closed");
    JsonObject ack =
        bob.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(event("leave", channel, "bob"), watcher.next("leave"));
    assertEquals(event("leave", channel, "bob"), alice1.next("leave"));
    alice1.close();
    assertEquals(event("leave", channel, "alice"), watcher.next("leave"));
    assertEquals(users("watcher", 1), httpPresence(1, channel));

    Received.quietWindow();
    assertEquals(
        List.of(
            event("join", channel, "watcher"),
            event("join", channel, "alice"),
            event("join", channel, "bob"),
            event("leave", channel, "bob"),
            event("leave", channel, "alice")),
        joinsAndLeaves(watcher));
  }

  /**
   * A node in a process of its own (so it can die without closing anything) has a user in the
   * channel; killed, its entry expires within the ttl and the survivors announce the leave.
   */
  @Test
  void usersOfANodeThatDiedExpireWithinTheTtlWithALeave() throws Exception {
    String channel = "chat:pr-dead";
    NodeProcess node = nodes.startProcess(dir, "doomed");
    process = node.process();
    int port = node.port();

    WsClient watcher = connect(0, "watcher");
    subscribe(watcher, channel);
    assertEquals(event("join", channel, "watcher"), watcher.next("join"));
    WsClient zed = connectToPort(port, "zed");
    subscribe(zed, channel);
    assertEquals(event("join", channel, "zed"), watcher.next("join"));
    assertEquals(users("watcher", 1, "zed", 1), httpPresence(1, channel));

    long killedAt = System.nanoTime();
    process.destroyForcibly();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "process died");
    JsonObject leave = watcher.next("leave");
    long elapsedMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertEquals(event("leave", channel, "zed"), leave);
    assertTrue(
        elapsedMs <= TTL_MS + EXPIRY_MARGIN_MS,
        "leave after " + elapsedMs + " ms, ttl " + TTL_MS + " ms");
    assertEquals(users("watcher", 1), httpPresence(1, channel));
    assertEquals(users("watcher", 1), presence(watcher, channel));
  }
}

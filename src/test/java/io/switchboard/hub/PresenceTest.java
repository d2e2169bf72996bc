package io.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence on {@code chat:} channels: who is subscribed with how many connections (anonymous users
 * are {@code ""}), {@code join} when a user's first connection subscribes, {@code leave} when the
 * last one goes, and entries removed when connections unsubscribe or close.
 *
 * <p>Until token authentication exists every connection is the anonymous user {@code ""}, so a
 * {@code leave} can never be seen by another connection (the watcher is that same user, still
 * present). The leave side is checked through presence counts and through a fresh {@code join}
 * when the user comes back.
 */
@ExtendWith(VertxExtension.class)
class PresenceTest {
  private static final long CLOSE_DEADLINE_MS = 5_000;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    // "quiet": presence without join/leave events
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "namespaces",
                new JsonObject()
                    .put("quiet", new JsonObject().put("presence", true).put("joinLeave", false))));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  @Test
  void presenceListsUsersWithConnectionCounts() {
    String channel = "chat:pr-count";
    WsClient a = client();
    WsClient b = client();
    WsClient c = client();
    a.subscribe(channel);
    b.subscribe(channel);
    c.subscribe(channel);
    JsonObject presence = presence(a, channel);
    assertEquals(channel, presence.getString("channel"));
    assertEquals(users(3), presence.getJsonArray("users"));
    assertEquals(users(3), httpUsers(channel));
  }

  @Test
  void presenceOfAChannelNobodyIsOnIsEmpty() {
    assertEquals(new JsonArray(), presence(client(), "chat:pr-empty").getJsonArray("users"));
    assertEquals(new JsonArray(), httpUsers("chat:pr-empty"));
  }

  @Test
  void presenceNeedsNoSubscription() {
    String channel = "chat:pr-outside";
    client().subscribe(channel);
    assertEquals(users(1), presence(client(), channel).getJsonArray("users"));
  }

  @Test
  void firstConnectionOfAUserGetsJoinTheSecondDoesNot() {
    String channel = "chat:pr-join";
    WsClient first = client();
    first.subscribe(channel);
    JsonObject join = first.next("join");
    assertEquals(
        new JsonObject().put("type", "join").put("channel", channel).put("user", ""), join);
    WsClient second = client();
    second.subscribe(channel);
    // the user was already there: no join for anyone
    first.expectNo("join");
    second.expectNo("join");
  }

  @Test
  void unsubscribeRemovesThePresenceEntry() {
    String channel = "chat:pr-unsub";
    WsClient a = client();
    WsClient b = client();
    a.subscribe(channel);
    b.subscribe(channel);
    unsubscribe(b, channel);
    assertEquals(users(1), presence(a, channel).getJsonArray("users"));
    // not the user's last connection: no leave
    a.expectNo("leave");
    unsubscribe(a, channel);
    assertEquals(new JsonArray(), httpUsers(channel));
  }

  @Test
  void userWhoLeftJoinsAgain() {
    String channel = "chat:pr-again";
    WsClient ws = client();
    ws.subscribe(channel);
    ws.next("join");
    unsubscribe(ws, channel);
    ws.expectNo("leave"); // it is no longer subscribed, so it does not hear its own leave
    ws.subscribe(channel);
    assertEquals("join", ws.next("join").getString("type"));
  }

  @Test
  void closedConnectionIsRemovedFromPresence() {
    String channel = "chat:pr-close";
    WsClient stays = client();
    WsClient goes = client();
    stays.subscribe(channel);
    goes.subscribe(channel);
    assertEquals(users(2), presence(stays, channel).getJsonArray("users"));
    goes.close();
    awaitHttpUsers(channel, users(1));
    assertEquals(users(1), presence(stays, channel).getJsonArray("users"));
    stays.expectNo("leave");
    stays.close();
    awaitHttpUsers(channel, new JsonArray());
  }

  @Test
  void lastConnectionClosingLetsTheUserJoinAgain() {
    String channel = "chat:pr-rejoin";
    WsClient first = client();
    first.subscribe(channel);
    first.next("join");
    first.close();
    awaitHttpUsers(channel, new JsonArray());
    WsClient next = client();
    next.subscribe(channel);
    assertEquals("join", next.next("join").getString("type"));
  }

  @Test
  void presenceWithoutJoinLeaveSendsNoEvents() {
    String channel = "quiet:pr";
    WsClient a = client();
    a.subscribe(channel);
    assertEquals(users(1), presence(a, channel).getJsonArray("users"));
    WsClient b = client();
    b.subscribe(channel);
    unsubscribe(b, channel);
    a.expectNo("join");
    a.expectNo("leave");
  }

  @Test
  void namespaceWithoutPresenceSendsNoEvents() {
    WsClient ws = client();
    ws.subscribe("pr-plain");
    ws.expectNo("join");
    assertEquals("bad_request", presence(ws, "pr-plain").getString("code"));
  }

  @Test
  void failedSubscribeLeavesNoPresence() {
    String channel = "chat:pr-twice";
    WsClient ws = client();
    ws.subscribe(channel);
    assertEquals("bad_request", ws.subscribe(channel).getString("code"));
    assertEquals(users(1), httpUsers(channel));
  }

  private static JsonObject presence(WsClient ws, String channel) {
    return ws.request(new JsonObject().put("type", "presence").put("channel", channel));
  }

  private static void unsubscribe(WsClient ws, String channel) {
    JsonObject ack =
        ws.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
    assertEquals("ack", ack.getString("type"), ack.encode());
  }

  private static JsonArray users(int anonymousConnections) {
    return new JsonArray()
        .add(new JsonObject().put("user", "").put("connections", anonymousConnections));
  }

  private JsonArray httpUsers(String channel) {
    TestNode.Reply reply = node.get("/api/channels/" + channel + "/presence");
    assertEquals(200, reply.status(), reply.body());
    return reply.json().getJsonArray("users");
  }

  /**
   * A client's close reaches the server asynchronously and nothing tells another client it was
   * processed: poll the presence API with a deadline.
   */
  private void awaitHttpUsers(String channel, JsonArray expected) {
    long deadline = System.currentTimeMillis() + CLOSE_DEADLINE_MS;
    JsonArray users = httpUsers(channel);
    while (!expected.equals(users) && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
      users = httpUsers(channel);
    }
    assertEquals(expected, users, "presence of " + channel);
  }
}

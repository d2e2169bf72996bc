package io.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * PROTOCOL.md section 5: the server pings every heartbeat.intervalMs; a connection that shows no
 * sign of life for heartbeat.timeoutMs is closed with 4408 by the reaper, which also removes its
 * subscriptions and presence. Any frame, WebSocket pong control frames included, is a sign of life.
 */
@ExtendWith(VertxExtension.class)
class HeartbeatTest {
  private static final long INTERVAL_MS = 100;
  private static final long TIMEOUT_MS = 400;
  private static final long REAPER_MS = 50;
  /** Scheduling slack on a loaded machine, on top of timeout + reaper interval. */
  private static final long MARGIN_MS = 750;
  /** Pings to live through: 12 intervals are three timeouts. */
  private static final int SEVERAL_TIMEOUTS_OF_PINGS = (int) (3 * TIMEOUT_MS / INTERVAL_MS);

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "heartbeat",
                new JsonObject().put("intervalMs", INTERVAL_MS).put("timeoutMs", TIMEOUT_MS))
            .put("reaper", new JsonObject().put("intervalMs", REAPER_MS)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  @Test
  void welcomeAnnouncesTheIntervalAndPingsFollowAtThatPace(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, node.port());
    node.track(ws);
    assertEquals(INTERVAL_MS, ws.next("welcome").getLong("heartbeat"));
    JsonObject first = ws.next("ping");
    long start = System.nanoTime();
    assertEquals(new JsonObject().put("type", "ping"), first);
    ws.next("ping");
    ws.next("ping");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    // two more intervals passed between the first and the third ping: not a flood
    assertTrue(elapsedMs >= 2 * INTERVAL_MS - 30, "three pings within " + elapsedMs + " ms");
  }

  @Test
  void clientThatAnswersPingsOutlivesSeveralTimeouts() {
    WsClient ws = client();
    ws.subscribe("hb-answers");
    for (int i = 0; i < SEVERAL_TIMEOUTS_OF_PINGS; i++) {
      ws.next("ping");
    }
    assertFalse(ws.isClosed());
    String offset = node.publish("hb-answers", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("hb-answers").getString("offset"));
  }

  @Test
  void silentClientIsClosedWith4408AndItsPresenceRemoved() {
    String channel = "chat:hb-silent";
    WsClient watcher = client();
    watcher.subscribe(channel);
    WsClient silent = client().answerPings(false);
    long sent = System.nanoTime();
    silent.subscribe(channel);
    long acked = System.nanoTime();
    assertEquals(2, connections(watcher, channel));

    assertEquals(4408, silent.closeCode());
    long closed = System.nanoTime();
    long sinceSent = (closed - sent) / 1_000_000;
    long sinceAcked = (closed - acked) / 1_000_000;
    assertTrue(sinceSent >= TIMEOUT_MS - 10, "closed after only " + sinceSent + " ms");
    assertTrue(
        sinceAcked <= TIMEOUT_MS + REAPER_MS + MARGIN_MS,
        "closed only after " + sinceAcked + " ms");

    // the reaper removed its presence before the close frame went out
    assertEquals(1, connections(watcher, channel));
    JsonArray overHttp =
        node.get("/api/channels/" + channel + "/presence").json().getJsonArray("users");
    assertEquals(1, overHttp.getJsonObject(0).getInteger("connections"), overHttp.encode());
    // the watcher answers its pings: it is still there, and still subscribed
    assertFalse(watcher.isClosed());
    assertEquals(
        "ack",
        watcher.publish(channel, new JsonObject().put("text", "still here")).getString("type"));
    assertEquals(
        "still here", watcher.nextMessage(channel).getJsonObject("data").getString("text"));
  }

  @Test
  void silentLastConnectionLeavesPresenceEmpty() {
    String channel = "chat:hb-alone";
    WsClient silent = client().answerPings(false);
    silent.subscribe(channel);
    assertEquals(4408, silent.closeCode());
    JsonObject presence = node.get("/api/channels/" + channel + "/presence").json();
    assertEquals(new JsonArray(), presence.getJsonArray("users"), presence.encode());
  }

  @Test
  void otherFramesCountAsSignsOfLife() {
    WsClient ws = client().answerPings(false);
    ws.subscribe("hb-requests");
    // answer each server ping with a ping request instead of a pong
    for (int i = 0; i < SEVERAL_TIMEOUTS_OF_PINGS; i++) {
      ws.next("ping");
      assertEquals("pong", ws.request(new JsonObject().put("type", "ping")).getString("type"));
    }
    assertFalse(ws.isClosed());
    String offset = node.publish("hb-requests", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("hb-requests").getString("offset"));
  }

  @Test
  void webSocketPongControlFramesCountAsSignsOfLife() {
    WsClient ws = client().answerPings(false);
    ws.subscribe("hb-control");
    for (int i = 0; i < SEVERAL_TIMEOUTS_OF_PINGS; i++) {
      ws.next("ping");
      ws.sendControlPong();
    }
    assertFalse(ws.isClosed());
    String offset = node.publish("hb-control", new JsonObject().put("n", 1));
    assertEquals(offset, ws.nextMessage("hb-control").getString("offset"));
  }

  @Test
  void clientThatStopsAnsweringLaterIsClosedToo() {
    WsClient ws = client();
    for (int i = 0; i < 2 * TIMEOUT_MS / INTERVAL_MS; i++) {
      ws.next("ping");
    }
    ws.answerPings(false);
    assertEquals(4408, ws.closeCode());
  }

  private static int connections(WsClient ws, String channel) {
    JsonObject presence =
        ws.request(new JsonObject().put("type", "presence").put("channel", channel));
    JsonArray users = presence.getJsonArray("users");
    assertEquals(1, users.size(), presence.encode());
    assertEquals("", users.getJsonObject(0).getString("user"));
    return users.getJsonObject(0).getInteger("connections");
  }
}

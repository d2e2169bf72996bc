package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away under running publishers and subscribers on two nodes: nothing acked is lost or
 * delivered twice, unacked publishes say unavailable, open connections stay open, and a resume
 * across an empty restart is not called recovered (PROTOCOL.md section 3).
 */
class RedisOutageTest {
  /**
   * In a namespace whose history outlasts the outages made here (publishers run at thousands of
   * messages per second; the default 100 would be trimmed past during a 100 ms reconnect).
   */
  private static final String CHANNEL = "deep:outage";

  private RedisServer redis;
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void startRedisAndNodes() {
    startNodesOn(RedisServer.start());
  }

  private void startNodesOn(RedisServer server) {
    redis = server;
    for (int i = 0; i < 2; i++) {
      Vertx vertx = Vertx.vertx();
      vertxes.add(vertx);
      nodes.add(TestNode.start(
          vertx,
          RedisBrokerConfig.config(
                  new JsonObject().put("connectionString", redis.url()).put("timeoutMs", 1_000))
              .put("node", new JsonObject().put("id", "n" + i))
              .put("presence", new JsonObject().put("ttlMs", 1_500))
              .put(
                  "namespaces",
                  new JsonObject()
                      .put(
                          "deep",
                          new JsonObject()
                              .put(
                                  "history",
                                  new JsonObject().put("size", 100_000).put("ttlMs", 600_000))))));
    }
  }

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
    vertxes.forEach(v -> Await.result(v.close()));
    redis.close();
  }

  /** Publishes n = 0, 1, 2, ... over HTTP on every node until stopped; remembers what was acked. */
  private final class Publishers implements AutoCloseable {
    final Map<Integer, String> acked = new ConcurrentHashMap<>();
    final Map<Integer, Integer> refusedStatus = new ConcurrentHashMap<>();
    final AtomicInteger next = new AtomicInteger();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();

    Publishers() {
      for (TestNode node : nodes) {
        Thread thread = new Thread(() -> {
          while (running.get()) {
            int n = next.getAndIncrement();
            TestNode.Reply reply = node.post(
                "/api/publish",
                new JsonObject()
                    .put("channel", CHANNEL)
                    .put("data", new JsonObject().put("n", n))
                    .encode());
            if (reply.status() == 200) {
              acked.put(n, reply.json().getString("offset"));
            } else {
              refusedStatus.put(n, reply.status());
              sleep(20);
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
    }

    void awaitAcked(int count) {
      awaitTrue(() -> acked.size() >= count, "acked publishes reach " + count);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(10_000);
      }
    }
  }

  /**
   * A Redis that keeps what it acked (append-only file, fsync always) crashes mid-stream and comes
   * back with its data: same epoch, every channel caught up from history. Every acked message
   * reaches every subscriber exactly once, in order, without a gap.
   */
  @Test
  void persistentRedisRestartMidStreamLosesNoAckedMessageAndDeliversNoneTwice() throws Exception {
    stopAll();
    vertxes.clear();
    nodes.clear();
    startNodesOn(RedisServer.start("--appendonly", "yes", "--appendfsync", "always"));
    List<WsClient> subscribers = subscribeOnEveryNode();
    Map<Integer, String> acked = publishThroughARestart(subscribers);
    for (WsClient subscriber : subscribers) {
      assertFalse(subscriber.isClosed(), "subscriber connections stay open through the outage");
      assertAllOnceWithoutGap(subscriber, acked, "Redis kept the history: no gap");
    }
  }

  /**
   * A Redis without persistence crashes mid-stream and comes back empty (a new epoch). What it
   * acked in its last moment may never have been pushed to the other nodes: that is lost with it,
   * and the protocol's answer is a gap (PROTOCOL.md section 3). So: nothing is delivered twice,
   * every subscriber gets one gap naming the last offset it had, every acked message up to that
   * offset and every one acked after the restart reaches it, and only acked messages after that
   * offset of the lost epoch may be missing.
   */
  @Test
  void emptyRedisRestartMidStreamReportsAGapAndDeliversEverythingElseOnce() throws Exception {
    List<WsClient> subscribers = subscribeOnEveryNode();
    Map<Integer, String> acked = publishThroughARestart(subscribers);
    for (WsClient subscriber : subscribers) {
      assertFalse(subscriber.isClosed(), "subscriber connections stay open through the outage");
      // the node sends it once its link is back and the catch-up read finds the new epoch
      JsonObject gap = subscriber.next("gap");
      assertOneGapAtTheLastOffsetOfTheLostEpoch(subscriber);
      String[] gapAt = gap.getString("offset").split("-", 2);
      Map<Integer, String> expected = new TreeMap<>(acked);
      expected.values().removeIf(offset -> {
        String[] parts = offset.split("-", 2);
        return parts[1].equals(gapAt[1]) && Long.parseLong(parts[0]) > Long.parseLong(gapAt[0]);
      });
      assertTrue(
          acked.size() - expected.size() <= 10,
          "only the crash's last moment is lost: " + (acked.size() - expected.size()));
      awaitAllDelivered(subscriber, expected);
      deliveredNumbers(subscriber)
          .forEach((n, times) ->
              assertEquals(1, times, "message " + n + " delivered " + times + " times"));
      assertOffsetsIncreaseWithinEachEpoch(subscriber);
    }
  }

  /**
   * HTTP publishers on both nodes; Redis is killed, the nodes say they are not ready and refuse
   * publishes (503, WebSocket unavailable), Redis is restarted; returns what was acked.
   */
  private Map<Integer, String> publishThroughARestart(List<WsClient> subscribers) throws Exception {
    try (Publishers publishers = new Publishers()) {
      publishers.awaitAcked(100);
      redis.stop();
      awaitTrue(() -> !publishers.refusedStatus.isEmpty(), "a publish is refused");
      for (TestNode node : nodes) {
        TestNode.Reply ready = node.get("/ready");
        assertEquals(503, ready.status(), ready.body());
        assertFalse(ready.json().getBoolean("ready"));
      }
      JsonObject refused = subscribers.get(0).publish(CHANNEL, new JsonObject().put("n", -1));
      assertEquals("unavailable", refused.getString("code"), refused.encode());
      int ackedBeforeRestart = publishers.acked.size();
      redis.restart();
      awaitTrue(
          () -> nodes.stream().allMatch(n -> n.get("/ready").status() == 200),
          "every node ready again");
      publishers.awaitAcked(ackedBeforeRestart + 100);
      assertTrue(
          publishers.refusedStatus.values().stream().allMatch(s -> s == 503),
          "refused publishes answer 503: " + publishers.refusedStatus.values());
      return publishers.acked;
    }
  }

  /**
   * Redis lost the channel (new epoch): the subscriber is told once, with the last offset it had,
   * before the first message of the new epoch.
   */
  private static void assertOneGapAtTheLastOffsetOfTheLostEpoch(WsClient subscriber) {
    String lastOffset = null;
    int gaps = 0;
    for (JsonObject frame : subscriber.received()) {
      if ("message".equals(frame.getString("type"))) {
        lastOffset = frame.getString("offset");
      } else if ("gap".equals(frame.getString("type"))) {
        gaps++;
        assertEquals(CHANNEL, frame.getString("channel"));
        assertEquals(lastOffset, frame.getString("offset"), "gap names the last offset sent");
      }
    }
    assertEquals(1, gaps, "one gap for the lost epoch");
  }

  @Test
  void lostPubSubLinkIsCaughtUpFromHistoryWithoutGapOrDuplicate() throws Exception {
    List<WsClient> subscribers = subscribeOnEveryNode();
    Map<Integer, String> acked;
    try (Publishers publishers = new Publishers()) {
      for (int round = 1; round <= 3; round++) {
        publishers.awaitAcked(round * 100);
        // the nodes' subscribed connections drop; publishing goes on through the others
        redis.cli("client", "kill", "type", "pubsub");
      }
      publishers.awaitAcked(400);
      acked = publishers.acked;
    }
    for (WsClient subscriber : subscribers) {
      assertAllOnceWithoutGap(subscriber, acked, "history covered the outage: no gap");
    }
    long reconnects = nodes.stream()
        .mapToLong(n -> ((RedisBroker) n.node().parts().engine().broker())
            .stats()
            .reconnects
            .sum())
        .sum();
    assertTrue(reconnects >= 2, "the links reconnected: " + reconnects);
  }

  @Test
  void resumeAcrossAnEmptyRestartIsNotRecovered() {
    WsClient first = nodes.get(0).ws();
    first.subscribe(CHANNEL);
    String offset = first.publish(CHANNEL, new JsonObject().put("n", 1)).getString("offset");
    first.close();
    redis.stop();
    redis.restart();
    awaitTrue(() -> nodes.get(1).get("/ready").status() == 200, "node ready again");
    nodes.get(1).publish(CHANNEL, new JsonObject().put("n", 2));
    WsClient resumed = nodes.get(1).ws();
    JsonObject ack = resumed.subscribe(CHANNEL, offset);
    assertEquals(false, ack.getBoolean("recovered"), ack.encode());
  }

  @Test
  void presenceComesBackAfterAnEmptyRestart() {
    WsClient present = nodes.get(0).ws();
    assertEquals("ack", present.subscribe("chat:room").getString("type"));
    String presence = "/api/channels/chat:room/presence";
    assertEquals(1, nodes.get(1).get(presence).json().getJsonArray("users").size());
    redis.stop();
    redis.restart();
    awaitTrue(() -> nodes.get(1).get("/ready").status() == 200, "node ready again");
    // the first refresh after the link came back (a third of presence.ttlMs) restores it
    awaitTrue(
        () -> nodes.get(1).get(presence).json().getJsonArray("users").size() == 1,
        "the connection is present again");
  }

  @Test
  void subscribeWhileRedisIsDownAnswersUnavailableAndWorksOnceBack() {
    redis.stop();
    awaitTrue(() -> nodes.get(0).get("/ready").status() == 503, "node not ready");
    WsClient client = nodes.get(0).ws();
    JsonObject refused = client.subscribe(CHANNEL);
    assertEquals("unavailable", refused.getString("code"), refused.encode());
    redis.restart();
    awaitTrue(() -> nodes.get(0).get("/ready").status() == 200, "node ready again");
    assertEquals("ack", client.subscribe(CHANNEL).getString("type"));
    String offset = nodes.get(1).publish(CHANNEL, new JsonObject().put("n", 1));
    assertEquals(offset, client.nextMessage(CHANNEL).getString("offset"));
  }

  private List<WsClient> subscribeOnEveryNode() {
    List<WsClient> subscribers = new ArrayList<>();
    for (TestNode node : nodes) {
      WsClient client = node.ws();
      assertEquals("ack", client.subscribe(CHANNEL).getString("type"));
      subscribers.add(client);
    }
    return subscribers;
  }

  /**
   * Every acked message reached {@code subscriber} exactly once, its offsets increase within each
   * epoch, and no gap came: {@code noGap} says why none may.
   */
  private static void assertAllOnceWithoutGap(
      WsClient subscriber, Map<Integer, String> acked, String noGap) {
    awaitAllDelivered(subscriber, acked);
    deliveredNumbers(subscriber)
        .forEach((n, times) ->
            assertEquals(1, times, "message " + n + " delivered " + times + " times"));
    assertOffsetsIncreaseWithinEachEpoch(subscriber);
    assertTrue(
        subscriber.received().stream().noneMatch(f -> "gap".equals(f.getString("type"))), noGap);
  }

  private static void awaitAllDelivered(WsClient subscriber, Map<Integer, String> acked) {
    try {
      awaitTrue(
          () -> deliveredNumbers(subscriber).keySet().containsAll(acked.keySet()),
          "every acked message reaches the subscriber");
    } catch (AssertionError e) {
      Map<Integer, String> missing = new TreeMap<>(acked);
      missing.keySet().removeAll(deliveredNumbers(subscriber).keySet());
      throw new AssertionError(
          e.getMessage() + "; missing (n=offset): " + missing
              + "; frames other than messages: "
              + subscriber.received().stream()
                  .filter(f -> !"message".equals(f.getString("type")))
                  .toList(),
          e);
    }
  }

  private static Map<Integer, Integer> deliveredNumbers(WsClient client) {
    Map<Integer, Integer> times = new HashMap<>();
    for (JsonObject frame : client.received()) {
      if ("message".equals(frame.getString("type")) && CHANNEL.equals(frame.getString("channel"))) {
        times.merge(frame.getJsonObject("data").getInteger("n"), 1, Integer::sum);
      }
    }
    return times;
  }

  private static void assertOffsetsIncreaseWithinEachEpoch(WsClient client) {
    Map<String, Long> lastByEpoch = new HashMap<>();
    for (JsonObject frame : client.received()) {
      if ("message".equals(frame.getString("type"))) {
        String[] parts = frame.getString("offset").split("-", 2);
        long offset = Long.parseLong(parts[0]);
        Long previous = lastByEpoch.put(parts[1], offset);
        assertTrue(
            previous == null || offset > previous,
            "offsets increase: " + previous + " then " + offset);
      }
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    Await.until(condition, Duration.ofSeconds(20), what);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

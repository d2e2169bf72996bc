package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reconnect storm across nodes (issue 14): a few thousand WebSocket clients of node A, on a few
 * dozen channels with history, all drop at once and resume on node B with {@code since} while a
 * publisher on node C keeps going. Every resume is acked {@code "recovered": true}, every client
 * gets every message of its channel once and in order, and node B reads each channel's history
 * a number of times that depends on the channels, not on the clients.
 */
class ReconnectStormTest {
  private static final int CLIENTS = 3_000;
  private static final int CHANNELS = 20;
  /**
   * Between publishes (at most 200 a second, 30,000 deliveries): what the test measures is the
   * move, and every node and client shares this JVM and a loaded machine.
   */
  private static final long PUBLISH_PAUSE_MS = 5;

  private static SharedRedis redis;
  private static ThreeNodes nodes;
  private static Vertx clients;
  /** The one loop every client lives on, so their state needs no locks. */
  private static Context loop;

  @BeforeAll
  static void start() {
    redis = SharedRedis.start(SharedRedis.Kind.STANDALONE);
    nodes = ThreeNodes.start(redis, "storm");
    clients = Vertx.vertx();
    loop = clients.getOrCreateContext();
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      Await.result(clients.close());
    }
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** One client: what it was sent over both its connections, handled on the client Vert.x loop. */
  private static final class Client {
    final String channel;
    final List<String> offsets = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    String subscribedAt;
    Boolean recovered;
    /** The since it resumed with, and the ack's offset on the second node: for failure messages. */
    String resumedSince;

    String resumedAck;
    WebSocket socket;

    Client(String channel) {
      this.channel = channel;
    }

    String last() {
      return offsets.isEmpty() ? subscribedAt : offsets.get(offsets.size() - 1);
    }

    /** Connects to {@code port} and subscribes (with {@code since} unless null); completes on ack. */
    Future<Void> join(WebSocketClient ws, int port, String since) {
      Promise<Void> acked = Promise.promise();
      return ws.connect(port, "127.0.0.1", "/ws").compose(socket -> {
        this.socket = socket;
        socket.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          switch (frame.getString("type")) {
            case "welcome" -> {
              JsonObject subscribe =
                  new JsonObject().put("type", "subscribe").put("id", 1).put("channel", channel);
              socket.writeTextMessage(
                  (since == null ? subscribe : subscribe.put("since", since)).encode());
            }
            case "ack" -> {
              if (since == null) {
                subscribedAt = frame.getString("offset");
              } else {
                recovered = frame.getBoolean("recovered");
                resumedSince = since;
                resumedAck = frame.getString("offset");
              }
              acked.tryComplete();
            }
            case "message" -> offsets.add(frame.getString("offset"));
            case "ping" -> socket.writeTextMessage("{\"type\":\"pong\"}");
            default -> {
              problems.add(text);
              acked.tryFail(text);
            }
          }
        });
        return acked.future();
      });
    }
  }

  @Test
  void everyClientOfANodeResumesOnAnotherWithEveryMessageOnceInOrder() throws Exception {
    List<String> channels = redis.channels("storm", CHANNELS);
    TestNode a = nodes.node(0);
    TestNode b = nodes.node(1);
    for (String channel : channels) {
      a.publish(channel, new JsonObject().put("n", -1)); // history exists before anyone comes
    }
    WebSocketClient ws = clients.createWebSocketClient(
        new WebSocketClientOptions().setMaxConnections(2 * CLIENTS).setConnectTimeout(20_000));
    List<Client> all = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      all.add(new Client(channels.get(i % CHANNELS)));
    }
    onClientLoop(
        () -> Future.all(all.stream().map(c -> c.join(ws, a.port(), null)).toList()),
        Duration.ofSeconds(60));

    Map<String, List<String>> published = new ConcurrentHashMap<>();
    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicLong publishCount = new AtomicLong();
    Thread publisher = new Thread(
        () -> {
          // over HTTP on node C, one at a time, so each channel's list is in offset order
          TestNode c = nodes.node(2);
          for (int n = 0; publishing.get(); n++) {
            String channel = channels.get(n % CHANNELS);
            String offset = c.publish(channel, new JsonObject().put("n", n));
            published.computeIfAbsent(channel, k -> new ArrayList<>()).add(offset);
            publishCount.incrementAndGet();
            pause(PUBLISH_PAUSE_MS);
          }
        },
        "storm-publisher");
    publisher.start();
    try {
      pause(500); // clients on A receive live messages before the cut

      long scriptsBefore = scriptCalls();
      long publishesBefore = publishCount.get();
      // all at once: each client resumes on B as soon as its connection to A is closed
      onClientLoop(
          () -> Future.all(all.stream()
              .map(client ->
                  client.socket.close().compose(v -> client.join(ws, b.port(), client.last())))
              .toList()),
          Duration.ofSeconds(30));
      // a publish may be under way at either end: one script either way
      long readsDuringMove =
          scriptCalls() - scriptsBefore - (publishCount.get() - publishesBefore) + 1;

      pause(500); // live messages on B after everyone resumed
      publishing.set(false);
      publisher.join(10_000);
      assertTrue(!publisher.isAlive(), "the publisher stopped (no publish hung)");

      Map<String, Integer> counts = new HashMap<>();
      published.forEach((channel, offsets) -> counts.put(channel, offsets.size()));
      Await.until(
          () -> onClientLoop(
              () -> Future.succeededFuture(all.stream()
                  .allMatch(client -> client
                      .last()
                      .equals(lastOf(published.get(client.channel), client.subscribedAt)))),
              Duration.ofSeconds(5)),
          Duration.ofSeconds(20),
          "every client has the last message of its channel");
      Received.quietWindow();

      int publishes = counts.values().stream().mapToInt(Integer::intValue).sum();
      onClientLoop(
          () -> {
            for (Client client : all) {
              assertEquals(Boolean.TRUE, client.recovered, "recovered: " + client.channel);
              assertEquals(List.of(), client.problems, client.channel);
              List<String> expected = published.get(client.channel);
              // every message after the first ack: from the seed message's offset on
              assertEquals(
                  expected,
                  client.offsets,
                  "each message once, in order, on " + client.channel + " (resumed since "
                      + client.resumedSince + ", acked at " + client.resumedAck + ")");
            }
            return Future.succeededFuture();
          },
          Duration.ofSeconds(30));
      // node B read each channel's history a few times (its subscribe included), not once per
      // client
      assertTrue(
          readsDuringMove < CLIENTS / 3,
          "history reads while " + CLIENTS + " clients moved: " + readsDuringMove + " (" + publishes
              + " publishes in the whole run)");
    } finally {
      publishing.set(false);
      publisher.join(10_000);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String lastOf(List<String> offsets, String otherwise) {
    return offsets == null || offsets.isEmpty() ? otherwise : offsets.get(offsets.size() - 1);
  }

  /** EVAL and EVALSHA calls Redis served so far (publish, history, subscribe scripts). */
  private static long scriptCalls() {
    long calls = 0;
    for (String line : redis.cli("info", "commandstats").lines().toList()) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        String stats = line.substring(line.indexOf(':') + 1);
        calls += Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
      }
    }
    return calls;
  }

  /** Runs {@code action} on the client Vert.x's loop, where the clients' state lives. */
  private static <T> T onClientLoop(Supplier<Future<T>> action, Duration wait) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> {
      try {
        action.get().onComplete(done);
      } catch (Throwable e) {
        done.fail(e);
      }
    });
    return Await.result(done.future(), wait);
  }
}

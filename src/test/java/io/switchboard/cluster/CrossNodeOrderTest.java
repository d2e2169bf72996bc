package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md section 3 across nodes: with publishers on every node at once, every connection on
 * every node receives the channel in strictly increasing offset order, every acked message once,
 * and nothing that was not acked.
 */
class CrossNodeOrderTest {
  private static final String CHANNEL = "order";
  private static final int WS_MESSAGES_PER_PUBLISHER = 300;
  private static final int HTTP_MESSAGES_PER_PUBLISHER = 100;
  private static final long PUBLISH_DEADLINE_S = 60;
  private static SharedRedis redis;

  private ThreeNodes nodes;

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
    // the publishers go as fast as acks come, far over the default frame rate of a connection
    nodes = ThreeNodes.start(
        redis,
        "order",
        new JsonObject()
            .put("limits", new JsonObject().put("messagesPerSecond", 0).put("messagesBurst", 0)));
  }

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  /** What one subscriber was sent: its message frames (or SSE message data) so far. */
  private record Subscriber(String name, Supplier<List<JsonObject>> messages) {}

  @Test
  void concurrentPublishersOnEveryNodeAreSeenInOneOrderByEverySubscriber() throws Exception {
    List<Subscriber> subscribers = new ArrayList<>();
    List<SseReader> streams = new ArrayList<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      TestNode node = nodes.node(i);
      WsClient plain = node.ws();
      plain.subscribe(CHANNEL);
      subscribers.add(new Subscriber("n" + i + " WebSocket", () -> Received.messages(plain)));
      // several messages per frame when they come together
      WsClient batched =
          node.track(WsClient.connect(nodes.vertx(i), node.port(), "/ws?batch=1", null));
      batched.next("welcome");
      batched.subscribe(CHANNEL);
      subscribers.add(
          new Subscriber("n" + i + " WebSocket batch=1", () -> Received.messages(batched)));
      SseReader sse = nodes.sse(i, "/sse?channel=" + CHANNEL, null);
      sse.firstId();
      streams.add(sse);
      subscribers.add(new Subscriber("n" + i + " SSE", () -> Received.messages(sse)));
    }

    // offset -> "publisher n": each acked offset must be one message
    ConcurrentHashMap<String, String> acked = new ConcurrentHashMap<>();
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> publishers = new ArrayList<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      TestNode node = nodes.node(i);
      WsClient ws = node.ws();
      String name = "ws-n" + i;
      publishers.add(publisher(go, acked, name, WS_MESSAGES_PER_PUBLISHER, n -> {
        JsonObject ack = ws.publish(CHANNEL, new JsonObject().put("p", name).put("n", n));
        assertEquals("ack", ack.getString("type"), ack.encode());
        return ack.getString("offset");
      }));
      String httpName = "http-n" + i;
      publishers.add(publisher(
          go,
          acked,
          httpName,
          HTTP_MESSAGES_PER_PUBLISHER,
          n -> node.publish(CHANNEL, new JsonObject().put("p", httpName).put("n", n))));
    }
    go.countDown();
    CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new))
        .get(PUBLISH_DEADLINE_S, TimeUnit.SECONDS);
    int total = ThreeNodes.SIZE * (WS_MESSAGES_PER_PUBLISHER + HTTP_MESSAGES_PER_PUBLISHER);
    assertEquals(total, acked.size(), "every publish was acked with an offset of its own");

    for (Subscriber subscriber : subscribers) {
      Received.eventually(
          () -> subscriber.messages().get().size() >= total,
          subscriber.name() + " received " + subscriber.messages().get().size() + " of " + total);
    }
    Received.quietWindow();
    for (Subscriber subscriber : subscribers) {
      assertOneOrderOfExactly(subscriber, acked);
    }
    streams.forEach(SseReader::close);
  }

  /**
   * Starts a thread that publishes {@code count} messages through {@code publishOne} (n = 0, 1,
   * ...) once {@code go} opens, each after the previous one's ack, recording the offsets.
   */
  private static CompletableFuture<Void> publisher(
      CountDownLatch go,
      ConcurrentHashMap<String, String> acked,
      String name,
      int count,
      IntFunction<String> publishOne) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread = new Thread(
        () -> {
          try {
            go.await();
            for (int n = 0; n < count; n++) {
              String offset = publishOne.apply(n);
              String previous = acked.put(offset, name + " " + n);
              if (previous != null) {
                throw new AssertionError(
                    name + " " + n + " acked with " + offset + ", as " + previous);
              }
            }
            done.complete(null);
          } catch (Throwable e) {
            done.completeExceptionally(e);
          }
        },
        "publisher-" + name);
    thread.setDaemon(true);
    thread.start();
    return done;
  }

  /**
   * Strictly increasing offsets (numeric part; one epoch), each of them acked to the message it
   * carries, and every acked offset present.
   */
  private static void assertOneOrderOfExactly(
      Subscriber subscriber, ConcurrentHashMap<String, String> acked) {
    List<JsonObject> messages = subscriber.messages().get();
    String name = subscriber.name();
    assertEquals(acked.size(), messages.size(), name + ": every acked message once");
    String epoch = Received.epoch(messages.get(0).getString("offset"));
    long previous = 0;
    Set<String> offsets = new HashSet<>();
    for (JsonObject message : messages) {
      String offset = message.getString("offset");
      assertEquals(epoch, Received.epoch(offset), name + ": one epoch");
      long number = Received.number(offset);
      assertTrue(number > previous, name + ": " + offset + " after offset " + previous);
      previous = number;
      offsets.add(offset);
      JsonObject data = message.getJsonObject("data");
      assertEquals(
          acked.get(offset),
          data.getString("p") + " " + data.getInteger("n"),
          name + ": the message acked with " + offset);
    }
    assertEquals(acked.keySet(), offsets, name + ": the offsets received are the acked ones");
  }
}

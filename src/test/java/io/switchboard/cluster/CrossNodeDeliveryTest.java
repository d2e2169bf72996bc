package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PROTOCOL.md section 9: across nodes the Redis bridge carries every publication, so a message
 * published on any node, by any path, reaches the subscribers of every node, once each, with the
 * offset its publisher was acked with. A node subscribes to a channel in Redis only while it has
 * local subscribers. Runs on one Redis server and on a Redis Cluster, where the channels of a test
 * live on different masters.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedRedis.Kind.class)
class CrossNodeDeliveryTest {
  private static final String BUS_ADDRESS = "switchboard.publish";
  private static SharedRedis redis;

  @Parameter
  SharedRedis.Kind kind;

  private ThreeNodes nodes;

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
    nodes = ThreeNodes.start(redis, "deliver");
  }

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  /** The ways in (PROTOCOL.md sections 3, 8, 9). */
  enum Path {
    WEBSOCKET,
    HTTP,
    BATCH,
    EVENT_BUS
  }

  /**
   * Each node publishes one message to each of three channels (on three masters of a Cluster);
   * a WebSocket and an SSE stream on every node follow all three.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void publicationReachesSubscribersOnEveryNodeOnceWithTheAckedOffset(Path path) {
    List<String> channels = redis.channels("dl-" + path.name().toLowerCase(), 3);
    List<WsClient> sockets = new ArrayList<>();
    List<SseReader> streams = new ArrayList<>();
    StringBuilder uri = new StringBuilder("/sse");
    for (String channel : channels) {
      uri.append(uri.length() == 4 ? '?' : '&').append("channel=").append(channel);
    }
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      WsClient ws = nodes.node(i).ws();
      for (String channel : channels) {
        JsonObject ack = ws.subscribe(channel);
        assertEquals("ack", ack.getString("type"), ack.encode());
      }
      sockets.add(ws);
      SseReader sse = nodes.sse(i, uri.toString(), null);
      sse.firstId();
      streams.add(sse);
    }

    // offsets per channel, in the order they were acked; data per offset
    Map<String, List<String>> acked = new LinkedHashMap<>();
    Map<String, JsonObject> dataByOffset = new LinkedHashMap<>();
    channels.forEach(channel -> acked.put(channel, new ArrayList<>()));
    for (int from = 0; from < ThreeNodes.SIZE; from++) {
      List<JsonObject> items = new ArrayList<>();
      for (String channel : channels) {
        items.add(new JsonObject()
            .put("channel", channel)
            .put("data", new JsonObject().put("from", "n" + from).put("path", path.name())));
      }
      List<String> offsets = publish(path, from, items);
      for (int k = 0; k < items.size(); k++) {
        acked.get(channels.get(k)).add(offsets.get(k));
        dataByOffset.put(
            channels.get(k) + " " + offsets.get(k), items.get(k).getJsonObject("data"));
      }
    }

    int total = channels.size() * ThreeNodes.SIZE;
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      for (String channel : channels) {
        for (String offset : acked.get(channel)) {
          JsonObject message = sockets.get(i).nextMessage(channel);
          assertEquals(offset, message.getString("offset"), "WebSocket on n" + i + ": " + message);
          assertEquals(dataByOffset.get(channel + " " + offset), message.getJsonObject("data"));
          // PROTOCOL.md: the publishing connection's user ("" when anonymous); none for servers
          assertEquals(
              path == Path.WEBSOCKET ? "" : null, message.getString("publisher"), message.encode());
        }
      }
      List<JsonObject> overSse = new ArrayList<>();
      for (int k = 0; k < total; k++) {
        overSse.add(streams.get(i).next("message").json());
      }
      for (String channel : channels) {
        assertEquals(
            acked.get(channel),
            overSse.stream()
                .filter(m -> channel.equals(m.getString("channel")))
                .map(m -> m.getString("offset"))
                .toList(),
            "SSE on n" + i);
      }
    }
    Received.quietWindow();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      assertEquals(
          total,
          Received.messages(sockets.get(i)).size(),
          "WebSocket on n" + i + " got a message twice: " + Received.messages(sockets.get(i)));
      assertEquals(
          total,
          Received.messages(streams.get(i)).size(),
          "SSE on n" + i + " got a message twice: " + Received.messages(streams.get(i)));
      streams.get(i).close();
    }
    for (String channel : channels) {
      redis.assertChannelKeysOnOneMaster(nodes.prefix(), channel);
    }
  }

  /** Publishes {@code items} ({"channel","data"}) on node {@code from} by {@code path}; offsets. */
  private List<String> publish(Path path, int from, List<JsonObject> items) {
    TestNode node = nodes.node(from);
    List<String> offsets = new ArrayList<>();
    switch (path) {
      case WEBSOCKET -> {
        WsClient publisher = node.ws();
        for (JsonObject item : items) {
          JsonObject ack = publisher.publish(item.getString("channel"), item.getValue("data"));
          assertEquals("ack", ack.getString("type"), ack.encode());
          offsets.add(ack.getString("offset"));
        }
        publisher.close();
      }
      case HTTP -> {
        for (JsonObject item : items) {
          offsets.add(node.publish(item.getString("channel"), item.getValue("data")));
        }
      }
      case BATCH -> {
        JsonArray messages = new JsonArray();
        items.forEach(messages::add);
        TestNode.Reply reply =
            node.post("/api/batch", new JsonObject().put("messages", messages).encode());
        assertEquals(200, reply.status(), reply.body());
        JsonArray results = reply.json().getJsonArray("results");
        assertEquals(items.size(), results.size(), reply.body());
        for (int k = 0; k < results.size(); k++) {
          String offset = results.getJsonObject(k).getString("offset");
          assertNotNull(offset, reply.body());
          offsets.add(offset);
        }
      }
      case EVENT_BUS -> {
        for (JsonObject item : items) {
          // the node's own Vert.x: the other nodes' event buses are separate
          Object body = Await.result(nodes.vertx(from).eventBus().request(BUS_ADDRESS, item))
              .body();
          offsets.add(assertInstanceOf(JsonObject.class, body).getString("offset"));
        }
      }
      default -> throw new IllegalArgumentException(path.name());
    }
    offsets.forEach(offset -> assertNotNull(offset, path + " on n" + from));
    return offsets;
  }

  /**
   * README "Publishing from a service that has only a Redis client": an entry added to the inbox
   * stream is taken by one of the nodes (they share one consumer group) and reaches the
   * subscribers of every node once, with the offset the channel's history holds it at.
   */
  @Test
  void inboxEntryReachesSubscribersOnEveryNodeOnce() {
    List<String> channels = redis.channels("dl-inbox", 3);
    List<WsClient> sockets = new ArrayList<>();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      WsClient ws = nodes.node(i).ws();
      for (String channel : channels) {
        JsonObject ack = ws.subscribe(channel);
        assertEquals("ack", ack.getString("type"), ack.encode());
      }
      sockets.add(ws);
    }
    for (String channel : channels) {
      redis.cli(
          "xadd",
          nodes.prefix() + ":inbox",
          "*",
          "channel",
          channel,
          "data",
          new JsonObject().put("via", "inbox").put("channel", channel).encode());
    }
    for (String channel : channels) {
      String offset = null;
      for (int i = 0; i < ThreeNodes.SIZE; i++) {
        JsonObject message = sockets.get(i).nextMessage(channel);
        assertEquals(
            new JsonObject().put("via", "inbox").put("channel", channel),
            message.getJsonObject("data"),
            message.encode());
        if (offset == null) {
          offset = message.getString("offset");
        }
        assertEquals(offset, message.getString("offset"), "n" + i + ": " + message);
      }
      JsonObject history =
          nodes.node(1).get("/api/channels/" + channel + "/history").json();
      assertEquals(offset, history.getString("offset"), history.encode());
      assertEquals(
          1, history.getJsonArray("messages").size(), "published once: " + history.encode());
    }
    Received.quietWindow();
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      assertEquals(
          channels.size(),
          Received.messages(sockets.get(i)).size(),
          "n" + i + ": " + Received.messages(sockets.get(i)));
    }
  }

  /**
   * A node subscribes to a channel's pub/sub channel when its first local subscriber comes (once,
   * whichever event loop), not for a publish, and unsubscribes when its last one leaves, by
   * unsubscribe frame, closed WebSocket or closed stream. Each node has one pub/sub connection, so
   * NUMSUB counts nodes.
   */
  @Test
  void nodeFollowsAChannelInRedisOnlyWhileItHasLocalSubscribers() {
    List<String> names = redis.channels("dl-follow", 2);
    String channel = names.get(0);
    String other = names.get(1);
    String pubSub = nodes.pubSub(channel);
    TestNode n0 = nodes.node(0);
    TestNode n2 = nodes.node(2);

    n2.publish(channel, 0);
    n2.publish(other, 0);
    assertEquals(0, redis.subscribers(pubSub), "a publish subscribes nobody");
    assertEquals(List.of(), redis.pubSubChannels(nodes.prefix()));

    WsClient first = n0.ws();
    first.subscribe(channel);
    assertEquals(1, redis.subscribers(pubSub), "n0 follows the channel once subscribed");
    WsClient second = n0.ws();
    second.subscribe(channel);
    WsClient third = n0.ws();
    third.subscribe(channel);
    assertEquals(1, redis.subscribers(pubSub), "n0 follows it once for all its subscribers");
    SseReader sse = nodes.sse(1, "/sse?channel=" + channel, null);
    sse.firstId();
    assertEquals(2, redis.subscribers(pubSub), "n0 and n1 follow it, n2 does not");
    assertEquals(
        List.of(pubSub),
        redis.pubSubChannels(nodes.prefix()),
        "only channels with subscribers somewhere are followed");

    String o1 = n2.publish(channel, 1);
    for (WsClient ws : List.of(first, second, third)) {
      assertEquals(o1, ws.nextMessage(channel).getString("offset"));
    }
    assertEquals(o1, sse.next("message").json().getString("offset"));

    // two of n0's three subscribers leave: n0 still follows the channel
    JsonObject ack =
        first.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
    assertEquals("ack", ack.getString("type"), ack.encode());
    second.close();
    String o2 = n2.publish(channel, 2);
    assertEquals(o2, third.nextMessage(channel).getString("offset"));
    assertEquals(o2, sse.next("message").json().getString("offset"));
    assertEquals(2, redis.subscribers(pubSub));

    // its last one leaves: n0 unsubscribes in Redis
    third.close();
    Received.eventually(() -> redis.subscribers(pubSub), 1L, "n0 unsubscribed, n1 still follows");
    sse.close();
    Received.eventually(
        () -> redis.subscribers(pubSub), 0L, "n1 unsubscribed when its stream" + " closed");
    assertEquals(List.of(), redis.pubSubChannels(nodes.prefix()));

    // and follows it again for a new subscriber
    WsClient again = n0.ws();
    again.subscribe(channel);
    assertEquals(1, redis.subscribers(pubSub));
    String o3 = n2.publish(channel, 3);
    assertEquals(o3, again.nextMessage(channel).getString("offset"));
    Received.quietWindow();
    assertEquals(1, Received.messages(again).size(), Received.messages(again).toString());
    assertEquals(1, Received.messages(first).size(), "unsubscribed: " + Received.messages(first));
  }
}

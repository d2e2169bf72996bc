package io.switchboard.broker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.broker.StreamPosition;
import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What clients see of a channel the memory broker gave up (README "Memory budget"): a resume from
 * before answers {@code recovered:false} on a WebSocket and a {@code gap} on SSE, never a silent
 * hole; a live subscriber is told with a {@code gap} and keeps receiving, from a new epoch; the
 * node stays ready and says so in its metrics. {@code broker.memory.maxChannels} makes the
 * eviction exact here; the byte budget evicts in the same order (MemoryBrokerBudgetTest,
 * ChannelFloodTest).
 */
@ExtendWith(VertxExtension.class)
class EvictionTest {
  private TestNode node;

  private void start(Vertx vertx, int maxChannels) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "broker",
                new JsonObject().put("memory", new JsonObject().put("maxChannels", maxChannels))));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static JsonObject n(int n) {
    return new JsonObject().put("n", n);
  }

  @Test
  void aResumeOnAnEvictedChannelIsNotRecovered(Vertx vertx) {
    start(vertx, 3);
    String before = node.publish("ev-ws", n(1));
    for (int i = 0; i < 3; i++) {
      node.publish("ev-other-" + i, n(i));
    }
    WsClient ws = node.ws();
    JsonObject ack = ws.subscribe("ev-ws", before);
    assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(0, StreamPosition.parse(ack.getString("offset")).offset(), ack.encode());
    ws.expectNo("message");
    String after = node.publish("ev-ws", n(2));
    assertEquals(after, ws.nextMessage("ev-ws").getString("offset"));
    assertEquals(1, StreamPosition.parse(after).offset(), "a new epoch starts at 1");
  }

  @Test
  void anSseResumeOnAnEvictedChannelGetsAGap(Vertx vertx) {
    start(vertx, 3);
    String uri = "/sse?channel=ev-sse";
    SseReader first = node.sse(uri);
    first.firstId();
    String offset = node.publish("ev-sse", n(1));
    assertEquals(offset, first.next("message").json().getString("offset"));
    String resumeFrom = first.lastEventId();
    first.close();
    // a channel with a subscriber would be evicted last: wait until the node let the stream go
    Await.until(
        () -> node.get("/metrics").body().contains("\nswitchboard_channels 0.0"),
        "the closed stream to be unsubscribed");
    for (int i = 0; i < 3; i++) {
      node.publish("ev-other-" + i, n(i));
    }
    SseReader second = SseReader.open(vertx, node.port(), uri, resumeFrom);
    JsonObject gap = second.next("gap").json();
    assertEquals("ev-sse", gap.getString("channel"), gap.encode());
    assertEquals(offset, gap.getString("offset"), gap.encode());
    String live = node.publish("ev-sse", n(2));
    assertEquals(live, second.next("message").json().getString("offset"));
    second.close();
  }

  /**
   * Channels with subscribers go last, but they do go when nothing else is left: the subscriber
   * gets a {@code gap} naming the last offset it had, then keeps receiving (from a new epoch), and
   * an offset from before the eviction no longer resumes.
   */
  @Test
  void aLiveSubscriberOfAnEvictedChannelKeepsReceivingFromANewEpoch(Vertx vertx) {
    start(vertx, 2);
    WsClient live = node.ws();
    for (String channel : new String[] {"ev-live-1", "ev-live-2", "ev-live-3"}) {
      live.subscribe(channel);
    }
    String old = node.publish("ev-live-1", n(1));
    assertEquals(old, live.nextMessage("ev-live-1").getString("offset"));
    node.publish("ev-live-2", n(2));
    node.publish("ev-live-3", n(3)); // three channels, room for two: ev-live-1 goes
    live.nextMessage("ev-live-2");
    live.nextMessage("ev-live-3");

    // it is told that history was lost after the last message it got, as when Redis loses one
    assertEquals(
        new JsonObject().put("type", "gap").put("channel", "ev-live-1").put("offset", old),
        live.next("gap"));
    String fresh = node.publish("ev-live-1", n(4));
    JsonObject message = live.nextMessage("ev-live-1");
    assertEquals(fresh, message.getString("offset"));
    assertEquals(4, message.getJsonObject("data").getInteger("n"));
    assertNotEquals(
        StreamPosition.parse(old).epoch(), StreamPosition.parse(fresh).epoch());

    WsClient resumer = node.ws();
    JsonObject fromBefore = resumer.subscribe("ev-live-1", old);
    assertEquals(Boolean.FALSE, fromBefore.getBoolean("recovered"), fromBefore.encode());
    WsClient other = node.ws();
    JsonObject fromAfter = other.subscribe("ev-live-1", fresh);
    assertEquals(Boolean.TRUE, fromAfter.getBoolean("recovered"), fromAfter.encode());
  }

  @Test
  void evictionIsCountedAndTheNodeStaysReady(Vertx vertx) {
    start(vertx, 3);
    for (int i = 0; i < 5; i++) {
      node.publish("ev-count-" + i, n(i));
    }
    String metrics = node.get("/metrics").body();
    assertTrue(metrics.contains("switchboard_broker_channels 3.0"), metrics);
    assertTrue(
        metrics.contains("switchboard_broker_evictions_total{reason=\"count\"} 2.0"), metrics);
    assertTrue(
        metrics.contains("switchboard_broker_evictions_total{reason=\"budget\"} 0.0"), metrics);
    assertTrue(metrics.contains("switchboard_broker_evictions_total{reason=\"ttl\"} 0.0"), metrics);
    assertTrue(
        metrics
            .lines()
            .anyMatch(line -> line.startsWith("switchboard_broker_bytes ")
                && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) > 0),
        metrics);
    assertTrue(metrics.contains("switchboard_broker_max_bytes "), metrics);
    assertEquals(200, node.get("/ready").status());
  }
}

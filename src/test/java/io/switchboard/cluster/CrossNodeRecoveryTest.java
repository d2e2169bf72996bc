package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PROTOCOL.md sections 3 and 7 across nodes: a client that drops off one node resumes on another,
 * over WebSocket ({@code since}) or SSE ({@code Last-Event-ID}), and gets exactly what it missed,
 * then live messages; an offset of another epoch (Redis lost its data, or one made up) is not
 * recovered. Runs on one Redis server and on a Redis Cluster.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedRedis.Kind.class)
class CrossNodeRecoveryTest {
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
    nodes = ThreeNodes.start(redis, "recover");
  }

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  private static JsonObject n(int i) {
    return new JsonObject().put("n", i);
  }

  /** Publishes n = from .. to - 1 over HTTP on {@code node}; the acked offsets in order. */
  private static List<String> publish(TestNode node, String channel, int from, int to) {
    List<String> offsets = new ArrayList<>();
    for (int i = from; i < to; i++) {
      offsets.add(node.publish(channel, n(i)));
    }
    return offsets;
  }

  /** The next {@code offsets.size()} messages of the channel carry exactly these offsets. */
  private static void assertNextOffsets(WsClient ws, String channel, List<String> offsets) {
    for (String offset : offsets) {
      JsonObject message = ws.nextMessage(channel);
      assertEquals(offset, message.getString("offset"), message.encode());
    }
  }

  @Test
  void webSocketResumesOnAnotherNodeWithExactlyWhatItMissed() {
    String channel = redis.channels("rc-ws", 1).get(0);
    WsClient onA = nodes.node(0).ws();
    onA.subscribe(channel);
    List<String> seen = publish(nodes.node(1), channel, 0, 3);
    assertNextOffsets(onA, channel, seen);
    String last = seen.get(2);
    onA.close();

    List<String> missed = publish(nodes.node(1), channel, 3, 8);
    WsClient onC = nodes.node(2).ws();
    JsonObject ack = onC.subscribe(channel, last);
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(missed.get(missed.size() - 1), ack.getString("offset"), ack.encode());
    for (int i = 0; i < missed.size(); i++) {
      JsonObject message = onC.nextMessage(channel);
      assertEquals(missed.get(i), message.getString("offset"), message.encode());
      assertEquals(n(3 + i), message.getJsonObject("data"));
    }
    List<String> live = new ArrayList<>();
    live.addAll(publish(nodes.node(0), channel, 8, 9));
    live.addAll(publish(nodes.node(1), channel, 9, 10));
    live.addAll(publish(nodes.node(2), channel, 10, 11));
    assertNextOffsets(onC, channel, live);
    Received.quietWindow();
    assertEquals(
        missed.size() + live.size(),
        Received.messages(onC).size(),
        "no duplicates: " + Received.messages(onC));
  }

  /**
   * Clients resume on node C while node B keeps publishing: replayed and live messages meet
   * without a gap or a repeat, though history and live messages reach C by different ways.
   */
  /** How far the racing publisher may run ahead of the clock subscriber. */
  private static final int LEAD = 50;

  @Test
  void resumeWhileAnotherNodeKeepsPublishingHasNoGapsOrDuplicates() throws Exception {
    String channel = redis.channels("rc-race", 1).get(0);
    int total = 200;
    WsClient clock = nodes.node(0).ws();
    clock.subscribe(channel);
    Promise<List<String>> published = Promise.promise();
    // the publisher stays at most LEAD messages ahead of what the clock has read, so a resume
    // point taken from the clock is still in the channel's history (100 messages) when used: on
    // a loaded machine the clock could fall so far behind that the race became a trim
    AtomicInteger clockRead = new AtomicInteger();
    Thread publisher = new Thread(
        () -> {
          try {
            List<String> offsets = new ArrayList<>();
            for (int i = 0; i < total; i++) {
              while (i - clockRead.get() > LEAD) {
                Thread.sleep(1);
              }
              offsets.add(nodes.node(1).publish(channel, n(i)));
            }
            published.complete(offsets);
          } catch (Throwable e) {
            published.fail(e);
          }
        },
        "rc-race-publisher");
    publisher.start();

    List<String> clockOffsets = new ArrayList<>();
    List<WsClient> late = new ArrayList<>();
    List<Integer> firstExpected = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      int seen = 20 + 40 * s;
      while (clockOffsets.size() <= seen) {
        clockOffsets.add(clock.nextMessage(channel).getString("offset"));
        clockRead.set(clockOffsets.size());
      }
      int since = seen - 10;
      WsClient ws = nodes.node(2 - s % 2).ws();
      JsonObject ack = ws.subscribe(channel, clockOffsets.get(since));
      assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
      late.add(ws);
      firstExpected.add(since + 1);
    }
    clockRead.set(total); // the rest is read after the publisher is done
    List<String> acked = Await.result(published.future(), Duration.ofSeconds(30));
    publisher.join();
    assertEquals(acked.subList(0, clockOffsets.size()), clockOffsets);
    assertNextOffsets(clock, channel, acked.subList(clockOffsets.size(), total));
    for (int s = 0; s < late.size(); s++) {
      assertNextOffsets(late.get(s), channel, acked.subList(firstExpected.get(s), total));
    }
    Received.quietWindow();
    assertEquals(total, Received.messages(clock).size());
    for (int s = 0; s < late.size(); s++) {
      assertEquals(
          total - firstExpected.get(s),
          Received.messages(late.get(s)).size(),
          "late subscriber " + s + " got a message twice");
    }
  }

  @Test
  void sseStreamResumesOnAnotherNodeWithLastEventId() {
    List<String> channels = redis.channels("rc-sse", 2);
    String b = channels.get(0);
    String c = channels.get(1);
    String uri = "/sse?channel=" + b + "&channel=" + c;
    SseReader onA = nodes.sse(0, uri, null);
    onA.firstId();
    String b1 = nodes.node(1).publish(b, n(1));
    String c1 = nodes.node(1).publish(c, n(1));
    assertEquals(b1, onA.next("message").json().getString("offset"));
    assertEquals(c1, onA.next("message").json().getString("offset"));
    String resumeFrom = onA.lastEventId();
    onA.close();

    List<String> missedB = publish(nodes.node(1), b, 2, 5);
    List<String> missedC = publish(nodes.node(1), c, 2, 4);
    SseReader onC = nodes.sse(2, uri, resumeFrom);
    assertEquals(200, onC.status());
    List<JsonObject> replayed = onC.nextMessages(missedB.size() + missedC.size());
    assertEquals(missedB, SseReader.offsetsOf(replayed, b));
    assertEquals(missedC, SseReader.offsetsOf(replayed, c));
    String liveB = nodes.node(0).publish(b, n(5));
    String liveC = nodes.node(1).publish(c, n(4));
    assertEquals(liveB, onC.next("message").json().getString("offset"));
    assertEquals(liveC, onC.next("message").json().getString("offset"));
    Received.quietWindow();
    assertEquals(
        missedB.size() + missedC.size() + 2,
        Received.messages(onC).size(),
        "no duplicates: " + Received.messages(onC));
    assertTrue(
        onC.received().stream().noneMatch(e -> "gap".equals(e.event())),
        "no gap: " + onC.received());
    onC.close();
  }

  /**
   * An offset is only good in its epoch: a made-up epoch, or the epoch Redis lost in a FLUSHALL
   * (as a restart without persistence would), answers recovered:false and replays nothing, on
   * any node; an SSE stream resuming from before the loss, and a connection open through it, get
   * a gap. Live delivery goes on.
   */
  @Test
  void offsetFromAnotherEpochIsNotRecovered() {
    String channel = redis.channels("rc-epoch", 1).get(0);
    String uri = "/sse?channel=" + channel;
    SseReader stream = nodes.sse(0, uri, null);
    stream.firstId();
    WsClient stays = nodes.node(2).ws();
    stays.subscribe(channel);
    List<String> before = publish(nodes.node(1), channel, 0, 3);
    for (String offset : before) {
      assertEquals(offset, stream.next("message").json().getString("offset"));
    }
    assertNextOffsets(stays, channel, before);
    String streamResume = stream.lastEventId();
    stream.close();
    String last = before.get(2);

    WsClient madeUp = nodes.node(2).ws();
    JsonObject ack = madeUp.subscribe(channel, "2-madeup");
    assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(last, ack.getString("offset"), ack.encode());
    madeUp.close();

    redis.flushAll();
    String fresh = nodes.node(1).publish(channel, n(3));
    assertNotEquals(Received.epoch(last), Received.epoch(fresh), "a new epoch after the flush");
    // README "Outages": a connection that stayed open hears of the lost history, then goes on
    assertEquals(
        new JsonObject().put("type", "gap").put("channel", channel).put("offset", last),
        stays.next("gap"));
    assertEquals(fresh, stays.nextMessage(channel).getString("offset"));
    List<String> staysSaw = stays.received().stream()
        .filter(f -> "gap".equals(f.getString("type")) || "message".equals(f.getString("type")))
        .map(f -> f.getString("type") + " " + f.getString("offset"))
        .toList();
    assertEquals(
        List.of(
            "message " + before.get(0),
            "message " + before.get(1),
            "message " + last,
            "gap " + last,
            "message " + fresh),
        staysSaw);

    String top = fresh;
    for (int i = 0; i < ThreeNodes.SIZE; i++) {
      WsClient ws = nodes.node(i).ws();
      JsonObject resumed = ws.subscribe(channel, last);
      assertEquals("ack", resumed.getString("type"), resumed.encode());
      assertEquals(Boolean.FALSE, resumed.getBoolean("recovered"), "n" + i + ": " + resumed);
      assertEquals(top, resumed.getString("offset"), resumed.encode());
      top = nodes.node((i + 1) % ThreeNodes.SIZE).publish(channel, n(4 + i));
      JsonObject message = ws.nextMessage(channel);
      assertEquals(top, message.getString("offset"), "n" + i + " replayed nothing: " + message);
      ws.close();
    }

    SseReader resumedStream = nodes.sse(2, uri, streamResume);
    JsonObject gap = resumedStream.next("gap").json();
    assertEquals(channel, gap.getString("channel"), gap.encode());
    assertEquals(last, gap.getString("offset"), gap.encode());
    String live = nodes.node(0).publish(channel, n(10));
    assertEquals(live, resumedStream.next("message").json().getString("offset"));
    Received.quietWindow();
    assertEquals(
        1,
        Received.messages(resumedStream).size(),
        Received.messages(resumedStream).toString());
    resumedStream.close();
  }
}

package io.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROTOCOL.md section 3: with {@code since}, every message after that offset comes, in order and
 * once, before any live message, and the ack says {@code recovered:true}; when history no longer
 * reaches back (or the offset is not one of this channel's), {@code recovered:false} and nothing
 * old is replayed. Also the {@code history} request.
 */
@ExtendWith(VertxExtension.class)
class RecoveryTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  /** Publishes data {"n": from} .. {"n": to - 1}; returns the offsets, index i for n = from + i. */
  private List<String> publish(String channel, int from, int to) {
    List<String> offsets = new ArrayList<>();
    for (int n = from; n < to; n++) {
      offsets.add(node.publish(channel, new JsonObject().put("n", n)));
    }
    return offsets;
  }

  private static void assertNextNumbers(WsClient ws, String channel, int from, int to) {
    for (int n = from; n < to; n++) {
      JsonObject message = ws.nextMessage(channel);
      assertEquals(n, message.getJsonObject("data").getInteger("n"), message.encode());
    }
  }

  // --- subscribe with since ---

  @Test
  void sinceReplaysExactlyTheMissedMessagesBeforeLiveOnes() {
    String channel = "rec-basic";
    List<String> offsets = publish(channel, 0, 5);
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel, offsets.get(1));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(offsets.get(4), ack.getString("offset"));
    for (int n = 2; n < 5; n++) {
      JsonObject message = ws.nextMessage(channel);
      assertEquals(offsets.get(n), message.getString("offset"));
      assertEquals(n, message.getJsonObject("data").getInteger("n"));
    }
    String live = node.publish(channel, new JsonObject().put("n", 5));
    assertEquals(live, ws.nextMessage(channel).getString("offset"));
    ws.expectNo("message");
    assertAckBeforeMessages(ws, channel);
  }

  @Test
  void sinceTheCurrentOffsetRecoversNothingToReplay() {
    String channel = "rec-current";
    List<String> offsets = publish(channel, 0, 3);
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel, offsets.get(2));
    assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(offsets.get(2), ack.getString("offset"));
    ws.expectNo("message");
    publish(channel, 3, 4);
    assertNextNumbers(ws, channel, 3, 4);
  }

  @Test
  void subscribeWithoutSinceHasNoRecoveredFlagAndReplaysNothing() {
    String channel = "rec-none";
    publish(channel, 0, 3);
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel);
    assertNull(ack.getValue("recovered"), ack.encode());
    ws.expectNo("message");
  }

  @Test
  void reconnectResumesFromTheLastOffsetSeen() {
    String channel = "rec-resume";
    WsClient first = client();
    first.subscribe(channel);
    publish(channel, 0, 3);
    assertNextNumbers(first, channel, 0, 2);
    String lastSeen = first.nextMessage(channel).getString("offset");
    first.close();
    publish(channel, 3, 6);
    WsClient second = client();
    assertEquals(Boolean.TRUE, second.subscribe(channel, lastSeen).getBoolean("recovered"));
    assertNextNumbers(second, channel, 3, 6);
    second.expectNo("message");
  }

  /** A client that subscribed while the channel was still empty resumes from that offset. */
  @Test
  void offsetOfAnEmptyChannelIsResumable() {
    String channel = "rec-empty";
    WsClient first = client();
    String empty = first.subscribe(channel).getString("offset");
    first.close();
    publish(channel, 0, 2);
    WsClient second = client();
    JsonObject ack = second.subscribe(channel, empty);
    assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
    assertNextNumbers(second, channel, 0, 2);
    second.expectNo("message");
  }

  @Test
  void sinceOlderThanTheHistoryIsNotRecoveredAndReplaysNothing() {
    // namespace "short" keeps the last 3 messages
    String channel = "short:rec-old";
    List<String> offsets = publish(channel, 0, 6);
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel, offsets.get(1));
    assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(offsets.get(5), ack.getString("offset"));
    ws.expectNo("message");
    publish(channel, 6, 7);
    assertNextNumbers(ws, channel, 6, 7);
    ws.expectNo("message");
  }

  @Test
  void sinceJustInsideTheHistoryIsRecovered() {
    // history holds n = 3, 4, 5: resuming after n = 2 loses nothing
    String channel = "short:rec-edge";
    List<String> offsets = publish(channel, 0, 6);
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel, offsets.get(2));
    assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
    assertNextNumbers(ws, channel, 3, 6);
    ws.expectNo("message");
  }

  static Stream<Arguments> unrecoverableOffsets() {
    return Stream.of(
        arguments("not an offset", (UnaryOperator<String>) real -> "abc"),
        arguments("other epoch", (UnaryOperator<String>) real -> "1-otherepoch"),
        arguments("other epoch with a dash", (UnaryOperator<String>) real -> "1-other-epoch"),
        arguments("negative offset", (UnaryOperator<String>) real -> "-1-" + epochOf(real)),
        arguments("no epoch", (UnaryOperator<String>) real -> "1-"),
        arguments("number only", (UnaryOperator<String>) real -> "1"),
        arguments("future offset of this epoch", (UnaryOperator<String>)
            real -> "999999-" + epochOf(real)),
        arguments("offset of another channel", (UnaryOperator<String>) real -> null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unrecoverableOffsets")
  void foreignOrMalformedSinceIsNotRecovered(String name, UnaryOperator<String> since) {
    String channel = "rec-foreign";
    List<String> offsets = publish(channel, 0, 3);
    String offset = since.apply(offsets.get(2));
    if (offset == null) {
      offset = publish("rec-foreign-other", 0, 1).get(0);
    }
    WsClient ws = client();
    JsonObject ack = ws.subscribe(channel, offset);
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
    assertEquals(offsets.get(2), ack.getString("offset"));
    ws.expectNo("message");
    publish(channel, 3, 4);
    assertNextNumbers(ws, channel, 3, 4);
  }

  /**
   * Subscribers join with since while another thread keeps publishing: each must see every message
   * after its since exactly once, in order, with no gap between replayed and live ones.
   */
  @Test
  void recoveryRacingConcurrentPublishesHasNoGapsOrDuplicates() throws Exception {
    String channel = "rec-race";
    int total = 300;
    int subscribers = 6;
    WsClient clock = client();
    clock.subscribe(channel);
    Promise<Void> published = Promise.promise();
    Thread publisher = new Thread(
        () -> {
          try {
            publish(channel, 0, total);
            published.complete();
          } catch (Throwable e) {
            published.fail(e);
          }
        },
        "rec-race-publisher");
    publisher.start();

    List<String> clockOffsets = new ArrayList<>();
    List<WsClient> late = new ArrayList<>();
    List<Integer> firstExpected = new ArrayList<>();
    for (int s = 0; s < subscribers; s++) {
      int seen = 20 + 40 * s;
      while (clockOffsets.size() <= seen) {
        JsonObject message = clock.nextMessage(channel);
        assertEquals(clockOffsets.size(), message.getJsonObject("data").getInteger("n"));
        clockOffsets.add(message.getString("offset"));
      }
      // resume from ten messages back, while the publisher is still going
      int since = seen - 10;
      WsClient ws = client();
      JsonObject ack = ws.subscribe(channel, clockOffsets.get(since));
      assertEquals(Boolean.TRUE, ack.getBoolean("recovered"), ack.encode());
      late.add(ws);
      firstExpected.add(since + 1);
    }
    Await.result(published.future(), Duration.ofSeconds(30));
    publisher.join();
    assertNextNumbers(clock, channel, clockOffsets.size(), total);
    for (int s = 0; s < subscribers; s++) {
      WsClient ws = late.get(s);
      assertNextNumbers(ws, channel, firstExpected.get(s), total);
      ws.expectNo("message");
      assertAckBeforeMessages(ws, channel);
    }
    clock.expectNo("message");
  }

  // --- history ---

  @Test
  void historyWithoutSinceListsTheLatestMessages() {
    String channel = "hist-latest";
    List<String> offsets = publish(channel, 0, 5);
    WsClient ws = client();
    JsonObject history = history(ws, channel, null, null);
    assertEquals(channel, history.getString("channel"));
    assertEquals(offsets.get(4), history.getString("offset"));
    assertTrue(history.getBoolean("complete"), history.encode());
    assertNumbers(history, 0, 5);
    JsonObject first = history.getJsonArray("messages").getJsonObject(0);
    assertEquals("message", first.getString("type"));
    assertEquals(channel, first.getString("channel"));
    assertEquals(offsets.get(0), first.getString("offset"));
    assertTrue(first.getLong("ts") > 0);
  }

  @Test
  void historyWithoutSinceAndWithLimitListsTheNewestOnes() {
    String channel = "hist-limit";
    List<String> offsets = publish(channel, 0, 5);
    JsonObject history = history(client(), channel, null, 2);
    assertNumbers(history, 3, 5);
    assertEquals(offsets.get(4), history.getString("offset"));
  }

  @Test
  void historyDefaultsToFiftyMessages() {
    String channel = "hist-default";
    publish(channel, 0, 60);
    assertNumbers(history(client(), channel, null, null), 10, 60);
  }

  @Test
  void historySinceListsWhatCameAfter() {
    String channel = "hist-since";
    List<String> offsets = publish(channel, 0, 5);
    JsonObject history = history(client(), channel, offsets.get(1), null);
    assertNumbers(history, 2, 5);
    assertTrue(history.getBoolean("complete"), history.encode());
    assertEquals(offsets.get(4), history.getString("offset"));
  }

  @Test
  void historySinceTheCurrentOffsetIsEmptyAndComplete() {
    String channel = "hist-current";
    List<String> offsets = publish(channel, 0, 3);
    JsonObject history = history(client(), channel, offsets.get(2), null);
    assertNumbers(history, 0, 0);
    assertTrue(history.getBoolean("complete"), history.encode());
  }

  @Test
  void historySinceWithLimitPagesThroughEverything() {
    String channel = "hist-pages";
    List<String> offsets = publish(channel, 0, 10);
    WsClient ws = client();
    JsonObject page = history(ws, channel, offsets.get(1), 3);
    assertNumbers(page, 2, 5);
    assertFalse(page.getBoolean("complete"), page.encode());
    List<Integer> all = new ArrayList<>(numbers(page));
    String since = lastOffset(page);
    while (!page.getBoolean("complete")) {
      page = history(ws, channel, since, 3);
      all.addAll(numbers(page));
      since = lastOffset(page);
    }
    assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9), all);
    assertEquals(offsets.get(9), since);
  }

  @Test
  void historySinceOlderThanRetainedIsIncomplete() {
    String channel = "short:hist-old";
    List<String> offsets = publish(channel, 0, 6);
    JsonObject history = history(client(), channel, offsets.get(0), null);
    assertFalse(history.getBoolean("complete"), history.encode());
    assertEquals(offsets.get(5), history.getString("offset"));
    // whatever it lists is from the retained tail, in order
    List<Integer> listed = numbers(history);
    for (int i = 0; i < listed.size(); i++) {
      assertEquals(6 - listed.size() + i, listed.get(i), history.encode());
    }
  }

  @Test
  void historySinceAForeignOffsetIsIncompleteAndEmpty() {
    String channel = "hist-foreign";
    publish(channel, 0, 3);
    for (String since : List.of("abc", "1-otherepoch")) {
      JsonObject history = history(client(), channel, since, null);
      assertFalse(history.getBoolean("complete"), history.encode());
      assertNumbers(history, 0, 0);
    }
  }

  @Test
  void historyOfAnUnusedChannelIsEmptyAndComplete() {
    JsonObject history = history(client(), "hist-unused", null, null);
    assertNumbers(history, 0, 0);
    assertTrue(history.getBoolean("complete"), history.encode());
    assertFalse(history.getString("offset").isEmpty());
  }

  @Test
  void historyMatchesTheHttpApi() {
    String channel = "hist-http";
    List<String> offsets = publish(channel, 0, 4);
    JsonObject overWs = history(client(), channel, offsets.get(0), 2);
    JsonObject overHttp = node.get(
            "/api/channels/" + channel + "/history?since=" + offsets.get(0) + "&limit=2")
        .json();
    assertEquals(numbers(overWs), numbers(overHttp));
    assertEquals(overWs.getString("offset"), overHttp.getString("offset"));
    assertEquals(overWs.getBoolean("complete"), overHttp.getBoolean("complete"));
  }

  // --- helpers ---

  private static JsonObject history(WsClient ws, String channel, String since, Integer limit) {
    JsonObject request = new JsonObject().put("type", "history").put("channel", channel);
    if (since != null) {
      request.put("since", since);
    }
    if (limit != null) {
      request.put("limit", limit);
    }
    JsonObject reply = ws.request(request);
    assertEquals("history", reply.getString("type"), reply.encode());
    return reply;
  }

  private static List<Integer> numbers(JsonObject history) {
    List<Integer> numbers = new ArrayList<>();
    JsonArray messages = history.getJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      numbers.add(messages.getJsonObject(i).getJsonObject("data").getInteger("n"));
    }
    return numbers;
  }

  private static String lastOffset(JsonObject history) {
    JsonArray messages = history.getJsonArray("messages");
    return messages.getJsonObject(messages.size() - 1).getString("offset");
  }

  private static void assertNumbers(JsonObject history, int from, int to) {
    List<Integer> expected = new ArrayList<>();
    for (int n = from; n < to; n++) {
      expected.add(n);
    }
    assertEquals(expected, numbers(history), history.encode());
  }

  private static String epochOf(String offset) {
    return offset.substring(offset.indexOf('-') + 1);
  }

  /** The subscribe ack of the channel arrived before any of its messages. */
  private static void assertAckBeforeMessages(WsClient ws, String channel) {
    List<JsonObject> frames = ws.received();
    int ack = -1;
    int firstMessage = -1;
    for (int i = 0; i < frames.size(); i++) {
      JsonObject f = frames.get(i);
      if (!channel.equals(f.getString("channel"))) {
        continue;
      }
      if (ack < 0 && "ack".equals(f.getString("type"))) {
        ack = i;
      }
      if (firstMessage < 0 && "message".equals(f.getString("type"))) {
        firstMessage = i;
      }
    }
    assertTrue(
        ack >= 0 && (firstMessage < 0 || ack < firstMessage), "ack after messages: " + frames);
  }
}

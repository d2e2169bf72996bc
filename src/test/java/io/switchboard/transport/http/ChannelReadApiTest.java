package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GET /api/channels/{channel}/history and /presence. */
@ExtendWith(VertxExtension.class)
class ChannelReadApiTest {
  /** Presence is removed when the server sees a socket close, which the client cannot observe. */
  private static final long PRESENCE_DEADLINE_MS = 5_000;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private List<String> publishNumbers(String channel, int count) {
    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      offsets.add(node.publish(channel, new JsonObject().put("n", i)));
    }
    return offsets;
  }

  private JsonObject history(String channel, String query) {
    Reply reply = node.get("/api/channels/" + channel + "/history" + query);
    assertEquals(200, reply.status(), reply.body());
    return reply.json();
  }

  /** Asserts the messages are those numbered {@code from..to} (inclusive), in offset order. */
  private static void assertMessages(JsonObject page, List<String> offsets, int from, int to) {
    JsonArray messages = page.getJsonArray("messages");
    assertNotNull(messages, page.encode());
    assertEquals(to - from + 1, messages.size(), page.encode());
    for (int i = from; i <= to; i++) {
      JsonObject message = messages.getJsonObject(i - from);
      assertEquals(offsets.get(i), message.getString("offset"), page.encode());
      assertEquals(i, message.getJsonObject("data").getInteger("n"));
      assertTrue(message.getLong("ts") > 0);
    }
  }

  @Test
  void historyListsMessagesInOrderWithTheCurrentOffset() {
    List<String> offsets = publishNumbers("hist-a", 5);
    JsonObject page = history("hist-a", "");
    assertEquals("hist-a", page.getString("channel"));
    assertMessages(page, offsets, 0, 4);
    assertEquals(offsets.get(4), page.getString("offset"));
    assertTrue(page.getBoolean("complete"), page.encode());
    // messages have the shape live ones have
    assertEquals("hist-a", page.getJsonArray("messages").getJsonObject(0).getString("channel"));
  }

  @Test
  void sinceReturnsWhatCameAfter() {
    List<String> offsets = publishNumbers("hist-b", 5);
    JsonObject page = history("hist-b", "?since=" + offsets.get(1));
    assertMessages(page, offsets, 2, 4);
    assertEquals(offsets.get(4), page.getString("offset"));
    assertTrue(page.getBoolean("complete"), page.encode());
  }

  @Test
  void sinceTheCurrentOffsetIsEmptyAndComplete() {
    List<String> offsets = publishNumbers("hist-c", 3);
    JsonObject page = history("hist-c", "?since=" + offsets.get(2));
    assertMessages(page, offsets, 0, -1);
    assertEquals(offsets.get(2), page.getString("offset"));
    assertTrue(page.getBoolean("complete"));
  }

  @Test
  void limitCutsAfterSinceAndSaysIncomplete() {
    List<String> offsets = publishNumbers("hist-d", 5);
    JsonObject page = history("hist-d", "?since=" + offsets.get(0) + "&limit=2");
    assertMessages(page, offsets, 1, 2);
    assertEquals(offsets.get(4), page.getString("offset"));
    assertFalse(page.getBoolean("complete"), page.encode());
  }

  @Test
  void limitWithoutSinceGivesTheMostRecentMessages() {
    List<String> offsets = publishNumbers("hist-e", 5);
    JsonObject page = history("hist-e", "?limit=2");
    assertMessages(page, offsets, 3, 4);
    assertEquals(offsets.get(4), page.getString("offset"));
    // the limit left out retained messages 0..2: the page is not the whole retained history
    assertFalse(page.getBoolean("complete"), page.encode());
  }

  @Test
  void aChannelNeverPublishedToHasNoMessages() {
    JsonObject page = history("hist-empty", "");
    assertEquals(0, page.getJsonArray("messages").size());
    assertNotNull(page.getString("offset"));
    assertTrue(page.getBoolean("complete"));
  }

  @Test
  void sinceOlderThanRetainedHistoryIsIncomplete() {
    // namespace "short" keeps 3 messages
    List<String> offsets = publishNumbers("short:hist-f", 6);
    JsonObject page = history("short:hist-f", "?since=" + offsets.get(0));
    assertFalse(page.getBoolean("complete"), page.encode());
    assertEquals(offsets.get(5), page.getString("offset"));
    JsonObject retained = history("short:hist-f", "");
    assertMessages(retained, offsets, 3, 5);
  }

  @Test
  void anOffsetThatIsNotOursIsIncomplete() {
    publishNumbers("hist-g", 2);
    JsonObject page = history("hist-g", "?since=not-an-offset");
    assertFalse(page.getBoolean("complete"), page.encode());
  }

  static Stream<Arguments> channelNames() {
    return Stream.of(
        Arguments.of("colon", "chat:hist-room", "chat:hist-room"),
        Arguments.of("colons and slashes", "chat:hist/a/b:c", "chat:hist/a/b:c"),
        Arguments.of("every allowed punctuation", "hist_x-y.z@w/v=u", "hist_x-y.z@w/v=u"),
        Arguments.of("percent-encoded colon and slash", "chat:hist/enc", "chat%3Ahist%2Fenc"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("channelNames")
  void historyOfChannelNamesWithColonsAndSlashes(String name, String channel, String inPath) {
    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      offsets.add(node.publish(channel, new JsonObject().put("text", "t" + i).put("n", i)));
    }
    JsonObject page = history(inPath, "?limit=10");
    assertEquals(channel, page.getString("channel"));
    assertMessages(page, offsets, 0, 2);
    for (Object message : page.getJsonArray("messages")) {
      assertEquals(channel, ((JsonObject) message).getString("channel"));
    }
  }

  static Stream<Arguments> badLimits() {
    return Stream.of(
        Arguments.of("zero", "0"),
        Arguments.of("negative", "-1"),
        Arguments.of("not a number", "abc"),
        Arguments.of("fraction", "1.5"),
        Arguments.of("empty", ""),
        Arguments.of("over the maximum", "1001"),
        Arguments.of("huge", "99999999999999999999"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badLimits")
  void badLimitIs400(String name, String limit) {
    publishNumbers("hist-bad", 1);
    Reply reply = node.get("/api/channels/hist-bad/history?limit=" + limit);
    reply.assertError(400, "bad_request");
  }

  static Stream<Arguments> badChannels() {
    return Stream.of(
        Arguments.of(
            "history, unknown namespace",
            "/api/channels/nosuchns:x/history",
            404,
            "unknown_channel"),
        Arguments.of("history, bad name", "/api/channels/bad%20name/history", 400, "bad_request"),
        Arguments.of(
            "presence, unknown namespace",
            "/api/channels/nosuchns:x/presence",
            404,
            "unknown_channel"),
        Arguments.of("presence, bad name", "/api/channels/bad%20name/presence", 400, "bad_request"),
        Arguments.of(
            "presence, default namespace has none",
            "/api/channels/pres-none/presence",
            400,
            "bad_request"),
        Arguments.of(
            "presence, feed namespace has none",
            "/api/channels/feed:pres/presence",
            400,
            "bad_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badChannels")
  void badChannelGetsJsonError(String name, String uri, int status, String code) {
    Reply reply = node.get(uri);
    reply.assertError(status, code);
  }

  private JsonArray presence(String channel) {
    Reply reply = node.get("/api/channels/" + channel + "/presence");
    assertEquals(200, reply.status(), reply.body());
    assertEquals(channel, reply.json().getString("channel"));
    return reply.json().getJsonArray("users");
  }

  private static JsonArray users(int anonymousConnections) {
    return anonymousConnections == 0
        ? new JsonArray()
        : new JsonArray()
            .add(new JsonObject().put("user", "").put("connections", anonymousConnections));
  }

  @Test
  void presenceCountsConnectionsOfSubscribedUsers() {
    assertEquals(users(0), presence("chat:pres-a"));
    WsClient a = node.ws();
    WsClient b = node.ws();
    WsClient bystander = node.ws();
    bystander.subscribe("chat:pres-other");
    a.subscribe("chat:pres-a");
    assertEquals(users(1), presence("chat:pres-a"));
    b.subscribe("chat:pres-a");
    assertEquals(users(2), presence("chat:pres-a"));
    assertEquals(users(1), presence("chat:pres-other"));

    JsonObject ack =
        b.request(new JsonObject().put("type", "unsubscribe").put("channel", "chat:pres-a"));
    assertEquals("ack", ack.getString("type"));
    assertEquals(users(1), presence("chat:pres-a"));

    a.close();
    long deadline = System.currentTimeMillis() + PRESENCE_DEADLINE_MS;
    JsonArray users = presence("chat:pres-a");
    while (!users.isEmpty() && System.currentTimeMillis() < deadline) {
      users = presence("chat:pres-a");
    }
    assertEquals(users(0), users, "a closed connection leaves presence");
    assertEquals(users(1), presence("chat:pres-other"));
  }
}

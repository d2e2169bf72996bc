package io.switchboard.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.switchboard.testing.Await;
import io.switchboard.testing.RawConnection;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.SseReader.Event;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.switchboard.transport.IdleTimer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GET /sse (PROTOCOL.md section 7). */
@ExtendWith(VertxExtension.class)
class SseTest {
  /** The server forgets a session when it sees the socket close, which the client cannot see. */
  private static final long CLEANUP_DEADLINE_MS = 5_000;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static JsonObject n(int i) {
    return new JsonObject().put("n", i);
  }

  /** The next message event, checked for shape; returns its data object. */
  private static JsonObject nextMessage(SseReader sse, String channel, String offset) {
    Event event = sse.next("message");
    assertNotNull(event.id(), "every message has an id");
    JsonObject data = event.json();
    assertEquals(channel, data.getString("channel"), data.encode());
    assertEquals(offset, data.getString("offset"), data.encode());
    assertTrue(data.getLong("ts") > 0);
    return data;
  }

  @Test
  void aStreamKeepsNoIdleTimer() {
    SseReader sse = node.sse("/sse?channel=sse-lean");
    sse.firstId();
    List<Boolean> present = Await.result(node.node()
        .parts()
        .hubs()
        .probeSessions(session -> IdleTimer.present(
            IdleTimer.pipelineOf(((SseTransport) session.transport()).connection()))));
    // the heartbeat covers the stream; VertxInternalsTest checks plain connections have one
    assertEquals(
        List.of(false),
        present,
        "an SSE stream kept its IdleStateHandler (IdleTimer): ~240 bytes and a scheduled task "
            + "more per idle stream");
    // nor did dropping the request's headers and parameters change what the stream does
    String offset = node.publish("sse-lean", n(1));
    assertEquals(n(1), nextMessage(sse, "sse-lean", offset).getJsonObject("data"));
    sse.close();
  }

  @Test
  void streamStartsWithRetryThenCarriesMessagesOfEveryChannel() {
    SseReader sse = node.sse("/sse?channel=sse-a1&channel=chat:sse-a2");
    assertEquals(200, sse.status());
    assertTrue(
        sse.header("Content-Type").startsWith("text/event-stream"), sse.header("Content-Type"));
    sse.firstId();
    assertEquals(new Event(null, "retry", "3000"), sse.received().get(0));

    String o1 = node.publish("sse-a1", n(1));
    String o2 = node.publish("chat:sse-a2", new JsonObject().put("text", "two"));
    String o3 = node.publish("sse-a1", n(3));
    assertEquals(n(1), nextMessage(sse, "sse-a1", o1).getJsonObject("data"));
    assertEquals(
        "two", nextMessage(sse, "chat:sse-a2", o2).getJsonObject("data").getString("text"));
    assertEquals(n(3), nextMessage(sse, "sse-a1", o3).getJsonObject("data"));
    sse.expectNo("message");
    sse.close();
  }

  /**
   * Streams of one channel share the encoded events, ids included (SharedEvents); a stream of
   * several channels on the same node, reading the same batch, has ids of its own.
   */
  @Test
  void idsNameTheStreamsOwnChannelsWhenStreamsShareABatch() {
    SseReader alone = node.sse("/sse?channel=sse-s1");
    SseReader alsoAlone = node.sse("/sse?channel=sse-s1");
    SseReader both = node.sse("/sse?channel=sse-s1&channel=sse-s2");
    alone.firstId();
    alsoAlone.firstId();
    both.firstId();
    String quiet = node.publish("sse-s2", n(0));
    nextMessage(both, "sse-s2", quiet);
    JsonArray items = new JsonArray();
    for (int i = 1; i <= 3; i++) {
      items.add(new JsonObject().put("channel", "sse-s1").put("data", n(i)));
    }
    // one request: the three messages usually reach the streams as one batch
    JsonArray results = node.post(
            "/api/batch", new JsonObject().put("messages", items).encode())
        .json()
        .getJsonArray("results");
    for (int i = 0; i < 3; i++) {
      String offset = results.getJsonObject(i).getString("offset");
      for (SseReader stream : List.of(alone, alsoAlone)) {
        Event event = stream.next("message");
        assertEquals(offset, event.json().getString("offset"));
        assertEquals(Map.of("sse-s1", offset), ResumeToken.decode(event.id()));
      }
      Event event = both.next("message");
      assertEquals(offset, event.json().getString("offset"));
      assertEquals(Map.of("sse-s1", offset, "sse-s2", quiet), ResumeToken.decode(event.id()));
    }
    for (SseReader stream : List.of(alone, alsoAlone, both)) {
      stream.expectNo("message");
      stream.close();
    }
  }

  /**
   * Events leave as chunks SseTransport frames itself, below Vert.x's HTTP encoder (HttpChunk):
   * Netty's HTTP decoder reads what a one-channel stream and a two-channel one received over a raw
   * socket, heartbeats, messages and the end of the stream at a drain, as valid chunked HTTP.
   */
  @Test
  void eachStreamIsValidChunkedHttpOnTheWire(Vertx vertx) {
    TestNode draining = TestNode.start(
        vertx,
        new JsonObject()
            .put("drain", new JsonObject().put("windowMs", 0))
            .put("heartbeat", new JsonObject().put("intervalMs", 100).put("timeoutMs", 5_000)));
    NetClient client = vertx.createNetClient();
    try {
      RawConnection alone = RawConnection.open(vertx, client, draining.port());
      RawConnection both = RawConnection.open(vertx, client, draining.port());
      alone.send("GET /sse?channel=sse-w1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
      both.send("GET /sse?channel=sse-w1&channel=sse-w2 HTTP/1.1\r\nHost: localhost\r\n\r\n");
      awaitReceived(alone, ": ping");
      awaitReceived(both, ": ping");
      String first = draining.publish("sse-w1", n(1));
      String second = draining.publish("sse-w2", n(2));
      // "é" and "✓" are two- and three-byte characters: the chunk sizes count bytes
      String third = draining.publish("sse-w1", new JsonObject().put("text", "é ✓"));
      awaitReceived(alone, third);
      awaitReceived(both, third);
      assertEquals(202, draining.post("/api/drain", "").status());
      Await.result(alone.closed());
      Await.result(both.closed());

      String aloneBody = decodeChunked(alone.unread());
      String bothBody = decodeChunked(both.unread());
      assertTrue(aloneBody.startsWith("retry: "), aloneBody);
      assertTrue(aloneBody.contains(": ping\n\n"), aloneBody);
      assertTrue(aloneBody.contains("\"offset\":\"" + first + "\""), aloneBody);
      assertTrue(aloneBody.contains("\"text\":\"é ✓\""), aloneBody);
      assertFalse(aloneBody.contains(second), aloneBody);
      for (String offset : List.of(first, second, third)) {
        assertTrue(bothBody.contains("\"offset\":\"" + offset + "\""), bothBody);
      }
    } finally {
      client.close();
      draining.close();
    }
  }

  private static void awaitReceived(RawConnection connection, String text) {
    Await.until(() -> utf8(connection.unread()).contains(text), "received " + text);
  }

  /** RawConnection's text is one char per byte. */
  private static String utf8(String bytes) {
    return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /**
   * The body of a chunked response, decoded by Netty's HTTP decoder, which must find every chunk
   * well formed and the terminating chunk at the end.
   */
  private static String decodeChunked(String received) {
    EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder());
    decoder.writeInbound(Unpooled.copiedBuffer(received, StandardCharsets.ISO_8859_1));
    HttpResponse head = decoder.readInbound();
    assertTrue(head.decoderResult().isSuccess(), head.decoderResult().toString());
    assertTrue(HttpUtil.isTransferEncodingChunked(head), head.toString());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean ended = false;
    for (HttpContent chunk; (chunk = decoder.readInbound()) != null; ) {
      assertFalse(ended, "bytes after the terminating chunk");
      assertTrue(chunk.decoderResult().isSuccess(), chunk.decoderResult().toString());
      byte[] bytes = new byte[chunk.content().readableBytes()];
      chunk.content().readBytes(bytes);
      body.writeBytes(bytes);
      ended = chunk instanceof LastHttpContent;
      chunk.release();
    }
    assertTrue(ended, "no terminating chunk: " + received);
    decoder.finishAndReleaseAll();
    return body.toString(StandardCharsets.UTF_8);
  }

  /** A Vert.x upgrade that hides the pipeline turns SseTransport's direct writes off: fail here. */
  @Test
  void everyStreamWritesItsEventsToThePipeline() {
    SseReader first = node.sse("/sse?channel=sse-p1");
    SseReader second = node.sse("/sse?channel=sse-p1&channel=sse-p2");
    first.firstId();
    second.firstId();
    List<Boolean> direct = Await.result(node.node()
        .parts()
        .hubs()
        .probeSessions(session -> ((SseTransport) session.transport()).writesToPipeline()));
    assertEquals(
        List.of(true, true),
        direct,
        "SseHandler.pipelineOf no longer finds the HTTP encoder in an HTTP/1.1 connection's pipeline:"
            + " every event goes through HttpServerResponse.write again");
    String offset = node.publish("sse-p1", n(1));
    nextMessage(first, "sse-p1", offset);
    nextMessage(second, "sse-p1", offset);
    first.close();
    second.close();
  }

  private enum Resume {
    HEADER,
    QUERY
  }

  static Stream<Arguments> resumeWays() {
    return Stream.of(
        Arguments.of("Last-Event-ID header", Resume.HEADER),
        Arguments.of("?lastEventId= parameter", Resume.QUERY));
  }

  private SseReader reconnect(Vertx vertx, String uri, String lastEventId, Resume how) {
    if (how == Resume.HEADER) {
      return SseReader.open(vertx, node.port(), uri, lastEventId);
    }
    return SseReader.open(
        vertx,
        node.port(),
        uri + "&lastEventId=" + URLEncoder.encode(lastEventId, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("resumeWays")
  void reconnectReplaysWhatEachChannelMissedThenLive(String name, Resume how, Vertx vertx) {
    String b = "sse-b1-" + how;
    String c = "sse-b2-" + how;
    String uri = "/sse?channel=" + b + "&channel=" + c;
    SseReader first = node.sse(uri);
    first.firstId();
    String b1 = node.publish(b, n(1));
    String c1 = node.publish(c, n(1));
    nextMessage(first, b, b1);
    nextMessage(first, c, c1);
    String resumeFrom = first.lastEventId();
    first.close();

    List<String> missedB = new ArrayList<>();
    List<String> missedC = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      missedB.add(node.publish(b, n(i)));
      missedC.add(node.publish(c, n(i)));
    }
    SseReader second = reconnect(vertx, uri, resumeFrom, how);
    assertEquals(200, second.status());
    List<JsonObject> replayed = second.nextMessages(6);
    assertEquals(missedB, SseReader.offsetsOf(replayed, b));
    assertEquals(missedC, SseReader.offsetsOf(replayed, c));
    String live = node.publish(b, n(5));
    nextMessage(second, b, live);
    second.expectNo("message");
    second.expectNo("gap");
    second.close();
  }

  @Test
  void resumeIdFromBeforeAnyMessageResumesQuietChannels(Vertx vertx) {
    String uri = "/sse?channel=sse-c1&channel=sse-c2";
    node.publish("sse-c1", n(0));
    SseReader first = node.sse(uri);
    String resumeFrom = first.firstId();
    first.close();

    String c1 = node.publish("sse-c1", n(1));
    String c2 = node.publish("sse-c2", n(1));
    SseReader second = SseReader.open(vertx, node.port(), uri, resumeFrom);
    List<String> offsets = List.of(
        second.next("message").json().getString("offset"),
        second.next("message").json().getString("offset"));
    assertTrue(offsets.containsAll(List.of(c1, c2)), offsets.toString());
    second.expectNo("message");
    second.close();
  }

  @Test
  void unrecoverableResumeSendsGap(Vertx vertx) {
    String uri = "/sse?channel=short:sse-d";
    SseReader first = node.sse(uri);
    first.firstId();
    String o1 = node.publish("short:sse-d", n(1));
    nextMessage(first, "short:sse-d", o1);
    String resumeFrom = first.lastEventId();
    first.close();
    for (int i = 2; i <= 6; i++) {
      node.publish("short:sse-d", n(i)); // namespace "short" keeps 3
    }
    SseReader second = SseReader.open(vertx, node.port(), uri, resumeFrom);
    JsonObject gap = second.next("gap").json();
    assertEquals("short:sse-d", gap.getString("channel"), gap.encode());
    assertEquals(o1, gap.getString("offset"), gap.encode());
    String live = node.publish("short:sse-d", n(7));
    nextMessage(second, "short:sse-d", live);
    second.close();
  }

  @Test
  void pingCommentsArriveOnTheHeartbeatInterval(Vertx vertx) {
    TestNode fast = TestNode.start(
        vertx,
        new JsonObject()
            .put("heartbeat", new JsonObject().put("intervalMs", 100).put("timeoutMs", 1000)));
    try {
      SseReader sse = SseReader.open(vertx, fast.port(), "/sse?channel=sse-e");
      for (int i = 0; i < 3; i++) {
        assertEquals("ping", sse.next(":").data());
      }
      sse.close();
    } finally {
      fast.close();
    }
  }

  static Stream<Arguments> refusedStreams() {
    return Stream.of(
        Arguments.of("no channel", "/sse", 400, "bad_request"),
        Arguments.of("empty channel", "/sse?channel=", 400, "bad_request"),
        Arguments.of("bad channel name", "/sse?channel=bad%20name", 400, "bad_request"),
        Arguments.of(
            "one bad among good", "/sse?channel=sse-ok&channel=bad%21", 400, "bad_request"),
        Arguments.of("unknown namespace", "/sse?channel=nosuchns:x", 404, "unknown_channel"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedStreams")
  void errorsBeforeTheStreamArePlainStatusesWithJson(
      String name, String uri, int status, String code) {
    SseReader sse = node.sse(uri);
    assertEquals(status, sse.status());
    assertEquals(code, sse.errorBody().getString("code"));
    assertFalse(sse.errorBody().getString("message", "").isBlank());
    sse.close();
  }

  @Test
  void serverForgetsTheSessionWhenTheClientGoesAway() {
    SseReader sse = node.sse("/sse?channel=chat:sse-f");
    sse.firstId();
    JsonArray one = new JsonArray().add(new JsonObject().put("user", "").put("connections", 1));
    assertEquals(one, presence("chat:sse-f"));
    sse.close();
    long deadline = System.currentTimeMillis() + CLEANUP_DEADLINE_MS;
    JsonArray users = presence("chat:sse-f");
    while (!users.isEmpty() && System.currentTimeMillis() < deadline) {
      users = presence("chat:sse-f");
    }
    assertEquals(new JsonArray(), users, "the closed stream left presence");
  }

  @Test
  void sseAndWebSocketConnectionsCountTogetherInPresence() {
    SseReader sse = node.sse("/sse?channel=chat:sse-g");
    sse.firstId();
    WsClient ws = node.ws();
    JsonObject ack = ws.subscribe("chat:sse-g");
    assertEquals("ack", ack.getString("type"));
    JsonArray two = new JsonArray().add(new JsonObject().put("user", "").put("connections", 2));
    assertEquals(two, presence("chat:sse-g"));
    sse.close();
    long deadline = System.currentTimeMillis() + CLEANUP_DEADLINE_MS;
    JsonArray users = presence("chat:sse-g");
    while (!users.equals(
            new JsonArray().add(new JsonObject().put("user", "").put("connections", 1)))
        && System.currentTimeMillis() < deadline) {
      users = presence("chat:sse-g");
    }
    assertEquals(1, users.getJsonObject(0).getInteger("connections"), users.encode());
  }

  private JsonArray presence(String channel) {
    TestNode.Reply reply = node.get("/api/channels/" + channel + "/presence");
    assertEquals(200, reply.status(), reply.body());
    return reply.json().getJsonArray("users");
  }
}

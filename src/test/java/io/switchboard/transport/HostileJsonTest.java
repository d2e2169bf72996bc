package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.switchboard.protocol.InboundJson;
import io.switchboard.testing.Await;
import io.switchboard.testing.Bytes;
import io.switchboard.testing.RedisServerExtension;
import io.switchboard.testing.RejectedInbox;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One hostile JSON document gets the same answer on every entry point that takes JSON: HTTP
 * publish and batch, WebSocket publish frames, the event bus (text and bytes) and the Redis inbox
 * (README "Inbound JSON"). Each row puts the hostile part in {@code data} of an otherwise valid
 * publish request; the envelope rows attack the request itself.
 */
class HostileJsonTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final int MAX_BYTES = 4096;
  private static final String OK = "ok";
  private static final String BAD = "bad_request";
  private static final String TOO_LARGE = "too_large";
  private static final AtomicInteger channels = new AtomicInteger();

  private static Vertx vertx;
  private static TestNode node;
  private static Redis client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNode.start(
        vertx,
        redis
            .brokerConfig("hj")
            .put(
                "limits",
                new JsonObject().put("maxBodyBytes", MAX_BYTES).put("maxFrameBytes", MAX_BYTES)));
    client = Redis.createClient(vertx, redis.url());
  }

  @AfterAll
  static void stop() {
    node.close();
    client.close();
    Await.result(vertx.close());
  }

  /** The ways in: each builds a publish request around {@code data} and reports the outcome. */
  enum Entry {
    HTTP_PUBLISH(1),
    BATCH(3),
    WEBSOCKET(1),
    BUS_TEXT(1),
    BUS_BYTES(1),
    INBOX(0);

    /** Levels of the request around {@code data}, which count towards the depth limit. */
    final int envelopeDepth;

    Entry(int envelopeDepth) {
      this.envelopeDepth = envelopeDepth;
    }

    /** Whether bytes that are not UTF-8 can be sent this way at all. */
    boolean takesBytes() {
      return this != BUS_TEXT;
    }
  }

  private static Buffer utf8(String text) {
    return Bytes.utf8(text);
  }

  private static Buffer raw(String before, int[] bytes, String after) {
    return Bytes.of(before, bytes, after);
  }

  /** name, data (bytes), code on every entry point (WebSocket: 1007 for bytes not UTF-8). */
  static List<Arguments> dataRows() {
    List<Arguments> rows = new ArrayList<>();
    // the 500: a few thousand nested brackets (within the 4 KB size limit here)
    rows.add(row("data nested 1500 deep", utf8("[".repeat(1500) + "]".repeat(1500)), BAD));
    rows.add(row("3000 unclosed brackets", utf8("[".repeat(3000)), BAD));
    rows.add(row("number 1e400", utf8("[1e400]"), BAD));
    rows.add(row("number -1e400", utf8("-1e400"), BAD));
    rows.add(row("integer of 101 digits", utf8("[" + "7".repeat(101) + "]"), BAD));
    rows.add(row("integer of 100 digits", utf8("[" + "7".repeat(100) + "]"), OK));
    rows.add(row("NaN", utf8("NaN"), BAD));
    rows.add(row("Infinity", utf8("[Infinity]"), BAD));
    rows.add(row("duplicate key", utf8("{\"a\":1,\"b\":2,\"a\":3}"), BAD));
    rows.add(row("lone surrogate escape", utf8("{\"t\":\"\\ud800\"}"), BAD));
    rows.add(row("lone surrogate escape in a key", utf8("{\"\\udfff\":1}"), BAD));
    rows.add(row("escaped surrogate pair", utf8("\"\\ud83d\\ude00\""), OK));
    rows.add(row("escaped NUL", utf8("\"a\\u0000b\""), OK));
    rows.add(row("raw NUL byte in a string", raw("\"a", new int[] {0}, "b\""), BAD));
    rows.add(row("comment", utf8("/* hi */ 1"), BAD));
    rows.add(row("not JSON", utf8("{\"x\":"), BAD));
    rows.add(row("overlong NUL (C0 80)", raw("\"a", new int[] {0xC0, 0x80}, "\""), BAD));
    rows.add(
        row("encoded surrogate (ED A0 80)", raw("\"", new int[] {0xED, 0xA0, 0x80}, "\""), BAD));
    rows.add(
        row("code point above U+10FFFF", raw("\"", new int[] {0xF4, 0x90, 0x80, 0x80}, "\""), BAD));
    rows.add(row("byte FF", raw("\"", new int[] {0xFF}, "\""), BAD));
    return rows;
  }

  private static Arguments row(String name, Buffer data, String code) {
    return arguments(name, data, code);
  }

  static Stream<Arguments> dataCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Entry entry : Entry.values()) {
      for (Arguments row : dataRows()) {
        Object[] r = row.get();
        Buffer data = (Buffer) r[1];
        if (!entry.takesBytes() && !Bytes.isUtf8(data)) {
          continue;
        }
        cases.add(arguments(r[0] + " via " + entry, entry, data, r[2]));
      }
      // the depth limit counts the request's own levels (README "Inbound JSON")
      int fits = InboundJson.MAX_DEPTH - entry.envelopeDepth;
      cases.add(arguments(
          "data at the depth limit (" + fits + ") via " + entry,
          entry,
          utf8("[".repeat(fits) + "]".repeat(fits)),
          OK));
      cases.add(arguments(
          "data one level deeper via " + entry,
          entry,
          utf8("[".repeat(fits + 1) + "]".repeat(fits + 1)),
          BAD));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataCases")
  void hostileDataGetsTheSameAnswerEverywhere(String name, Entry entry, Buffer data, String code) {
    String expected = entry == Entry.WEBSOCKET && !Bytes.isUtf8(data) ? "close 1007" : code;
    assertEquals(expected, send(entry, "hj-" + channels.incrementAndGet(), data), name);
  }

  /** A request exactly at the size limit is taken; one byte more is too_large (1009 on WS). */
  static Stream<Arguments> sizeCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Entry entry : Entry.values()) {
      cases.add(arguments("request of exactly the limit via " + entry, entry, 0, OK));
      cases.add(arguments(
          "request one byte over the limit via " + entry,
          entry,
          1,
          entry == Entry.WEBSOCKET ? "close 1009" : TOO_LARGE));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizeCases")
  void sizeLimitsHoldToTheByte(String name, Entry entry, int over, String expected) {
    String channel = "hj-" + channels.incrementAndGet();
    int envelope = request(entry, channel, utf8("\"\"")).length();
    // multi-byte characters, so a limit counted in characters would be caught out
    String text = "\u00e9".repeat((MAX_BYTES - envelope + over) / 2)
        + "x".repeat((MAX_BYTES - envelope + over) % 2);
    Buffer data = utf8("\"" + text + "\"");
    assertEquals(MAX_BYTES + over, request(entry, channel, data).length());
    assertEquals(expected, send(entry, channel, data), name);
  }

  static Stream<Arguments> envelopeCases() {
    return Stream.of(
        arguments(
            "duplicate channel key",
            Entry.HTTP_PUBLISH,
            "{\"channel\":\"hj-e\",\"channel\":\"feed:hj\",\"data\":1}"),
        arguments(
            "duplicate channel key",
            Entry.BUS_TEXT,
            "{\"channel\":\"hj-e\",\"channel\":\"feed:hj\",\"data\":1}"),
        arguments(
            "duplicate data key", Entry.BUS_BYTES, "{\"channel\":\"hj-e\",\"data\":1,\"data\":2}"),
        arguments(
            "duplicate channel key",
            Entry.WEBSOCKET,
            "{\"type\":\"publish\",\"channel\":\"hj-e\",\"channel\":\"feed:hj\",\"data\":1}"),
        arguments(
            "duplicate type key",
            Entry.WEBSOCKET,
            "{\"type\":\"ping\",\"type\":\"publish\",\"channel\":\"hj-e\",\"data\":1}"),
        arguments(
            "duplicate messages key",
            Entry.BATCH,
            "{\"messages\":[],\"messages\":[{\"channel\":\"hj-e\",\"data\":1}]}"),
        arguments("byte order mark", Entry.HTTP_PUBLISH, "\ufeff{\"channel\":\"hj-e\",\"data\":1}"),
        arguments("trailing garbage", Entry.BUS_TEXT, "{\"channel\":\"hj-e\",\"data\":1} x"),
        arguments("comment", Entry.BATCH, "{\"messages\":[/**/{\"channel\":\"hj-e\",\"data\":1}]}"),
        arguments("a bare number", Entry.HTTP_PUBLISH, "42"),
        arguments("a bare string", Entry.BUS_BYTES, "\"hj\""),
        arguments("an array", Entry.WEBSOCKET, "[{\"type\":\"ping\"}]"),
        arguments(
            "id beyond 2^53",
            Entry.WEBSOCKET,
            "{\"type\":\"publish\",\"id\":9007199254740993,\"channel\":\"hj-e\",\"data\":1}"),
        arguments("id of 1e400", Entry.WEBSOCKET, "{\"type\":\"ping\",\"id\":1e400}"));
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("envelopeCases")
  void hostileRequestsAreBadRequests(String name, Entry entry, String request) {
    assertEquals(BAD, outcome(entry, utf8(request), "hj-e"), name);
  }

  static Stream<Arguments> inboxCases() {
    return Stream.of(
        arguments(
            "channel field twice", List.of("channel", "hj-i", "channel", "feed:hj", "data", "1")),
        arguments("data field twice", List.of("channel", "hj-i", "data", "1", "data", "2")),
        arguments(
            "channel not UTF-8",
            List.of("channel", raw("hj-", new int[] {0xC0, 0xAF}, ""), "data", "1")),
        arguments("channel of a megabyte", List.of("channel", "c".repeat(1 << 20), "data", "1")),
        arguments("no data field", List.of("channel", "hj-i", "other", "1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inboxCases")
  void hostileInboxEntriesAreSetAsideAsBadRequests(String name, List<Object> fields) {
    assertEquals(BAD, inbox(fields, "hj-i"), name);
  }

  // ---- sending

  private static String send(Entry entry, String channel, Buffer data) {
    return outcome(entry, entry == Entry.INBOX ? data : request(entry, channel, data), channel);
  }

  /** The bytes {@code entry} receives: a publish request, a batch of one, a publish frame. */
  private static Buffer request(Entry entry, String channel, Buffer data) {
    Buffer publish =
        utf8("{\"channel\":\"" + channel + "\",\"data\":").appendBuffer(data).appendString("}");
    switch (entry) {
      case BATCH:
        return utf8("{\"messages\":[").appendBuffer(publish).appendString("]}");
      case WEBSOCKET:
        return utf8("{\"type\":\"publish\",\"id\":1,\"channel\":\"" + channel + "\",\"data\":")
            .appendBuffer(data)
            .appendString("}");
      case INBOX:
        return data;
      default:
        return publish;
    }
  }

  /** "ok", the error code, or "close N" when the WebSocket was closed. */
  private static String outcome(Entry entry, Buffer request, String channel) {
    switch (entry) {
      case HTTP_PUBLISH:
      case BATCH: {
        Reply reply = node.exchangeBytes(
            node.port(),
            HttpMethod.POST,
            entry == Entry.BATCH ? "/api/batch" : "/api/publish",
            request,
            null);
        JsonObject json = reply.json();
        if (reply.status() == 200 && entry == Entry.BATCH) {
          JsonObject result = json.getJsonArray("results").getJsonObject(0);
          return result.containsKey("offset") ? OK : errorCode(result.getJsonObject("error"));
        }
        return reply.status() == 200 ? OK : errorCode(json);
      }
      case WEBSOCKET:
        return webSocket(request);
      case BUS_TEXT:
      case BUS_BYTES: {
        Object body = entry == Entry.BUS_TEXT ? request.toString(StandardCharsets.UTF_8) : request;
        Future<Message<Object>> reply = vertx.eventBus().request("switchboard.publish", body);
        try {
          Await.result(reply);
          return OK;
        } catch (ReplyException e) {
          assertEquals(e.getMessage().equals(TOO_LARGE) ? 413 : 400, e.failureCode());
          return e.getMessage();
        }
      }
      default:
        return inbox(List.of("channel", channel, "data", request), channel);
    }
  }

  private static String errorCode(JsonObject error) {
    assertFalse(error.getString("message", "").isBlank(), error.encode());
    return error.getString("code");
  }

  private static String webSocket(Buffer frame) {
    WsClient ws = node.ws();
    try {
      ws.writeTextBytes(frame);
      Future<JsonObject> reply = ws.nextFrame(
          f -> "error".equals(f.getString("type")) || "ack".equals(f.getString("type")));
      Await.result(Future.any(reply, ws.closed()));
      if (!reply.succeeded()) {
        return "close " + ws.closeCode();
      }
      return "ack".equals(reply.result().getString("type")) ? OK : errorCode(reply.result());
    } finally {
      ws.close();
    }
  }

  /** XADDs the fields; "ok" once the entry is published, else the code it was set aside with. */
  private static String inbox(List<Object> fields, String channel) {
    Request xadd = Request.cmd(Command.XADD).arg("hj:inbox").arg("*");
    for (Object field : fields) {
      if (field instanceof Buffer bytes) {
        xadd.arg(bytes);
      } else {
        xadd.arg(field instanceof String text ? text : String.valueOf(field));
      }
    }
    String id = Await.result(client.send(xadd)).toString();
    AtomicReference<String> outcome = new AtomicReference<>();
    Await.until(
        () -> {
          outcome.set(rejectedCode(id));
          if (outcome.get() == null && !history(channel).isEmpty()) {
            outcome.set(OK);
          }
          return outcome.get() != null;
        },
        Duration.ofSeconds(15),
        "inbox entry " + id + " published or set aside");
    return outcome.get();
  }

  private static String rejectedCode(String id) {
    return RejectedInbox.codes(client, "hj").get(id);
  }

  private static JsonArray history(String channel) {
    Reply reply = node.get("/api/channels/" + channel + "/history");
    return reply.status() == 200 ? reply.json().getJsonArray("messages") : new JsonArray();
  }
}

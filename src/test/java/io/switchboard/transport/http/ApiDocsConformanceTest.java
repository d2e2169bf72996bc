package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.ApiDocument;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API descriptions against the real server: every documented client frame and request body
 * is accepted, and the frames, SSE events and HTTP replies the server actually sends in a short
 * session match the documented messages and responses (and so server-frame.schema.json).
 */
@ExtendWith(VertxExtension.class)
class ApiDocsConformanceTest {
  /** Error codes that would mean the server refused a frame's shape or payload. */
  private static final Set<String> REFUSED =
      Set.of("bad_request", "unknown_type", "invalid_payload");
  /** Id of the ping sent after each example: its pong means the example has been answered. */
  private static final long DONE = 999_999;
  /** Where the served documents hold the frame schemas (inlined from the protocol's files). */
  private static final String CLIENT_FRAME = "#/components/schemas/ClientFrame";

  private static final String SERVER_FRAME = "#/components/schemas/ServerFrame";

  private Vertx vertx;
  private TestNode node;
  private TestTokens tokens;
  private ApiDocument openapi;
  private ApiDocument asyncapi;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    tokens = TestTokens.create(vertx);
    JsonObject config = TestTokens.nodeConfig()
        // a short heartbeat, so a short session sees server pings and SSE ": ping" comments
        .put("heartbeat", new JsonObject().put("intervalMs", 200));
    config.getJsonObject("auth").put("anonymous", true);
    node = TestNode.start(vertx, config);
    openapi = ApiDocument.fetch(vertx, node.port(), ApiDocsRoutes.OPENAPI_PATH).document();
    asyncapi =
        ApiDocument.fetch(vertx, node.port(), ApiDocsRoutes.ASYNCAPI_PATH).document();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void everyClientFrameExampleIsAcceptedByTheServer() {
    ProtocolSchema schema = ProtocolSchema.load();
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, JsonObject> message : websocketMessages(CLIENT_FRAME).entrySet()) {
      for (Object item : message.getValue().getJsonArray("examples")) {
        JsonObject example = (JsonObject) item;
        JsonObject frame = example.getJsonObject("payload");
        String name = message.getKey() + "/" + example.getString("name");
        checked++;
        // the validator the server runs...
        if (!schema.validateClientFrame(frame.getString("type"), frame).isEmpty()) {
          failures.add(name + ": " + schema.validateClientFrame(frame.getString("type"), frame));
        }
        // ...and the server itself, on a fresh connection
        WsClient ws = node.ws();
        try {
          ws.send(frame);
          ws.send(new JsonObject().put("type", "ping").put("id", DONE));
          ws.next(
              f -> "pong".equals(f.getString("type")) && Long.valueOf(DONE).equals(f.getLong("id")),
              "pong " + DONE + " after " + name);
          for (JsonObject reply : ws.received()) {
            if ("error".equals(reply.getString("type"))
                && REFUSED.contains(reply.getString("code"))) {
              failures.add(name + " " + frame.encode() + " was refused: " + reply.encode());
            }
          }
        } finally {
          ws.close();
        }
      }
    }
    assertTrue(checked >= 10, "client frame examples: " + checked);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void everyRequestBodyExampleIsAcceptedByTheServer() {
    int checked = 0;
    for (Map.Entry<String, JsonObject> op : openapi.operations().entrySet()) {
      JsonObject body = op.getValue().getJsonObject("requestBody");
      if (body == null) {
        continue;
      }
      JsonObject json = body.getJsonObject("content").getJsonObject("application/json");
      List<Object> examples = openapi.exampleValues(json);
      String[] methodAndPath = op.getKey().split(" ", 2);
      for (Object example : examples) {
        Reply reply = node.exchange(
            HttpMethod.valueOf(methodAndPath[0]), methodAndPath[1], Json.encode(example));
        assertEquals(
            200, reply.status(), op.getKey() + " " + Json.encode(example) + " -> " + reply.body());
        checkReply(op.getKey(), reply);
        checked++;
      }
    }
    assertTrue(checked >= 4, "request examples: " + checked);
  }

  @Test
  void framesTheServerSendsMatchTheDocumentedMessages() {
    WsClient anonymous = node.ws();
    WsClient user = node.track(WsClient.connect(
        vertx,
        node.port(),
        "/ws",
        MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + tokens.hs256("7"))));
    user.next("welcome");

    anonymous.subscribe("chat:docs");
    anonymous.subscribe("chat:docs-resumed", "1-deadbeef");
    user.subscribe("chat:docs");
    anonymous.next(
        f -> "join".equals(f.getString("type")) && "7".equals(f.getString("user")),
        "join of user 7");
    user.publish("chat:docs", new JsonObject().put("text", "hi"));
    node.publish("chat:docs", new JsonObject().put("text", "from a service"));
    anonymous.nextMessage("chat:docs");
    anonymous.nextMessage("chat:docs");
    anonymous.request(
        new JsonObject().put("type", "history").put("channel", "chat:docs").put("limit", 10));
    anonymous.request(new JsonObject().put("type", "presence").put("channel", "chat:docs"));
    anonymous.request(new JsonObject().put("type", "ping"));
    anonymous.request(new JsonObject()
        .put("type", "subscribe")
        .put("channel", "chat:docs")
        .put("sinse", "1-deadbeef"));
    anonymous.request(new JsonObject()
        .put("type", "publish")
        .put("channel", "chat:docs")
        .put("data", new JsonObject().put("text", 5)));
    anonymous.request(
        new JsonObject().put("type", "unsubscribe").put("channel", "chat:docs-resumed"));
    user.request(new JsonObject().put("type", "unsubscribe").put("channel", "chat:docs"));
    anonymous.next(
        f -> "leave".equals(f.getString("type")) && "7".equals(f.getString("user")),
        "leave of user 7");
    anonymous.next("ping");

    Set<String> seen = new TreeSet<>();
    List<String> failures = new ArrayList<>();
    List<JsonObject> frames = new ArrayList<>(anonymous.received());
    frames.addAll(user.received());
    for (JsonObject frame : frames) {
      String type = frame.getString("type");
      seen.add(type);
      JsonObject message = serverMessage(type);
      List<String> errors = asyncapi.validate(message.getJsonObject("payload"), frame);
      errors.addAll(asyncapi.validate(new JsonObject().put("$ref", SERVER_FRAME), frame));
      if (!errors.isEmpty()) {
        failures.add(frame.encode() + ": " + errors);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertEquals(
        Set.of(
            "welcome",
            "ack",
            "message",
            "history",
            "presence",
            "join",
            "leave",
            "error",
            "ping",
            "pong"),
        seen);
  }

  @Test
  void sseEventsTheServerSendsMatchTheDocumentedMessages() {
    // a resume point from another history epoch: the stream answers with a gap
    String lastEventId = Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(new JsonObject()
            .put("chat:sse", "1-deadbeef")
            .encode()
            .getBytes(StandardCharsets.UTF_8));
    SseReader sse = SseReader.open(vertx, node.port(), "/sse?channel=chat:sse", lastEventId);
    try {
      assertEquals(200, sse.status());
      Set<String> seen = new TreeSet<>();
      seen.add(asyncapi.checkSseEvent(sse.firstId(), null, null));
      WsClient user = node.track(WsClient.connect(
          vertx,
          node.port(),
          "/ws",
          MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + tokens.hs256("8"))));
      user.next("welcome");
      user.subscribe("chat:sse");
      user.publish("chat:sse", new JsonObject().put("text", "hi"));
      user.close();
      SseReader.Event gap = sse.next("gap");
      SseReader.Event message = sse.next("message");
      SseReader.Event join = sse.next("join");
      SseReader.Event leave = sse.next("leave");
      assertEquals("retry", sse.next("retry").event());
      assertEquals("3000", sse.received().get(0).data(), "the stream starts with retry: 3000");
      assertEquals("ping", sse.next(":").data());
      seen.add(asyncapi.checkSseEvent(null, "gap", gap.data()));
      seen.add(asyncapi.checkSseEvent(message.id(), "message", message.data()));
      // join and leave carry no id: line of their own (the reader reports the last one seen)
      seen.add(asyncapi.checkSseEvent(null, "join", join.data()));
      seen.add(asyncapi.checkSseEvent(null, "leave", leave.data()));
      assertEquals(Set.of("sseResumePoint", "sseGap", "sseMessage", "sseJoin", "sseLeave"), seen);
    } finally {
      sse.close();
    }
  }

  @Test
  void httpRepliesMatchTheDocumentedResponses() {
    node.publish("chat:lobby", new JsonObject().put("text", "hi"));
    String[][] calls = {
      {"POST", "/api/publish", "{\"channel\":\"chat:lobby\",\"data\":{\"text\":\"hi\"}}"},
      {"POST", "/api/publish", "{\"channel\":\"chat:lobby\"}"},
      {"POST", "/api/publish", "{\"channel\":\"chat:lobby\",\"data\":{\"text\":5}}"},
      {"POST", "/api/publish", "{\"channel\":\"nope:x\",\"data\":1}"},
      {"POST", "/api/publish", "not json"},
      {"POST", "/api/batch", "{\"messages\":[{\"channel\":\"news\",\"data\":1},{\"chanel\":\"x\"}]}"
      },
      {"POST", "/api/batch", "[]"},
      {"GET", "/api/channels/chat:lobby/history?limit=5", null},
      {"GET", "/api/channels/chat:lobby/history?limit=0", null},
      {"GET", "/api/channels/nope:x/history", null},
      {"GET", "/api/channels/chat:lobby/presence", null},
      {"GET", "/api/channels/news/presence", null},
      {"POST", "/api/disconnect", "{\"user\":\"42\"}"},
      {"POST", "/api/disconnect", "{}"},
      {"GET", "/sse", null},
      {"GET", "/sse?channel=nope:x", null},
      {"GET", "/ws", null},
      {"GET", "/health", null},
      {"GET", "/ready", null},
      {"GET", "/openapi.json", null},
      {"GET", "/asyncapi.json", null},
    };
    for (String[] call : calls) {
      Reply reply = node.exchange(HttpMethod.valueOf(call[0]), call[1], call[2]);
      checkReply(call[0] + " " + call[1], reply);
    }
  }

  @Test
  void theMetricsExampleShowsRealMeters() {
    WsClient ws = node.ws();
    ws.subscribe("chat:metrics");
    Reply scrape = node.get("/metrics");
    checkReply("GET /metrics", scrape);
    String example = openapi
        .operations()
        .get("GET /metrics")
        .getJsonObject("responses")
        .getJsonObject("200")
        .getJsonObject("content")
        .getJsonObject("text/plain")
        .getString("example");
    for (String line : example.split("\n")) {
      String documented = line.startsWith("#") ? line : line.substring(0, line.lastIndexOf(' '));
      assertTrue(scrape.body().contains(documented), "/metrics has no line " + documented);
    }
  }

  /** The reply's status is documented for its operation, and its body matches the schema. */
  private void checkReply(String call, Reply reply) {
    String method = call.substring(0, call.indexOf(' '));
    String path = call.substring(call.indexOf(' ') + 1).replaceFirst("\\?.*", "");
    Map.Entry<String, JsonObject> op = openapi.operations().entrySet().stream()
        .filter(e -> e.getKey().startsWith(method + " ")
            && template(e.getKey().substring(method.length() + 1)).matcher(path).matches())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no documented operation for " + call));
    Object documented =
        op.getValue().getJsonObject("responses").getValue(String.valueOf(reply.status()));
    assertNotNull(
        documented,
        call + " answered " + reply.status() + ", which " + op.getKey() + " does not document: "
            + reply.body());
    JsonObject response = (JsonObject) openapi.dereference(documented);
    JsonObject content = response.getJsonObject("content", new JsonObject());
    if (content.containsKey("text/plain")) {
      assertTrue(reply.body().endsWith("\n"), call + ": text ends with a newline");
      return;
    }
    JsonObject json = content.getJsonObject("application/json");
    assertNotNull(json, call + " " + reply.status() + " is documented without a JSON body");
    List<String> errors =
        openapi.validate(json.getJsonObject("schema"), Json.decodeValue(reply.body()));
    assertTrue(
        errors.isEmpty(), call + " -> " + reply.status() + " " + reply.body() + ": " + errors);
  }

  private static Pattern template(String path) {
    return Pattern.compile(Pattern.quote(path).replace("{channel}", "\\E.+\\Q"));
  }

  /** The documented WebSocket messages whose payload is in the schema at {@code schema}, by key. */
  private Map<String, JsonObject> websocketMessages(String schema) {
    Map<String, JsonObject> messages = new LinkedHashMap<>();
    JsonObject channel = asyncapi.root().getJsonObject("channels").getJsonObject("websocket");
    channel.getJsonObject("messages").forEach(entry -> {
      JsonObject message = (JsonObject) asyncapi.dereference(entry.getValue());
      if (message.getJsonObject("payload").getString("$ref").startsWith(schema + "/")) {
        messages.put(entry.getKey(), message);
      }
    });
    return messages;
  }

  /** The documented server-to-client WebSocket message for a frame type. */
  private JsonObject serverMessage(String type) {
    for (JsonObject message : websocketMessages(SERVER_FRAME).values()) {
      JsonObject frame =
          (JsonObject) asyncapi.resolve(message.getJsonObject("payload").getString("$ref"));
      if (type.equals(frame.getJsonObject("properties").getJsonObject("type").getString("const"))) {
        return message;
      }
    }
    throw new AssertionError("no documented server message for frame type " + type);
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * http.allowedOrigins (PROTOCOL.md section 10) on the WebSocket handshake, /api and /sse: a
 * disallowed Origin is refused (403), requests without Origin and same-origin requests always
 * pass, allowed cross-origin requests get CORS headers, preflights included.
 */
@ExtendWith(VertxExtension.class)
class OriginTest {
  /** Stands for the node's own origin, http://127.0.0.1:PORT, which is only known at start. */
  private static final String SELF = "SELF";

  private static final String APP = "https://app.example.com";
  private static final List<String> SAME_ORIGIN_ONLY = List.of();
  private static final List<String> ANY = List.of("*");
  private static final List<String> LISTED = List.of(APP, "https://admin.example.com:8443");

  private TestNode node;
  private Vertx vertx;

  private void start(Vertx vertx, List<String> allowedOrigins) {
    this.vertx = vertx;
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("http", new JsonObject().put("allowedOrigins", new JsonArray(allowedOrigins))));
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private String origin(String origin) {
    return SELF.equals(origin) ? "http://127.0.0.1:" + node.port() : origin;
  }

  /** Status and headers of one exchange; a 200 event stream is not read, only its head. */
  private record Answer(int status, MultiMap headers, String body) {}

  private Answer exchange(
      HttpMethod method, String uri, String origin, MultiMap extra, String body) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost("127.0.0.1")
        .setPort(node.port())
        .setURI(uri);
    if (origin != null) {
      options.putHeader("Origin", origin(origin));
    }
    if (extra != null) {
      options.getHeaders().addAll(extra);
    }
    Promise<Answer> answer = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(v -> client
            .request(options)
            .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
            .compose(response -> {
              String type = response.getHeader("Content-Type");
              if (type != null && type.startsWith("text/event-stream")) {
                return Future.succeededFuture(
                    new Answer(response.statusCode(), response.headers(), ""));
              }
              return response
                  .body()
                  .map(b -> new Answer(response.statusCode(), response.headers(), b.toString()));
            })
            .onComplete(answer));
    try {
      return Await.result(answer.future());
    } finally {
      client.close();
    }
  }

  /** 101 when the upgrade is accepted, else the rejection status. */
  private int handshake(String origin) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("127.0.0.1")
        .setPort(node.port())
        .setURI("/ws")
        // the client's own Origin header (its target's origin) only when the test sets none
        .setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.addHeader("Origin", origin(origin));
    }
    try {
      Await.result(client.connect(options).compose(ws -> ws.close()));
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } finally {
      client.close();
    }
  }

  static Stream<Arguments> origins() {
    return Stream.of(
        Arguments.of("same-origin only: no Origin", SAME_ORIGIN_ONLY, null, true),
        Arguments.of("same-origin only: own origin", SAME_ORIGIN_ONLY, SELF, true),
        Arguments.of(
            "same-origin only: other site", SAME_ORIGIN_ONLY, "https://evil.example", false),
        Arguments.of(
            "same-origin only: own host, other port",
            SAME_ORIGIN_ONLY,
            "http://127.0.0.1:1",
            false),
        Arguments.of("same-origin only: opaque null origin", SAME_ORIGIN_ONLY, "null", false),
        Arguments.of("any: other site", ANY, "https://evil.example", true),
        Arguments.of("any: no Origin", ANY, null, true),
        Arguments.of("listed: listed origin", LISTED, APP, true),
        Arguments.of(
            "listed: listed origin with its port", LISTED, "https://admin.example.com:8443", true),
        Arguments.of("listed: listed host, other port", LISTED, "https://admin.example.com", false),
        Arguments.of("listed: other scheme", LISTED, "http://app.example.com", false),
        Arguments.of(
            "listed: lookalike suffix", LISTED, "https://app.example.com.evil.example", false),
        Arguments.of("listed: own origin still allowed", LISTED, SELF, true),
        Arguments.of("listed: no Origin", LISTED, null, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("origins")
  void originDecidesEveryEndpoint(
      String name, List<String> allowed, String origin, boolean expectAllowed, Vertx vertx) {
    start(vertx, allowed);
    assertEquals(expectAllowed ? 101 : 403, handshake(origin), "WebSocket handshake");

    Answer publish = exchange(
        HttpMethod.POST,
        "/api/publish",
        origin,
        null,
        new JsonObject().put("channel", "origin-test").put("data", 1).encode());
    assertEquals(expectAllowed ? 200 : 403, publish.status(), "publish: " + publish.body());

    Answer sse = exchange(HttpMethod.GET, "/sse?channel=origin-test", origin, null, null);
    assertEquals(expectAllowed ? 200 : 403, sse.status(), "sse: " + sse.body());

    if (!expectAllowed) {
      JsonObject error = new JsonObject(publish.body());
      assertEquals("forbidden", error.getString("code"));
      assertTrue(error.getString("message").contains("http.allowedOrigins"), error.encode());
      assertEquals("forbidden", new JsonObject(sse.body()).getString("code"));
    }
  }

  @Test
  void allowedCrossOriginRequestsGetCorsHeaders(Vertx vertx) {
    start(vertx, LISTED);
    Answer publish = exchange(
        HttpMethod.POST,
        "/api/publish",
        APP,
        null,
        new JsonObject().put("channel", "origin-cors").put("data", 1).encode());
    assertEquals(200, publish.status());
    assertEquals(APP, publish.headers().get("Access-Control-Allow-Origin"));

    Answer sse = exchange(HttpMethod.GET, "/sse?channel=origin-cors", APP, null, null);
    assertEquals(APP, sse.headers().get("Access-Control-Allow-Origin"));
  }

  @Test
  void sameOriginRequestsNeedNoCorsHeaders(Vertx vertx) {
    start(vertx, SAME_ORIGIN_ONLY);
    Answer publish = exchange(
        HttpMethod.POST,
        "/api/publish",
        SELF,
        null,
        new JsonObject().put("channel", "origin-same").put("data", 1).encode());
    assertEquals(200, publish.status());
    assertNull(publish.headers().get("Access-Control-Allow-Origin"));
  }

  @Test
  void anyOriginGetsTheWildcard(Vertx vertx) {
    start(vertx, ANY);
    Answer publish = exchange(
        HttpMethod.POST,
        "/api/publish",
        "https://elsewhere.example",
        null,
        new JsonObject().put("channel", "origin-any").put("data", 1).encode());
    assertEquals(200, publish.status());
    assertEquals("*", publish.headers().get("Access-Control-Allow-Origin"));
  }

  @Test
  void preflightIsAnsweredForAnAllowedOrigin(Vertx vertx) {
    start(vertx, LISTED);
    MultiMap preflight = MultiMap.caseInsensitiveMultiMap()
        .add("Access-Control-Request-Method", "POST")
        .add("Access-Control-Request-Headers", "content-type, authorization");
    Answer answer = exchange(HttpMethod.OPTIONS, "/api/publish", APP, preflight, null);
    assertTrue(answer.status() == 200 || answer.status() == 204, "status " + answer.status());
    assertEquals(APP, answer.headers().get("Access-Control-Allow-Origin"));
    String methods = answer.headers().get("Access-Control-Allow-Methods");
    assertTrue(methods != null && methods.contains("POST") && methods.contains("GET"), methods);
    String headers = String.valueOf(answer.headers().get("Access-Control-Allow-Headers"))
        .toLowerCase(Locale.ROOT);
    for (String header :
        List.of("content-type", "authorization", "last-event-id", "idempotency-key")) {
      assertTrue(headers.contains(header), header + " in " + headers);
    }
  }

  @Test
  void preflightFromADisallowedOriginIsRefused(Vertx vertx) {
    start(vertx, LISTED);
    MultiMap preflight =
        MultiMap.caseInsensitiveMultiMap().add("Access-Control-Request-Method", "POST");
    Answer answer =
        exchange(HttpMethod.OPTIONS, "/api/publish", "https://evil.example", preflight, null);
    assertEquals(403, answer.status());
    assertNull(answer.headers().get("Access-Control-Allow-Origin"));
  }
}

package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.switchboard.testing.RawConnection;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.VertxExtension;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that cannot be read as asked (bad %-escapes, an over-long request line, garbage) get
 * the JSON error body every other refusal has, with a 4xx status, never a 500 or an empty body:
 * on every path, whichever part of Vert.x, vertx-web or our handlers notices.
 */
@ExtendWith(VertxExtension.class)
class MalformedRequestTest {
  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNode.start(vertx);
  }

  @AfterAll
  static void stop() {
    node.close();
    vertx.close();
  }

  private static Buffer get(String uri) {
    return Buffer.buffer("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  private static Buffer post(String uri, String body) {
    return Buffer.buffer("POST " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body);
  }

  static Stream<Arguments> requests() {
    String publish = "{\"channel\":\"mr\",\"data\":1}";
    return Stream.of(
        arguments(
            "bad escape in the history path", get("/api/channels/%ZZ/history"), 400, "bad_request"),
        arguments(
            "bad escape in the presence path",
            get("/api/channels/chat:%G0/presence"),
            400,
            "bad_request"),
        arguments(
            "bad escape in since", get("/api/channels/mr/history?since=%ZZ"), 400, "bad_request"),
        arguments(
            "half an escape in limit",
            get("/api/channels/mr/history?limit=1%"),
            400,
            "bad_request"),
        arguments("bad escape in an SSE channel", get("/sse?channel=%ZZ"), 400, "bad_request"),
        arguments(
            "bad escape in an SSE token", get("/sse?channel=mr&token=%Z1"), 400, "bad_request"),
        arguments(
            "bad escape in lastEventId", get("/sse?channel=mr&lastEventId=%"), 400, "bad_request"),
        arguments(
            "bad escape in a publish query",
            post("/api/publish?x=%ZZ", publish),
            400,
            "bad_request"),
        arguments("bad escape in a static path", get("/%ZZ.html"), 400, "bad_request"),
        arguments("path escaping the web root", get("/..%2f..%2fetc/passwd"), 404, "bad_request"),
        arguments(
            "no Host header", Buffer.buffer("GET /health HTTP/1.1\r\n\r\n"), 400, "bad_request"),
        arguments(
            "request line over 4 KB",
            get("/api/channels/" + "a".repeat(5000) + "/history"),
            414,
            "too_large"),
        arguments(
            "headers over 8 KB",
            Buffer.buffer(
                "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"),
            431,
            "too_large"),
        arguments(
            "garbage",
            Buffer.buffer(
                new byte[] {'a', 0, (byte) 0xff, ' ', 'b', ' ', 'c', '\r', '\n', '\r', '\n'}),
            400,
            "bad_request"),
        arguments("no HTTP version", Buffer.buffer("GET /health\r\n\r\n"), 400, "bad_request"),
        arguments("space in the URI", get("/api/channels/a b/history"), 400, "bad_request"),
        arguments(
            "header without a colon",
            Buffer.buffer("GET /health HTTP/1.1\r\nHost: x\r\n" + "nocolon\r\n\r\n"),
            400,
            "bad_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void answeredWithAJsonError(String name, Buffer request, int status, String code) {
    NetClient client = vertx.createNetClient();
    try {
      RawConnection connection = RawConnection.open(vertx, client, node.port());
      connection.write(request);
      String response = connection.nextResponse();
      assertEquals(status, RawConnection.status(response), response);
      JsonObject json = new JsonObject(RawConnection.body(response));
      assertEquals(code, json.getString("code"), response);
      assertFalse(json.getString("message", "").isBlank(), response);
    } finally {
      client.close();
    }
    assertEquals(200, node.get("/health").status());
  }
}

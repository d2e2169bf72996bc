package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.Node;
import io.switchboard.config.ConfigLoader;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real node on a random free port, wired by the same {@link Node} code as {@code Main}, with two
 * event loops so cross-loop delivery is exercised. Test namespaces:
 * <ul>
 *   <li>{@code ""}: anyone, history 100;</li>
 *   <li>{@code chat}: schema {@code {"text": string}} required, presence and join/leave;</li>
 *   <li>{@code feed}: only the server may publish;</li>
 *   <li>{@code short}: history of 3 messages.</li>
 * </ul>
 */
public final class TestNode {
  private final Vertx vertx;
  private final Node node;
  private final HttpClient http;
  private final List<WsClient> clients = new CopyOnWriteArrayList<>();

  private TestNode(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
    this.http = vertx.createHttpClient();
  }

  public static JsonObject baseConfig() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2))
        .put(
            "namespaces",
            new JsonObject()
                .put("", new JsonObject().put("history", new JsonObject().put("size", 100)))
                .put(
                    "chat",
                    new JsonObject()
                        .put(
                            "schema",
                            new JsonObject()
                                .put("type", "object")
                                .put("required", new JsonArray().add("text"))
                                .put(
                                    "properties",
                                    new JsonObject()
                                        .put("text", new JsonObject().put("type", "string"))))
                        .put("presence", true)
                        .put("joinLeave", true))
                .put("feed", new JsonObject().put("publish", "server"))
                .put("short", new JsonObject().put("history", new JsonObject().put("size", 3))));
  }

  public static TestNode start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  /** Starts with {@link #baseConfig()} deep-merged with {@code overrides}. */
  public static TestNode start(Vertx vertx, JsonObject overrides) {
    JsonObject config = baseConfig().mergeIn(overrides, true);
    Node node = Await.result(ConfigLoader.fromJson(vertx, config, Map.of(), Path.of("conf"))
        .compose(c -> Node.start(vertx, c)));
    return new TestNode(vertx, node);
  }

  public int port() {
    return node.port();
  }

  public Node node() {
    return node;
  }

  /** A welcomed WebSocket client, closed with the node. */
  public WsClient ws() {
    return track(WsClient.welcomed(vertx, port()));
  }

  /** Closes {@code client} when the node closes, so tests need no bookkeeping of their own. */
  public WsClient track(WsClient client) {
    clients.add(client);
    return client;
  }

  public SseReader sse(String uri) {
    return SseReader.open(vertx, port(), uri);
  }

  /** A finished HTTP exchange: status, body and response headers. */
  public record Reply(int status, String body, MultiMap headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    /**
     * Asserts an API error (docs/protocol.md): {@code status}, and a body with {@code code} and a
     * message that is not blank. Returns the body, for what a test checks beyond.
     */
    public JsonObject assertError(int status, String code) {
      assertEquals(status, status(), body);
      JsonObject json = json();
      assertEquals(code, json.getString("code"), body);
      assertFalse(json.getString("message", "").isBlank(), body);
      return json;
    }
  }

  public Reply post(String uri, String body) {
    return exchange(HttpMethod.POST, uri, body);
  }

  public Reply get(String uri) {
    return exchange(HttpMethod.GET, uri, null);
  }

  public Reply exchange(HttpMethod method, String uri, String body) {
    return exchange(port(), method, uri, body, null);
  }

  /** An exchange with request headers (e.g. Authorization), on {@code port}. */
  public Reply exchange(int port, HttpMethod method, String uri, String body, MultiMap headers) {
    return exchangeBytes(port, method, uri, body == null ? null : Buffer.buffer(body), headers);
  }

  /** With a body of any bytes, UTF-8 or not. */
  public Reply exchangeBytes(
      int port, HttpMethod method, String uri, Buffer body, MultiMap headers) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI(uri);
    if (headers != null) {
      options.setHeaders(headers);
    }
    // run the exchange on a Vert.x context: started from the JUnit thread, the response callback
    // can run on another thread than the connection, and a response that arrives before body()
    // is called is lost (about one request in 300 hung)
    Promise<Reply> reply = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(v -> http.request(options)
            .compose(request -> body == null ? request.send() : request.send(body))
            .compose(response -> response
                .body()
                .map(b -> new Reply(response.statusCode(), b.toString(), response.headers())))
            .onComplete(reply));
    return Await.result(reply.future());
  }

  /** Publishes over the HTTP API and returns the offset. */
  public String publish(String channel, Object data) {
    Reply reply = post(
        "/api/publish",
        new JsonObject().put("channel", channel).put("data", data).encode());
    if (reply.status() != 200) {
      throw new AssertionError("publish failed: " + reply);
    }
    return reply.json().getString("offset");
  }

  public void close() {
    for (WsClient client : clients) {
      try {
        client.close();
      } catch (RuntimeException | AssertionError e) {
        // the test may have left it closing or closed by the server: nothing more to release
      }
    }
    Await.result(node.close());
    http.close();
  }
}

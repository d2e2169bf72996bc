package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.WsClient;
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
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, graceful drain (PROTOCOL.md sections 1, 4 and 10): {@code POST /api/drain} makes the
 * node not ready and refuse new connections, lets publishes finish, closes every client with 1001
 * spread over {@code drain.windowMs}, and closes the node; no acknowledged publish is lost.
 * SIGTERM, which drains the same way, is {@code DrainSignalTest}.
 */
@ExtendWith(VertxExtension.class)
class DrainTest {
  private static final String API_KEY = "drain-test-api-key";
  /** Long enough that a drain started with a few clients is still running when the test looks. */
  private static final long LONG_WINDOW_MS = 60_000;

  private static final long WINDOW_MS = 1_000;

  private Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<SseReader> readers = new ArrayList<>();
  private RedisServer redis;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() {
    readers.forEach(SseReader::close);
    nodes.forEach(TestNode::close);
    if (redis != null) {
      redis.close();
    }
  }

  private TestNode start(long windowMs, JsonObject more) {
    JsonObject config = new JsonObject()
        .put("drain", new JsonObject().put("windowMs", windowMs))
        .mergeIn(more, true);
    TestNode node = TestNode.start(vertx, config);
    nodes.add(node);
    return node;
  }

  private static Reply drain(TestNode node) {
    return node.post("/api/drain", "");
  }

  private SseReader sse(TestNode node, String uri) {
    SseReader reader = node.sse(uri);
    readers.add(reader);
    return reader;
  }

  /** The status a WebSocket upgrade on {@code /ws} is refused with. */
  private int refusedUpgrade(TestNode node) {
    UpgradeRejectedException refused = assertThrows(
        UpgradeRejectedException.class,
        () -> WsClient.connect(vertx, node.port()),
        "the upgrade is refused");
    return refused.getStatus();
  }

  @Test
  void drainMakesTheNodeNotReadyAndRefusesNewConnections() {
    TestNode node = start(LONG_WINDOW_MS, new JsonObject());
    // per hub, the first client is closed at once and the next only half a minute later
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      WsClient ws = node.ws();
      ws.subscribe("drain-ready");
      clients.add(ws);
    }
    assertEquals(new JsonObject().put("ready", true), node.get("/ready").json());

    Reply first = drain(node);
    assertEquals(202, first.status(), first.toString());
    assertEquals(new JsonObject().put("draining", true), first.json());
    Reply again = drain(node);
    assertEquals(202, again.status(), "already draining: " + again);
    assertEquals(new JsonObject().put("draining", true), again.json());

    Reply ready = node.get("/ready");
    assertEquals(503, ready.status(), ready.toString());
    assertEquals(new JsonObject().put("ready", false).put("reason", "draining"), ready.json());
    assertEquals("ok", node.get("/health").json().getString("status"), "still alive");

    assertEquals(503, refusedUpgrade(node));
    SseReader stream = sse(node, "/sse?channel=drain-ready");
    assertEquals(503, stream.status());
    assertEquals("unavailable", stream.errorBody().getString("code"));
    assertEquals("node is draining", stream.errorBody().getString("message"));

    // the connections still open work as before: publishes over the API reach them
    String offset = node.publish("drain-ready", new JsonObject().put("n", 1));
    List<WsClient> open = clients.stream().filter(ws -> !ws.isClosed()).toList();
    assertTrue(open.size() >= 2, "most clients are still connected: " + open.size());
    for (WsClient ws : open) {
      assertEquals(offset, ws.nextMessage("drain-ready").getString("offset"));
    }
    assertFalse(node.node().drained().isComplete(), "the drain is still running");
  }

  @Test
  void drainNeedsTheCredentialsOfTheApi() {
    TestTokens tokens = TestTokens.create(vertx);
    JsonObject config = TestTokens.nodeConfig();
    config.getJsonObject("auth").put("apiKeys", new JsonArray().add(API_KEY));
    TestNode node = start(LONG_WINDOW_MS, config);
    keepDraining(node, bearer(tokens.hs256("7")));

    Reply none = node.exchange(node.port(), HttpMethod.POST, "/api/drain", "", null);
    assertEquals(401, none.status(), none.toString());
    Reply user =
        node.exchange(node.port(), HttpMethod.POST, "/api/drain", "", bearer(tokens.hs256("42")));
    assertEquals(403, user.status(), user.toString());
    Reply badKey =
        node.exchange(node.port(), HttpMethod.POST, "/api/drain", "", apiKey("not-the-key"));
    assertEquals(401, badKey.status(), badKey.toString());
    assertEquals(200, node.get("/ready").status(), "refused calls do not drain");

    Reply admin = node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/drain",
        "",
        bearer(tokens.hs256(TestTokens.admin("ops"))));
    assertEquals(202, admin.status(), admin.toString());
    Reply key = node.exchange(node.port(), HttpMethod.POST, "/api/drain", "", apiKey(API_KEY));
    assertEquals(202, key.status(), key.toString());
    assertEquals(503, node.get("/ready").status());
  }

  @Test
  void adminPortServesDrainTooWithTheSameCredentials() {
    int adminPort = freePort();
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("adminPort", adminPort))
        .put("auth", new JsonObject().put("apiKeys", new JsonArray().add(API_KEY)));
    TestNode node = start(LONG_WINDOW_MS, config);
    keepDraining(node, null);

    Reply none = node.exchange(adminPort, HttpMethod.POST, "/api/drain", "", null);
    assertEquals(401, none.status(), none.toString());
    assertEquals(
        200, node.exchange(adminPort, HttpMethod.GET, "/ready", null, null).status());

    Reply drained = node.exchange(adminPort, HttpMethod.POST, "/api/drain", "", apiKey(API_KEY));
    assertEquals(202, drained.status(), drained.toString());
    assertEquals(new JsonObject().put("draining", true), drained.json());
    Reply ready = node.exchange(adminPort, HttpMethod.GET, "/ready", null, null);
    assertEquals(503, ready.status(), ready.toString());
    assertEquals("draining", ready.json().getString("reason"));
    // the public port's API answers it too, idempotently
    Reply pub = node.exchange(node.port(), HttpMethod.POST, "/api/drain", "", apiKey(API_KEY));
    assertEquals(202, pub.status(), pub.toString());
  }

  @Test
  void drainClosesEveryClientWith1001SpreadOverTheWindow() {
    TestNode node = start(WINDOW_MS, new JsonObject());
    int count = 40;
    List<WsClient> clients = new ArrayList<>();
    List<Long> closedAtNanos = new CopyOnWriteArrayList<>();
    for (int i = 0; i < count; i++) {
      WsClient ws = node.ws();
      ws.closed().onComplete(ar -> closedAtNanos.add(System.nanoTime()));
      clients.add(ws);
    }
    SseReader streamA = sse(node, "/sse?channel=drain-sse-a");
    SseReader streamB = sse(node, "/sse?channel=drain-sse-b");
    streamA.firstId();
    streamB.firstId();

    long startNanos = System.nanoTime();
    assertEquals(202, drain(node).status());
    Await.result(node.node().drained(), Duration.ofMillis(WINDOW_MS + 5_000));
    long drainMs = (System.nanoTime() - startNanos) / 1_000_000;

    for (WsClient ws : clients) {
      assertEquals(1001, ws.closeCode(), "every WebSocket is closed as going away");
    }
    streamA.awaitEnd();
    streamB.awaitEnd();
    List<Long> times = new ArrayList<>(closedAtNanos);
    Collections.sort(times);
    assertEquals(count, times.size());
    long firstMs = (times.get(0) - startNanos) / 1_000_000;
    long spreadMs = (times.get(count - 1) - times.get(0)) / 1_000_000;
    assertTrue(firstMs < WINDOW_MS / 4, "the first client goes at once, after " + firstMs + " ms");
    assertTrue(
        spreadMs >= WINDOW_MS / 2,
        "closes spread over the window, not at once: first to" + " last " + spreadMs + " ms");
    // no stampede: at most a quarter of the clients in any tenth of the window
    int burst = 0;
    for (int i = 0, j = 0; i < count; i++) {
      while ((times.get(i) - times.get(j)) / 1_000_000 >= WINDOW_MS / 10) {
        j++;
      }
      burst = Math.max(burst, i - j + 1);
    }
    assertTrue(burst <= count / 4, burst + " clients closed within " + WINDOW_MS / 10 + " ms");
    assertTrue(
        drainMs < WINDOW_MS + 2_000,
        "the drain ends about when the window does: " + drainMs + " ms");
    assertThrows(
        Throwable.class,
        () -> WsClient.connect(vertx, node.port()),
        "the node is closed once drained");
  }

  @Test
  void noAcknowledgedPublishIsLostWhilePublishersKeepPublishing() {
    JsonObject config = new JsonObject()
        .put("limits", new JsonObject().put("messagesPerSecond", 0).put("messagesBurst", 0))
        .put(
            "namespaces",
            new JsonObject()
                .put("", new JsonObject().put("history", new JsonObject().put("size", 1_000_000))));
    TestNode node = start(WINDOW_MS, config);
    String channel = "drain-acked";
    List<WsClient> subscribers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      WsClient ws = node.ws();
      ws.subscribe(channel);
      subscribers.add(ws);
    }
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger ackedDuringDrain = new AtomicInteger();
    AtomicBoolean draining = new AtomicBoolean();
    Future<Integer> overHttp =
        publishOverHttp(node.port(), channel, acked, draining, ackedDuringDrain);
    Future<Integer> overWs =
        publishOverWebSocket(node.port(), channel, acked, draining, ackedDuringDrain);
    // let both publishers get going before the drain starts
    node.post(
        "/api/publish",
        new JsonObject().put("channel", channel).put("data", "go").encode());
    for (WsClient ws : subscribers) {
      ws.nextMessage(channel);
    }

    draining.set(true);
    assertEquals(202, drain(node).status());
    Await.result(node.node().drained(), Duration.ofMillis(WINDOW_MS + 5_000));
    int httpAcks = Await.result(overHttp);
    int wsAcks = Await.result(overWs);

    List<String> history = new ArrayList<>();
    for (Publication publication : Await.result(node.node()
            .parts()
            .engine()
            .broker()
            .history(channel, new HistoryQuery(null, 1_000_000)))
        .publications()) {
      history.add(publication.position().encode());
    }
    assertTrue(
        httpAcks > 0 && wsAcks > 0,
        "both publishers were acknowledged: " + httpAcks + " over HTTP, " + wsAcks
            + " over WebSocket");
    assertTrue(ackedDuringDrain.get() > 0, "publishes were acknowledged during the drain");
    List<String> lost =
        acked.stream().filter(offset -> !history.contains(offset)).toList();
    assertEquals(List.of(), lost, "acknowledged publishes missing from the history");
    for (WsClient ws : subscribers) {
      assertEquals(1001, ws.closeCode());
      List<String> received = ws.received().stream()
          .filter(f -> "message".equals(f.getString("type")))
          .map(f -> f.getString("offset"))
          .toList();
      // what a client got is the channel from its start, without holes; it resumes from the
      // last one on another node, where history has the rest
      assertEquals(
          history.subList(0, received.size()),
          received,
          "a subscriber's messages are the channel's, in order, none missing");
    }
  }

  @Test
  void publishInFlightWhenTheDrainStartsIsAcknowledgedBeforeItsClientIsClosed() {
    redis = RedisServer.start();
    // a window of 0 closes every client at once: only the wait for pending publishes stands
    // between the drain and the publisher's close
    TestNode node = start(0, redis.brokerConfig("drain-in-flight"));
    String channel = "drain-in-flight";
    WsClient publisher = node.ws();
    publisher.publish(channel, new JsonObject().put("n", 0));

    // Redis holds writes (the publish script) for a second: the next publish stays in flight
    redis.cli("CLIENT", "PAUSE", "1000", "WRITE");
    publisher.write(new JsonObject()
        .put("type", "publish")
        .put("id", 99)
        .put("channel", channel)
        .put("data", new JsonObject().put("n", 1))
        .encode());
    // frames of a connection are handled in order: once the ping is answered, the publish is in
    // the broker's hands
    assertEquals("pong", publisher.request(new JsonObject().put("type", "ping")).getString("type"));
    assertEquals(202, drain(node).status());

    JsonObject ack = publisher.next(
        f -> Integer.valueOf(99).equals(f.getInteger("id")), "reply to the publish in flight");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(1001, publisher.closeCode(), "closed once its publish was answered");
    Await.result(node.node().drained());
  }

  /**
   * Publishes over the HTTP API, one after the other, until the node stops answering; completes
   * with how many were acknowledged (their offsets go to {@code acked}).
   */
  private Future<Integer> publishOverHttp(
      int port,
      String channel,
      Set<String> acked,
      AtomicBoolean draining,
      AtomicInteger ackedDuringDrain) {
    HttpClient client = vertx.createHttpClient();
    Promise<Integer> done = Promise.promise();
    AtomicInteger acks = new AtomicInteger();
    vertx
        .getOrCreateContext()
        .runOnContext(v -> new Object() {
          void next(int n) {
            boolean duringDrain = draining.get();
            client
                .request(new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI("/api/publish"))
                .compose(request -> request.send(Buffer.buffer(new JsonObject()
                    .put("channel", channel)
                    .put("data", new JsonObject().put("http", n))
                    .encode())))
                .compose(response -> response
                    .body()
                    .map(body -> response.statusCode() == 200
                        ? new JsonObject(body).getString("offset")
                        : null))
                .onComplete(ar -> {
                  if (ar.succeeded() && ar.result() != null) {
                    acked.add(ar.result());
                    acks.incrementAndGet();
                    if (duringDrain) {
                      ackedDuringDrain.incrementAndGet();
                    }
                    next(n + 1);
                  } else if (ar.succeeded()) {
                    next(n + 1);
                  } else {
                    // the node closed: nothing more will be acknowledged
                    client.close();
                    done.complete(acks.get());
                  }
                });
          }
        }.next(0));
    return done.future();
  }

  /**
   * Publishes over a WebSocket of its own, the next one on each ack, until the node closes it;
   * completes with how many were acknowledged.
   */
  private Future<Integer> publishOverWebSocket(
      int port,
      String channel,
      Set<String> acked,
      AtomicBoolean draining,
      AtomicInteger ackedDuringDrain) {
    WebSocketClient client = vertx.createWebSocketClient();
    Promise<Integer> done = Promise.promise();
    AtomicInteger acks = new AtomicInteger();
    vertx
        .getOrCreateContext()
        .runOnContext(v -> client
            .connect(
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
            .onFailure(done::fail)
            .onSuccess(socket -> {
              AtomicInteger id = new AtomicInteger();
              AtomicBoolean duringDrain = new AtomicBoolean();
              Runnable publish = () -> {
                duringDrain.set(draining.get());
                socket.writeTextMessage(new JsonObject()
                    .put("type", "publish")
                    .put("id", id.incrementAndGet())
                    .put("channel", channel)
                    .put("data", new JsonObject().put("ws", id.get()))
                    .encode());
              };
              socket.textMessageHandler(text -> {
                JsonObject frame = new JsonObject(text);
                if ("welcome".equals(frame.getString("type"))) {
                  publish.run();
                } else if ("ack".equals(frame.getString("type"))) {
                  acked.add(frame.getString("offset"));
                  acks.incrementAndGet();
                  if (duringDrain.get()) {
                    ackedDuringDrain.incrementAndGet();
                  }
                  publish.run();
                } else if ("error".equals(frame.getString("type"))) {
                  done.tryFail(new AssertionError("publish refused: " + text));
                }
              });
              socket.closeHandler(x -> {
                client.close();
                done.tryComplete(acks.get());
              });
            }));
    return done.future();
  }

  /**
   * Clients enough that some hub has two: its second is closed only half of the long window in,
   * so the node stays up, draining, while the test looks (a node without clients drains at once).
   */
  private void keepDraining(TestNode node, MultiMap headers) {
    for (int i = 0; i < 4; i++) {
      node.track(WsClient.connect(vertx, node.port(), "/ws", headers)).next("welcome");
    }
  }

  private static MultiMap apiKey(String key) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + key);
  }

  private static MultiMap bearer(String token) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

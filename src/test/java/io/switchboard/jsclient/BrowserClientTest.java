package io.switchboard.jsclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Chromium;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TcpProxy;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * switchboard.js in headless Chromium: a page (the test-only {@code /test/client-harness.html},
 * which imports {@code /switchboard.js} from the node) follows a channel while the test cuts its
 * connections, lets its token expire, refuses its WebSocket upgrades, and drains its node; every
 * message arrives once, in order. Skipped where chromium is missing, like the demo page's test.
 */
@ExtendWith(VertxExtension.class)
class BrowserClientTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String HARNESS = "/test/client-harness.html";
  private static final String API_KEY = "browser-client-test-api-key";
  /** Reconnects fast: the test cuts often. */
  private static final Map<String, Object> BACKOFF = Map.of("baseMs", 50, "maxMs", 400);

  private static Chromium chromium;
  private ChromeDriver driver;
  private Vertx vertx;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<String> published = new ArrayList<>();

  @BeforeAll
  static void startBrowser() {
    chromium = Chromium.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.driver = chromium.driver();
  }

  @AfterEach
  void tearDown() throws Exception {
    driver.get("about:blank"); // the page's client goes before its nodes
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private TestNode node(JsonObject config) {
    TestNode node = TestNode.start(vertx, config);
    started.add(node::close);
    return node;
  }

  private TcpProxy proxy(TestNode node) {
    TcpProxy proxy = TcpProxy.start(vertx, node.port());
    started.add(proxy);
    return proxy;
  }

  @Test
  void cutConnectionsLoseNothing() {
    TestNode node = node(new JsonObject());
    TcpProxy proxy = proxy(node);
    String channel = "browser-cuts";
    open(origin(proxy.port()), List.of(origin(proxy.port())), Map.of("transport", "ws"), channel);
    awaitPage(() -> count("subscribed") == 1, "subscribed");

    int n = 0;
    for (int cut = 1; cut <= 4; cut++) {
      for (int i = 0; i < 5; i++) {
        publish(node, channel, n++, null);
      }
      proxy.cut();
      for (int i = 0; i < 5; i++) {
        publish(node, channel, n++, null); // while the page is away
      }
      int reconnected = cut + 1;
      awaitPage(() -> count("connected") >= reconnected, "reconnected after cut " + cut);
    }
    awaitEverything();
    assertEquals(0L, page("return h.recoveryFailed.length + h.gaps.length"));
  }

  @Test
  void expiringTokenIsRefreshedWithoutLosingAMessage() {
    JsonObject config = TestTokens.nodeConfig();
    config.getJsonObject("auth").put("apiKeys", new JsonArray().add(API_KEY));
    TestNode node = node(config);
    TestTokens tokens = TestTokens.create(vertx);
    // exp is in whole seconds: this token lives 2 to 3 s; the client asks for the next halfway
    long expSec = TestTokens.nowSec() + 3;
    List<String> sequence = List.of(
        tokens.hs256(TestTokens.claims("page-user").put("exp", expSec)),
        tokens.hs256(TestTokens.claims("page-user")));
    String channel = "browser-refresh";
    open(
        origin(node.port()),
        List.of(origin(node.port())),
        Map.of("transport", "ws", "tokens", sequence),
        channel);
    awaitPage(() -> count("subscribed") == 1, "subscribed");

    // one message at a time until the first token is a second past its exp
    for (int n = 0; System.currentTimeMillis() < expSec * 1000 + 1000; n++) {
      publish(node, channel, n, "ApiKey " + API_KEY);
      int expected = published.size();
      awaitPage(() -> received().size() == expected, "message " + n);
    }
    assertEquals(2L, page("return h.tokensAsked"), "getToken() asked again before exp");
    assertEquals(1, count("connected"), "connected once");
    assertEquals(0, count("disconnected"), "never disconnected");
    assertEquals(published, received());
  }

  @Test
  void refusedWebSocketUpgradesFallBackToSseLosingNothing() {
    TestNode node = node(new JsonObject());
    TcpProxy proxy = proxy(node);
    String channel = "browser-fallback";
    open(origin(proxy.port()), List.of(origin(proxy.port())), Map.of("transport", "auto"), channel);
    awaitPage(() -> count("subscribed") == 1, "subscribed");
    assertEquals("ws", page("return h.sb.transport"));
    int n = 0;
    for (int i = 0; i < 5; i++) {
      publish(node, channel, n++, null);
    }

    proxy.refuseUpgrades(true);
    proxy.cut();
    for (int i = 0; i < 5; i++) {
      publish(node, channel, n++, null);
    }
    awaitPage(() -> count("connected") == 2, "connected again");
    assertEquals("sse", page("return h.sb.transport"));
    assertTrue(proxy.upgradesRefused() >= 1, "the upgrade was refused");
    // the page's own publish goes over the HTTP API now
    published.add((String) driver.executeAsyncScript(
        "arguments[arguments.length - 1]; h.sb.publish(arguments[0], {n: arguments[1]})"
            + ".then(arguments[arguments.length - 1])",
        channel,
        n++));
    for (int cut = 0; cut < 2; cut++) {
      int before = count("connected");
      proxy.cut();
      publish(node, channel, n++, null);
      awaitPage(() -> count("connected") > before, "back after a cut on SSE");
    }
    awaitEverything();
    assertEquals("sse", page("return h.sb.transport"), "stays on SSE");
  }

  @Test
  void drainMovesThePageToTheSecondNodeLosingNothing() {
    RedisServer redis = RedisServer.start();
    started.add(redis);
    TestNode a = node(clusterNode(redis, "node-a"));
    TestNode b = node(clusterNode(redis, "node-b"));
    String channel = "browser-drain";
    open(
        origin(a.port()),
        List.of(origin(a.port()), origin(b.port())),
        Map.of("transport", "ws"),
        channel);
    awaitPage(() -> count("subscribed") == 1, "subscribed");
    assertEquals("node-a", page("return h.events.find(e => e.event === 'connected').node"));
    int n = 0;
    for (int i = 0; i < 5; i++) {
      publish(b, channel, n++, null);
    }

    Reply drain = a.post("/api/drain", "");
    assertEquals(202, drain.status(), drain.toString());
    for (int i = 0; i < 5; i++) {
      publish(b, channel, n++, null);
    }
    awaitPage(() -> count("connected") == 2, "connected again");
    assertEquals("node-b", page("return h.events.filter(e => e.event === 'connected')[1].node"));
    assertEquals(1001L, page("return h.events.find(e => e.event === 'disconnected').code"));
    assertEquals(
        0L,
        page("return h.events.find(e => e.event === 'disconnected').delayMs"),
        "reconnected at once");
    for (int i = 0; i < 5; i++) {
      publish(b, channel, n++, null);
    }
    awaitEverything();
  }

  /** Both nodes let pages of any origin in: the page comes from node-a and moves to node-b. */
  private static JsonObject clusterNode(RedisServer redis, String id) {
    return redis
        .brokerConfig("browser-client")
        .put("node", new JsonObject().put("id", id))
        .put("http", new JsonObject().put("allowedOrigins", new JsonArray().add("*")))
        .put("drain", new JsonObject().put("windowMs", 0));
  }

  // ---- the page ----

  private static String origin(int port) {
    return "http://127.0.0.1:" + port;
  }

  /** Loads the harness from {@code origin} and starts a client on {@code urls}. */
  private void open(String origin, List<String> urls, Map<String, Object> options, String channel) {
    driver.get(origin + HARNESS);
    Chromium.wait(driver, WAIT)
        .until(
            d -> Boolean.TRUE.equals(driver.executeScript("return window.harnessReady === true")));
    Map<String, Object> all = new HashMap<>(options);
    all.put("backoff", BACKOFF);
    driver.executeScript(
        "harness.start(arguments[0], arguments[1], arguments[2])", urls, all, channel);
  }

  private Object page(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** How many events of a kind (connected, disconnected, subscribed...) the page's client had. */
  private int count(String event) {
    return ((Long) page("return h.count(arguments[0])", event)).intValue();
  }

  @SuppressWarnings("unchecked")
  private List<String> received() {
    return (List<String>) page("return h.offsets");
  }

  private void awaitPage(BooleanSupplier condition, String what) {
    Chromium.wait(driver, WAIT)
        .withMessage(() -> what + "; the page saw " + page("return JSON.stringify(h.events)"))
        .until(d -> condition.getAsBoolean());
  }

  /** Every published message, once, in publish order. */
  private void awaitEverything() {
    awaitPage(() -> received().size() >= published.size(), published.size() + " messages");
    assertEquals(published, received());
  }

  /** Publishes {@code {"n": n}} over the HTTP API of {@code node}, remembering its offset. */
  private void publish(TestNode node, String channel, int n, String authorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    Reply reply = node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/publish",
        new JsonObject()
            .put("channel", channel)
            .put("data", new JsonObject().put("n", n))
            .encode(),
        headers);
    assertEquals(200, reply.status(), reply.toString());
    published.add(reply.json().getString("offset"));
  }
}

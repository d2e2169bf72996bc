package io.switchboard.jsclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.NodeJs;
import io.switchboard.testing.NodeJs.WebSocketClass;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JavaScript client's own tests ({@code clients/js/test/*.test.mjs}, {@code node --test}),
 * one JUnit test per file, against real nodes started here and named to them in environment
 * variables:
 * <ul>
 *   <li>{@code SB_URL}: anonymous access, the API open, a 1 s heartbeat (timeout 2.5 s) so silent
 *       connections are found fast;</li>
 *   <li>{@code SB_AUTH_URL}: JWT only ({@code SB_JWT_SECRET}, {@code SB_JWT_ISSUER},
 *       {@code SB_JWT_AUDIENCE}, clock skew 0), the API behind {@code SB_API_KEY};</li>
 *   <li>{@code SB_CLUSTER_URLS}: two nodes, {@code node-a} and {@code node-b}, on one Redis; a
 *       test drains node-a, so each WebSocket class gets a pair of its own.</li>
 * </ul>
 * Each file runs with each WebSocket class this node has ({@link NodeJs#webSocketClasses()}): the
 * {@code ws} package (which Node 18 and 20 users pass to the client) always, Node's own where it
 * has one. A failing file fails its test with node's output.
 */
@ExtendWith(VertxExtension.class)
class NodeClientTest {
  private static final Path CLIENT = Path.of(System.getProperty("basedir", "."), "clients", "js");
  private static final String API_KEY = "node-client-test-api-key";
  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(120);

  private static final List<TestNode> nodes = new ArrayList<>();
  private static final Map<WebSocketClass, String> clusterUrls =
      new EnumMap<>(WebSocketClass.class);

  private static NodeJs node;
  private static RedisServer redis;
  private static Map<String, String> env;

  @BeforeAll
  static void start(Vertx vertx) {
    node = NodeJs.find();
    NodeJs.requirePackage(CLIENT, "ws");
    JsonObject namespaces =
        new JsonObject().put("namespaces", new JsonObject().put("user", new JsonObject()));
    TestNode open = TestNode.start(
        vertx,
        new JsonObject()
            .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 2500))
            .put("reaper", new JsonObject().put("intervalMs", 250)));
    JsonObject authConfig = TestTokens.nodeConfig().mergeIn(namespaces, true);
    authConfig.getJsonObject("auth").put("apiKeys", new JsonArray().add(API_KEY));
    TestNode auth = TestNode.start(vertx, authConfig);
    nodes.addAll(List.of(open, auth));
    redis = RedisServer.start();
    for (WebSocketClass webSocket : node.webSocketClasses()) {
      String prefix = "jsclient-" + webSocket;
      TestNode a = TestNode.start(vertx, clusterNode("node-a", prefix));
      nodes.add(a);
      TestNode b = TestNode.start(vertx, clusterNode("node-b", prefix));
      nodes.add(b);
      clusterUrls.put(webSocket, url(a) + "," + url(b));
    }
    env = Map.of(
        "SB_URL",
        url(open),
        "SB_AUTH_URL",
        url(auth),
        "SB_JWT_SECRET",
        TestTokens.HS256_SECRET,
        "SB_JWT_ISSUER",
        TestTokens.ISSUER,
        "SB_JWT_AUDIENCE",
        TestTokens.AUDIENCE,
        "SB_API_KEY",
        API_KEY);
  }

  private static JsonObject clusterNode(String id, String prefix) {
    return redis
        .brokerConfig(prefix)
        .put("node", new JsonObject().put("id", id))
        .put("drain", new JsonObject().put("windowMs", 0));
  }

  private static String url(TestNode node) {
    return "http://127.0.0.1:" + node.port();
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
    nodes.clear();
    clusterUrls.clear();
    if (redis != null) {
      redis.close();
    }
  }

  /** Every test file with every WebSocket class (after {@link #start}, which found node). */
  static Stream<Arguments> testRuns() {
    List<String> files;
    try (Stream<Path> paths = Files.list(CLIENT.resolve("test"))) {
      files = paths
          .map(f -> "test/" + f.getFileName())
          .filter(name -> name.endsWith(".test.mjs"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return node.webSocketClasses().stream()
        .flatMap(webSocket -> files.stream().map(file -> Arguments.of(file, webSocket)));
  }

  @ParameterizedTest(name = "{0} ({1} WebSocket)")
  @MethodSource("testRuns")
  void passesAgainstRealNodes(String file, WebSocketClass webSocket) {
    Map<String, String> runEnv = new HashMap<>(env);
    runEnv.put("SB_CLUSTER_URLS", clusterUrls.get(webSocket));
    NodeJs.Run run = node.test(CLIENT, file, webSocket, runEnv, FILE_TIMEOUT);
    assertEquals(
        0,
        run.exitCode(),
        () -> "node " + node.version() + " --test " + file + " (" + webSocket
            + " WebSocket) failed:\n" + run.output());
  }
}

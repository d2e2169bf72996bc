package io.switchboard.jsclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.NodeJs;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
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
 *       test drains node-a.</li>
 * </ul>
 * A failing file fails its test with node's output.
 */
@ExtendWith(VertxExtension.class)
class NodeClientTest {
  private static final Path CLIENT = Path.of(System.getProperty("basedir", "."), "clients", "js");
  private static final String API_KEY = "node-client-test-api-key";
  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(120);

  private static NodeJs node;
  private static RedisServer redis;
  private static List<TestNode> nodes;
  private static Map<String, String> env;

  @BeforeAll
  static void start(Vertx vertx) {
    node = NodeJs.find();
    JsonObject namespaces = new JsonObject().put("namespaces",
        new JsonObject().put("user", new JsonObject()));
    TestNode open = TestNode.start(vertx, new JsonObject()
        .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 2500))
        .put("reaper", new JsonObject().put("intervalMs", 250)));
    JsonObject authConfig = TestTokens.nodeConfig().mergeIn(namespaces, true);
    authConfig.getJsonObject("auth").put("apiKeys", new JsonArray().add(API_KEY));
    TestNode auth = TestNode.start(vertx, authConfig);
    redis = RedisServer.start();
    TestNode a = TestNode.start(vertx, clusterNode("node-a"));
    TestNode b = TestNode.start(vertx, clusterNode("node-b"));
    nodes = List.of(open, auth, a, b);
    env = Map.of(
        "SB_URL", url(open),
        "SB_AUTH_URL", url(auth),
        "SB_JWT_SECRET", TestTokens.HS256_SECRET,
        "SB_JWT_ISSUER", TestTokens.ISSUER,
        "SB_JWT_AUDIENCE", TestTokens.AUDIENCE,
        "SB_API_KEY", API_KEY,
        "SB_CLUSTER_URLS", url(a) + "," + url(b));
  }

  private static JsonObject clusterNode(String id) {
    return new JsonObject()
        .put("node", new JsonObject().put("id", id))
        .put("drain", new JsonObject().put("windowMs", 0))
        .put("broker", new JsonObject().put("type", "redis").put("redis", new JsonObject()
            .put("connectionString", redis.url()).put("prefix", "jsclient")));
  }

  private static String url(TestNode node) {
    return "http://127.0.0.1:" + node.port();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.forEach(TestNode::close);
    }
    if (redis != null) {
      redis.close();
    }
  }

  static Stream<String> testFiles() {
    try (Stream<Path> files = Files.list(CLIENT.resolve("test"))) {
      return files.map(f -> "test/" + f.getFileName())
          .filter(name -> name.endsWith(".test.mjs")).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("testFiles")
  void passesAgainstRealNodes(String file) {
    NodeJs.Run run = node.test(CLIENT, file, env, FILE_TIMEOUT);
    assertEquals(0, run.exitCode(), () -> "node --test " + file + " failed:\n" + run.output());
  }
}

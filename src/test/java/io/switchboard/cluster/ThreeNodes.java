package io.switchboard.cluster;

import io.switchboard.broker.redis.RedisBroker;
import io.switchboard.testing.Await;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three nodes on one shared Redis, each with its own {@link Vertx} (its own event bus and event
 * loops), so they share nothing but Redis, as separate processes would. Each start takes a fresh
 * Redis prefix, so a test sees only its own keys and pub/sub channels. Blocking; JUnit thread.
 */
final class ThreeNodes implements AutoCloseable {
  static final int SIZE = 3;
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private final String prefix;
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();
  private JsonObject config;

  private ThreeNodes(String prefix) {
    this.prefix = prefix;
  }

  static ThreeNodes start(SharedRedis redis, String prefixBase) {
    return start(redis, prefixBase, new JsonObject());
  }

  /**
   * Starts three nodes with {@link TestNode#baseConfig()}, the broker config of {@code redis}
   * under a new prefix starting with {@code prefixBase}, and {@code overrides}; returns once every
   * node's pub/sub link is up.
   */
  static ThreeNodes start(SharedRedis redis, String prefixBase, JsonObject overrides) {
    ThreeNodes trio = new ThreeNodes(prefixBase + "-" + PREFIXES.incrementAndGet());
    trio.config = redis.brokerConfig(trio.prefix).mergeIn(overrides, true);
    try {
      for (int i = 0; i < SIZE; i++) {
        trio.startNode();
      }
      return trio;
    } catch (RuntimeException | AssertionError e) {
      trio.close();
      throw e;
    }
  }

  /**
   * Starts one more node like the others, in a Vert.x of its own, and returns once its pub/sub
   * link is up; the first one added is {@code node(3)}, and it closes with the others.
   */
  TestNode startNode() {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    TestNode node = TestNode.start(
        vertx,
        config
            .copy()
            .mergeIn(
                new JsonObject().put("node", new JsonObject().put("id", "n" + nodes.size())),
                true));
    nodes.add(node);
    Await.result(((RedisBroker) node.node().parts().engine().broker()).connected());
    return node;
  }

  /**
   * {@code io.switchboard.Main} in a JVM of its own (so it can die without closing anything),
   * configured like these nodes with one event loop, once it is ready (connected to Redis); the
   * caller ends it.
   */
  NodeProcess startProcess(Path dir, String id) {
    return NodeProcess.start(
        dir,
        TestNode.baseConfig()
            .mergeIn(config, true)
            .mergeIn(
                new JsonObject()
                    .put("node", new JsonObject().put("id", id))
                    .put("http", new JsonObject().put("instances", 1)),
                true),
        List.of(),
        Map.of());
  }

  String prefix() {
    return prefix;
  }

  TestNode node(int i) {
    return nodes.get(i);
  }

  Vertx vertx(int i) {
    return vertxes.get(i);
  }

  /** Opens an SSE stream on node {@code i}, with an optional Last-Event-ID. */
  SseReader sse(int i, String uri, String lastEventId) {
    return SseReader.open(vertxes.get(i), node(i).port(), uri, lastEventId);
  }

  /** The pub/sub channel of {@code channel} under this trio's prefix. */
  String pubSub(String channel) {
    return SharedRedis.pubSub(prefix, channel);
  }

  /** Closes every node (and the clients it handed out), then every Vert.x. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (TestNode node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        failure = keep(failure, e);
      }
    }
    for (Vertx vertx : vertxes) {
      try {
        Await.result(vertx.close());
      } catch (RuntimeException e) {
        failure = keep(failure, e);
      }
    }
    nodes.clear();
    vertxes.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException keep(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}

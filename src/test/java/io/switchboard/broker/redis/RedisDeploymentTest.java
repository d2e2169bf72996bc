package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.RedisSentinel;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ways to point a node at Redis (README "Deployments"): a password in the config or the URL,
 * and a master found through Sentinel. (Cluster: io.switchboard.cluster tests.)
 */
@ExtendWith(VertxExtension.class)
class RedisDeploymentTest {

  private static void roundTrip(TestNode node) {
    WsClient client = node.ws();
    assertEquals("ack", client.subscribe("deploy").getString("type"));
    String offset = node.publish("deploy", new JsonObject().put("n", 1));
    assertEquals(offset, client.nextMessage("deploy").getString("offset"));
    assertEquals(200, node.get("/ready").status());
  }

  private static JsonObject redisBroker(JsonObject redis) {
    return new JsonObject().put("broker", new JsonObject().put("type", "redis").put("redis", redis));
  }

  @Test
  void passwordFromTheConfigOverridesTheUrl(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      TestNode node = TestNode.start(vertx, redisBroker(new JsonObject()
          .put("connectionString", redis.url()).put("password", "s3cret")));
      try {
        roundTrip(node);
      } finally {
        node.close();
      }
    }
  }

  @Test
  void passwordInTheUrl(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      TestNode node = TestNode.start(vertx, redisBroker(new JsonObject()
          .put("connectionString", "redis://:s3cret@127.0.0.1:" + redis.port())));
      try {
        roundTrip(node);
      } finally {
        node.close();
      }
    }
  }

  @Test
  void wrongPasswordLeavesTheNodeNotReadyWithoutFailingItsStart(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      TestNode node = TestNode.start(vertx, redisBroker(new JsonObject()
          .put("connectionString", redis.url()).put("password", "wrong").put("timeoutMs", 500)));
      try {
        assertEquals(503, node.get("/ready").status());
        WsClient client = node.ws();
        assertEquals("unavailable", client.subscribe("deploy").getString("code"));
      } finally {
        node.close();
      }
    }
  }

  @Test
  void sentinelFindsTheMaster(Vertx vertx) {
    try (RedisServer master = RedisServer.start();
        RedisSentinel sentinel = RedisSentinel.start(master, "mymaster")) {
      TestNode node = TestNode.start(vertx, redisBroker(new JsonObject()
          .put("mode", "sentinel").put("masterName", "mymaster")
          .put("connectionString", sentinel.url())));
      try {
        roundTrip(node);
        assertEquals("1", master.cli("exists", "sb:{deploy}:m"), "the data is on the master");
      } finally {
        node.close();
      }
    }
  }
}

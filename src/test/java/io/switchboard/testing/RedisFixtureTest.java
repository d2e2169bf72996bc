package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Redis fixtures themselves: real processes, driven through redis-cli. */
class RedisFixtureTest {

  @Test
  void serverStopsAndRestartsEmptyOnTheSamePort() {
    try (RedisServer redis = RedisServer.start()) {
      assertTrue(redis.running());
      assertEquals("redis://127.0.0.1:" + redis.port(), redis.url());
      assertEquals("OK", redis.cli("set", "k", "v"));
      assertEquals("v", redis.cli("get", "k"));

      redis.stop();
      assertFalse(redis.running());
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> redis.cli("ping"));
      assertTrue(refused.getMessage().contains("Connection refused"), refused.getMessage());

      int port = redis.port();
      redis.restart();
      assertTrue(redis.running());
      assertEquals(port, redis.port());
      assertEquals("PONG", redis.cli("ping"));
      assertEquals("0", redis.cli("dbsize"), "a restarted server starts empty");
    }
  }

  @Test
  void restartKillsARunningServerFirst() {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("set", "k", "v");
      redis.restart();
      assertEquals("0", redis.cli("dbsize"));
    }
  }

  @Test
  void closeIsIdempotentAndRemovesTheTempDir() {
    RedisServer redis = RedisServer.start();
    Path dir =
        Path.of(redis.cli("config", "get", "dir").lines().skip(1).findFirst().orElseThrow());
    assertTrue(Files.isDirectory(dir));
    redis.close();
    redis.close();
    assertFalse(redis.running());
    assertFalse(Files.exists(dir));
  }

  @Test
  void clusterOfThreeMastersServesKeysOnEveryNode() {
    try (RedisCluster cluster = RedisCluster.start()) {
      assertEquals(3, cluster.ports().size());
      assertEquals(cluster.urls().get(0), cluster.connectionString());
      for (int port : cluster.ports()) {
        assertTrue(cluster.cli(port, "cluster", "info").contains("cluster_state:ok"), "" + port);
        // -c follows MOVED, so every node can take the write whichever owns {x}
        assertEquals("OK", cluster.cli(port, "-c", "set", "{x}a", "" + port));
        assertEquals("" + port, cluster.cli(port, "-c", "get", "{x}a"));
      }
      assertEquals(
          3, cluster.cli(cluster.ports().get(0), "cluster", "nodes").lines().count());
    }
  }
}

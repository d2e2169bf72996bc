package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisSentinel;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways to point a node at Redis (README "Deployments"): a password in the config or the URL,
 * and a master found through Sentinel. (Cluster: io.switchboard.cluster tests.)
 */
@ExtendWith(VertxExtension.class)
class RedisDeploymentTest {

  /** A node on a Redis broker with the options {@code redis} makes a {@link #roundTrip}. */
  private static void roundTrip(Vertx vertx, JsonObject redis) {
    TestNode node = TestNode.start(vertx, RedisBrokerConfig.config(redis));
    try {
      roundTrip(node);
    } finally {
      node.close();
    }
  }

  private static void roundTrip(TestNode node) {
    WsClient client = node.ws();
    assertEquals("ack", client.subscribe("deploy").getString("type"));
    String offset = node.publish("deploy", new JsonObject().put("n", 1));
    assertEquals(offset, client.nextMessage("deploy").getString("offset"));
    assertEquals(200, node.get("/ready").status());
  }

  @Test
  void passwordFromTheConfigOverridesTheUrl(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      roundTrip(
          vertx, new JsonObject().put("connectionString", redis.url()).put("password", "s3cret"));
    }
  }

  @Test
  void passwordInTheUrl(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      roundTrip(
          vertx,
          new JsonObject().put("connectionString", "redis://:s3cret@127.0.0.1:" + redis.port()));
    }
  }

  @Test
  void wrongPasswordLeavesTheNodeNotReadyWithoutFailingItsStart(Vertx vertx) {
    try (RedisServer redis = RedisServer.start()) {
      redis.cli("config", "set", "requirepass", "s3cret");
      TestNode node = TestNode.start(
          vertx,
          RedisBrokerConfig.config(new JsonObject()
              .put("connectionString", redis.url())
              .put("password", "wrong")
              .put("timeoutMs", 500)));
      try {
        assertEquals(503, node.get("/ready").status());
        WsClient client = node.ws();
        assertEquals("unavailable", client.subscribe("deploy").getString("code"));
      } finally {
        node.close();
      }
    }
  }

  /** rediss:// against a server whose certificate a private CA signed (broker.redis.tlsCaFile). */
  @Test
  void tlsWithAPrivateCa(Vertx vertx, @TempDir Path dir) throws Exception {
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "1",
        "-subj",
        "/CN=switchboard-test-ca");
    openssl(
        dir,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "1",
        "-extfile",
        "san.ext");
    int tlsPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      tlsPort = socket.getLocalPort();
    }
    try (RedisServer redis = RedisServer.start(
        "--tls-port",
        String.valueOf(tlsPort),
        "--tls-cert-file",
        dir.resolve("server.crt").toString(),
        "--tls-key-file",
        dir.resolve("server.key").toString(),
        "--tls-ca-cert-file",
        dir.resolve("ca.crt").toString(),
        "--tls-auth-clients",
        "no")) {
      roundTrip(
          vertx,
          new JsonObject()
              .put("connectionString", "rediss://127.0.0.1:" + tlsPort)
              .put("tlsCaFile", dir.resolve("ca.crt").toString()));
    }
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile())
        .start();
    assertEquals(
        0,
        process.waitFor(),
        () -> "openssl " + String.join(" ", args) + ": " + readQuietly(dir.resolve("openssl.log")));
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void sentinelFindsTheMaster(Vertx vertx) {
    try (RedisServer master = RedisServer.start();
        RedisSentinel sentinel = RedisSentinel.start(master, "mymaster")) {
      TestNode node = TestNode.start(
          vertx,
          RedisBrokerConfig.config(new JsonObject()
              .put("mode", "sentinel")
              .put("masterName", "mymaster")
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

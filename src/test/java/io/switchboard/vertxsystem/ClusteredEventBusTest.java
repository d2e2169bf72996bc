package io.switchboard.vertxsystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.ClusterCerts;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.RedisServerExtension;
import io.switchboard.testing.ServiceProcess;
import io.switchboard.testing.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switchboard as a member of a Vert.x system (README "Using Switchboard from a Vert.x
 * application"): three nodes (Main, each in its own JVM) on one Redis, clustered over Hazelcast
 * with mutual TLS on the event bus, and a service in a fourth JVM that uses vertx-hazelcast
 * only. The JVMs are started once for the class: joining takes seconds.
 */
class ClusteredEventBusTest {
  private static final int NODES = 3;
  private static final String CLUSTER = "sb-test-" + ProcessHandle.current().pid();
  /** How long a check that nothing more arrives waits, after everything expected came. */
  private static final long QUIET_MS = 1_000;
  /** The publish hook the service answers for namespace {@code moderated}. */
  private static final String MODERATION_ADDRESS = "acme.moderate";

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @TempDir
  static Path dir;

  private static ClusterCerts certs;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static final List<Integer> eventBusPorts = new ArrayList<>();
  private static ServiceProcess service;
  private static Vertx vertx;
  private static List<String> members;

  @BeforeAll
  static void startCluster() {
    vertx = Vertx.vertx();
    certs = ClusterCerts.create(dir, "sb");
    List<Integer> ports =
        IntStream.range(0, NODES).mapToObj(i -> NodeProcess.freePort()).toList();
    members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      int eventBusPort = NodeProcess.freePort();
      eventBusPorts.add(eventBusPort);
      JsonObject config = nodeConfig(ports.get(i), eventBusPort, certs.member("node" + i));
      starting.add(
          CompletableFuture.supplyAsync(() -> NodeProcess.start(dir, config, List.of(), Map.of())));
    }
    starting.forEach(start -> nodes.add(start.join()));
    ClusterCerts.Member member = certs.member("service");
    service = ServiceProcess.start(
            dir, "service", serviceSpec(member, member.joinAttributes(CLUSTER)))
        .awaitReady();
    Await.until(
        () -> nodes.stream().allMatch(n -> members(n) == NODES + 1),
        Duration.ofSeconds(30),
        "every node sees the three nodes and the service");
  }

  @AfterAll
  static void stopCluster() {
    if (service != null) {
      service.close();
    }
    nodes.parallelStream().forEach(NodeProcess::close);
    if (vertx != null) {
      vertx.close();
    }
  }

  private static JsonObject nodeConfig(int port, int eventBusPort, ClusterCerts.Member member) {
    return redis
        .brokerConfig("bus-" + CLUSTER)
        .put(
            "cluster",
            new JsonObject()
                .put("enabled", true)
                .put("name", CLUSTER)
                .put("host", "127.0.0.1")
                .put("port", port)
                .put("eventBusPort", eventBusPort)
                .put("members", new JsonArray(members))
                .put("tls", member.tls()))
        // one new channel per WebSocket connection: the broker refuses the second
        .put("limits", new JsonObject().put("newChannelsPerSecond", 1).put("newChannelsBurst", 1))
        .put(
            "namespaces",
            new JsonObject()
                .put("", new JsonObject().put("bus", new JsonObject().put("messages", true)))
                .put(
                    "chat",
                    new JsonObject()
                        .put("presence", true)
                        .put(
                            "schema",
                            new JsonObject()
                                .put("type", "object")
                                .put("required", new JsonArray().add("text")))
                        .put("bus", new JsonObject().put("messages", true).put("presence", true)))
                .put("quiet", new JsonObject())
                .put(
                    "moderated",
                    new JsonObject()
                        .put(
                            "hooks",
                            new JsonObject().put("publish", "bus:" + MODERATION_ADDRESS))));
  }

  private static JsonObject serviceSpec(
      ClusterCerts.Member member, Map<String, String> attributes) {
    return new JsonObject()
        .put("name", CLUSTER)
        .put("host", "127.0.0.1")
        .put("port", NodeProcess.freePort())
        .put("members", new JsonArray(members))
        .put("tls", member.tls())
        .put("attributes", new JsonObject(Map.copyOf(attributes)));
  }

  private static int members(NodeProcess node) {
    return (int) node.metric("switchboard_cluster_members");
  }

  private static double busPublishes(NodeProcess node) {
    return node.metric("switchboard_messages_published_total{path=\"bus\"}");
  }

  private static int requests;

  /** A publish from the service over {@code switchboard.publish}; its answer line. */
  private static JsonObject publishFromService(String channel, Object data) {
    int id = ++requests;
    service.send(new JsonObject()
        .put("op", "publish")
        .put("id", id)
        .put("body", new JsonObject().put("channel", channel).put("data", data)));
    return service.await(line -> Integer.valueOf(id).equals(line.getInteger("id")), 15_000);
  }

  /**
   * Registers a consumer of {@code address} in the service, and returns once every node has
   * delivered to it: a registration reaches the other members' caches through Hazelcast a moment
   * after it is made, and no event says when, so each node publishes probes until one arrives.
   */
  private static void consume(String address, String namespace) {
    service.send(new JsonObject().put("op", "consume").put("address", address));
    service.await(line -> address.equals(line.getString("consuming")), 15_000);
    for (int i = 0; i < NODES; i++) {
      String probe = (namespace.isEmpty() ? "" : namespace + ":") + "probe-" + address + "-" + i;
      WsClient ws = WsClient.welcomed(vertx, nodes.get(i).port());
      Runnable send = address.startsWith("switchboard.presence")
          ? () -> {
            ws.subscribe(probe);
            ws.request(new JsonObject().put("type", "unsubscribe").put("channel", probe));
          }
          : () -> ws.publish(probe, new JsonObject().put("text", "probe"));
      try {
        untilArrives(send, busMessage(address, probe));
      } finally {
        ws.close();
      }
    }
  }

  private static void untilArrives(Runnable send, Predicate<JsonObject> arrival) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      send.run();
      try {
        service.await(arrival, 500);
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private static Predicate<JsonObject> busMessage(String address, String channel) {
    return line -> address.equals(line.getString("address"))
        && channel.equals(line.getJsonObject("body").getString("channel"));
  }

  @Test
  void aServicePublishReachesSubscribersOnEveryNodeOnceAndRequestsSpreadOverTheNodes() {
    String channel = "news-spread";
    List<WsClient> subscribers = new ArrayList<>();
    for (NodeProcess node : nodes) {
      WsClient ws = WsClient.welcomed(vertx, node.port());
      ws.subscribe(channel);
      subscribers.add(ws);
    }
    List<Double> before =
        nodes.stream().map(ClusteredEventBusTest::busPublishes).toList();
    int count = 3 * NODES;
    List<String> offsets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonObject answer = publishFromService(channel, new JsonObject().put("n", i));
      assertNotNull(answer.getJsonObject("reply"), "acked: " + answer);
      offsets.add(answer.getJsonObject("reply").getString("offset"));
    }
    for (WsClient ws : subscribers) {
      for (int i = 0; i < count; i++) {
        JsonObject message = ws.nextMessage(channel);
        assertEquals(offsets.get(i), message.getString("offset"));
        assertEquals(i, message.getJsonObject("data").getInteger("n"));
      }
    }
    for (WsClient ws : subscribers) {
      ws.expectNo("message");
      ws.close();
    }
    for (int i = 0; i < NODES; i++) {
      assertTrue(
          busPublishes(nodes.get(i)) > before.get(i),
          "node " + i + " answered some of the " + count + " requests");
    }
  }

  @Test
  void aServicePublishFailsWithTheProtocolErrorCodeAsALocalVerticleSees() {
    JsonObject unknown = publishFromService("nope:x", 1);
    assertEquals("unknown_channel", unknown.getString("failure"), unknown.encode());
    assertEquals(404, unknown.getInteger("status"));
    JsonObject invalid = publishFromService("chat:bad", new JsonObject().put("no", "text"));
    assertEquals("invalid_payload", invalid.getString("failure"), invalid.encode());
    assertEquals(400, invalid.getInteger("status"));
  }

  @Test
  void aBusConsumerGetsEachAcceptedMessageExactlyOnceFromThreeNodes() {
    String address = "switchboard.messages.chat";
    String channel = "chat:exactly-once";
    consume(address, "chat");
    List<JsonObject> acks = new ArrayList<>();
    List<WsClient> publishers = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      WsClient ws = WsClient.welcomed(vertx, nodes.get(i).port());
      publishers.add(ws);
      for (int n = 0; n < 5; n++) {
        JsonObject ack = ws.publish(channel, new JsonObject().put("text", "node " + i + " #" + n));
        assertEquals("ack", ack.getString("type"), ack.encode());
        acks.add(ack);
      }
    }
    // every other path too: HTTP on one node, the event bus (answered by any node)
    String httpOffset = new JsonObject(nodes
            .get(1)
            .post(
                "/api/publish",
                new JsonObject()
                    .put("channel", channel)
                    .put("data", new JsonObject().put("text", "http"))
                    .encode())
            .body())
        .getString("offset");
    String busOffset = publishFromService(channel, new JsonObject().put("text", "bus"))
        .getJsonObject("reply")
        .getString("offset");

    // refused before the broker (schema) and by the broker (a second new channel): nothing
    WsClient refused = WsClient.welcomed(vertx, nodes.get(2).port());
    publishers.add(refused);
    assertEquals(
        "invalid_payload",
        refused.publish(channel, new JsonObject().put("nope", 1)).getString("code"));
    assertEquals(
        "ack",
        refused
            .publish("chat:first-new-channel", new JsonObject().put("text", "x"))
            .getString("type"));
    assertEquals(
        "rate_limited",
        refused
            .publish("chat:second-new-channel", new JsonObject().put("text", "x"))
            .getString("code"));

    Set<String> expected = new HashSet<>();
    acks.forEach(ack -> expected.add(ack.getString("offset")));
    expected.add(httpOffset);
    expected.add(busOffset);
    assertEquals(3 * 5 + 2, expected.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < expected.size(); i++) {
      JsonObject body = service.await(busMessage(address, channel), 15_000).getJsonObject("body");
      assertTrue(seen.add(body.getString("offset")), "a second copy of " + body.encode());
      assertTrue(body.getLong("ts") > 0, body.encode());
      assertTrue(body.getJsonObject("data").containsKey("text"), body.encode());
      assertTrue(body.containsKey("publisher"), body.encode());
    }
    assertEquals(expected, seen);
    service.expectNone(busMessage(address, channel), QUIET_MS, "second copy");
    service.expectNone(
        busMessage(address, "chat:second-new-channel"),
        0,
        "message for a publish the broker refused");
    publishers.forEach(WsClient::close);
  }

  @Test
  void theDefaultNamespaceIsOnTheBareAddressAndQuietNamespacesAreNotOnTheBus() {
    consume("switchboard.messages", "");
    service.send(
        new JsonObject().put("op", "consume").put("address", "switchboard.messages.quiet"));
    service.await(line -> "switchboard.messages.quiet".equals(line.getString("consuming")), 15_000);
    // the channels exist already (the event bus creates them freely): HTTP creates none here
    publishFromService("bare", 0);
    publishFromService("quiet:x", 0);
    service.await(busMessage("switchboard.messages", "bare"), 15_000);
    String offset = nodes
        .get(0)
        .post("/api/publish", "{\"channel\":\"bare\",\"data\":{\"user\":\"u1\"}}")
        .body();
    JsonObject body =
        service.await(busMessage("switchboard.messages", "bare"), 15_000).getJsonObject("body");
    assertEquals(new JsonObject(offset).getString("offset"), body.getString("offset"));
    assertEquals(new JsonObject().put("user", "u1"), body.getJsonObject("data"));
    assertTrue(
        body.containsKey("publisher") && body.getValue("publisher") == null,
        "the HTTP API publishes as the server, without publisher: " + body.encode());
    nodes.get(0).post("/api/publish", "{\"channel\":\"quiet:x\",\"data\":1}");
    service.expectNone(
        line -> "switchboard.messages.quiet".equals(line.getString("address")),
        QUIET_MS,
        "message of a namespace without bus.messages");
  }

  @Test
  void joinsAndLeavesAreOnTheBusOncePerUser() {
    String address = "switchboard.presence.chat";
    String channel = "chat:presence-bus";
    consume(address, "chat");
    WsClient first = WsClient.welcomed(vertx, nodes.get(0).port());
    WsClient second = WsClient.welcomed(vertx, nodes.get(2).port());
    first.subscribe(channel);
    JsonObject join = service.await(busMessage(address, channel), 15_000).getJsonObject("body");
    assertEquals(
        new JsonObject().put("channel", channel).put("type", "join").put("user", ""), join);
    second.subscribe(channel); // the same (anonymous) user: not a join
    first.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
    second.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
    JsonObject leave = service.await(busMessage(address, channel), 15_000).getJsonObject("body");
    assertEquals("leave", leave.getString("type"), "the second connection's subscribe was no join");
    first.close();
    second.close();
  }

  @Test
  void aServiceAnswersPublishHooksOverTheClusteredBus() {
    service.send(new JsonObject()
        .put("op", "hook")
        .put("address", MODERATION_ADDRESS)
        .put("answer", new JsonObject().put("allow", true))
        .put(
            "byText",
            new JsonObject()
                .put(
                    "deny",
                    new JsonObject()
                        .put("allow", false)
                        .put("code", "forbidden")
                        .put("message", "moderated"))
                .put(
                    "swap",
                    new JsonObject()
                        .put("allow", true)
                        .put("data", new JsonObject().put("text", "swapped")))));
    service.await(line -> MODERATION_ADDRESS.equals(line.getString("hooking")), 15_000);
    for (int i = 0; i < NODES; i++) {
      String channel = "moderated:room-" + i;
      WsClient ws = WsClient.welcomed(vertx, nodes.get(i).port());
      try {
        ws.subscribe(channel);
        // the service's registration reaches each node through Hazelcast a moment after it is
        // made: until then the hook has no handler there, and the publish is unavailable
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonObject probe = ws.publish(channel, new JsonObject().put("text", "probe"));
        while (!"ack".equals(probe.getString("type")) && System.nanoTime() < deadline) {
          assertEquals("unavailable", probe.getString("code"), probe.encode());
          probe = ws.publish(channel, new JsonObject().put("text", "probe"));
        }
        assertEquals("ack", probe.getString("type"), "node " + i + ": " + probe.encode());
        assertEquals("probe", ws.nextMessage(channel).getJsonObject("data").getString("text"));

        JsonObject allowed = ws.publish(channel, new JsonObject().put("text", "hello"));
        assertEquals("ack", allowed.getString("type"), allowed.encode());
        assertEquals("hello", ws.nextMessage(channel).getJsonObject("data").getString("text"));
        JsonObject denied = ws.publish(channel, new JsonObject().put("text", "deny"));
        assertEquals("forbidden", denied.getString("code"), denied.encode());
        assertEquals("moderated", denied.getString("message"));
        JsonObject replaced = ws.publish(channel, new JsonObject().put("text", "swap"));
        JsonObject message = ws.nextMessage(channel);
        assertEquals(replaced.getString("offset"), message.getString("offset"));
        assertEquals("swapped", message.getJsonObject("data").getString("text"));
        ws.expectNo("message");
      } finally {
        ws.close();
      }
      JsonObject request = service
          .await(
              line -> MODERATION_ADDRESS.equals(line.getString("address"))
                  && "swap"
                      .equals(
                          line.getJsonObject("request").getJsonObject("data").getString("text")),
              15_000)
          .getJsonObject("request");
      assertEquals("publish", request.getString("hook"));
      assertEquals(channel, request.getString("channel"));
      assertEquals("ws", request.getString("transport"));
    }
  }

  @Test
  void aMemberWithoutTheTrustedCertificateCanNeitherJoinNorPublish() {
    ClusterCerts.Member intruder = ClusterCerts.create(dir, "evil").member("mallory");
    try (ServiceProcess mallory = ServiceProcess.start(
        dir, "mallory", serviceSpec(intruder, intruder.joinAttributes(CLUSTER)))) {
      JsonObject ready = mallory.await(line -> line.containsKey("ready"), 60_000);
      assertFalse(ready.getBoolean("ready"), "refused: " + ready);
      assertEquals(3, mallory.awaitExit(30_000));
    }
    for (NodeProcess node : nodes) {
      assertEquals(NODES + 1, members(node), "the cluster is still the nodes and the service");
    }
    assertTrue(
        nodes.stream().anyMatch(n -> n.output().contains("may not join")),
        "the master says why it refused");
    // nor can it reach the event bus directly: the node wants a certificate its CA signed
    for (int port : eventBusPorts) {
      assertTrue(rejected(port, intruder), "event bus port " + port + " refuses the intruder");
    }
  }

  /** A TLS connection to an event-bus port with {@code member}'s certificate is closed on it. */
  private static boolean rejected(int port, ClusterCerts.Member member) {
    Promise<Boolean> outcome = Promise.promise();
    vertx
        .createNetClient(new NetClientOptions()
            .setSsl(true)
            .setTrustAll(true)
            .setHostnameVerificationAlgorithm("")
            .setKeyCertOptions(new PemKeyCertOptions()
                .setKeyPath(member.key().toString())
                .setCertPath(member.cert().toString())))
        .connect(port, "127.0.0.1")
        .onFailure(err -> outcome.tryComplete(true))
        .onSuccess((NetSocket socket) -> {
          socket.closeHandler(v -> outcome.tryComplete(true));
          socket.handler(data -> outcome.tryComplete(false));
          // a frame of the cluster protocol would follow; the server must not read it
          socket.write("ping");
        });
    return Await.result(outcome.future(), Duration.ofSeconds(15));
  }
}

package io.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.HooksConfig.HookTarget;
import io.switchboard.config.Sections.AuthConfig;
import io.switchboard.config.Sections.BrokerType;
import io.switchboard.config.Sections.DrainConfig;
import io.switchboard.config.Sections.HeartbeatConfig;
import io.switchboard.config.Sections.HttpConfig;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.config.Sections.MemoryConfig;
import io.switchboard.config.Sections.PresenceConfig;
import io.switchboard.config.Sections.ReaperConfig;
import io.switchboard.config.Sections.RedisConfig;
import io.switchboard.config.Sections.RedisMode;
import io.switchboard.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ConfigLoader: every problem named by its key, env overrides, comments, the shipped defaults. */
@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {
  @TempDir
  Path dir;

  private static JsonObject json(String text) {
    return new JsonObject(text);
  }

  private SwitchboardConfig load(Vertx vertx, JsonObject json, Map<String, String> env) {
    return Await.result(ConfigLoader.fromJson(vertx, json, env, dir));
  }

  private List<String> problems(Vertx vertx, JsonObject json, Map<String, String> env) {
    Throwable failure = Await.failure(ConfigLoader.fromJson(vertx, json, env, dir));
    return assertInstanceOf(ConfigException.class, failure).problems();
  }

  private static void assertNamed(List<String> problems, String key, String alsoContains) {
    assertTrue(
        problems.stream().anyMatch(p -> p.startsWith(key + ": ") || p.startsWith(key + " (from ")),
        "a problem names " + key + ": " + problems);
    if (alsoContains != null) {
      assertTrue(
          problems.stream().anyMatch(p -> p.startsWith(key) && p.contains(alsoContains)),
          "the problem of " + key + " says " + alsoContains + ": " + problems);
    }
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("unknown top-level key", "{\"htp\": {}}", "htp", "unknown key"),
        Arguments.of(
            "unknown nested key", "{\"http\": {\"prot\": 8080}}", "http.prot", "unknown key"),
        Arguments.of(
            "unknown redis key",
            "{\"broker\": {\"redis\": {\"url\": \"x\"}}}",
            "broker.redis.url",
            "unknown key"),
        Arguments.of(
            "unknown namespace option",
            "{\"namespaces\": {\"chat\": {\"presense\": true}}}",
            "namespaces.chat.presense",
            "unknown key"),
        Arguments.of(
            "unknown history option",
            "{\"namespaces\": {\"x\": {\"history\": {\"length\": 5}}}}",
            "namespaces.x.history.length",
            "unknown key"),
        Arguments.of(
            "uniqueItems in a schema",
            "{\"namespaces\": {\"x\": {\"schema\": {\"type\": \"object\", \"properties\":"
                + " {\"tags\": {\"type\": \"array\", \"uniqueItems\": true}}}}}}",
            "namespaces.x.schema",
            "uniqueItems"),
        Arguments.of(
            "joinLeave without presence",
            "{\"namespaces\": {\"x\": {\"joinLeave\": true}}}",
            "namespaces.x.joinLeave",
            "presence"),
        Arguments.of("port too big", "{\"http\": {\"port\": 70000}}", "http.port", "70000"),
        Arguments.of("port negative", "{\"http\": {\"port\": -1}}", "http.port", null),
        Arguments.of("port a string", "{\"http\": {\"port\": \"abc\"}}", "http.port", "abc"),
        Arguments.of("port a fraction", "{\"http\": {\"port\": 80.5}}", "http.port", null),
        Arguments.of("section not an object", "{\"http\": 8080}", "http", null),
        Arguments.of(
            "boolean as a string", "{\"auth\": {\"anonymous\": \"yes\"}}", "auth.anonymous", null),
        Arguments.of("host a number", "{\"http\": {\"host\": 1}}", "http.host", null),
        Arguments.of(
            "origins not an array",
            "{\"http\": {\"allowedOrigins\": \"*\"}}",
            "http.allowedOrigins",
            null),
        Arguments.of(
            "apiKeys holding a number",
            "{\"auth\": {\"apiKeys\": [\"k\", 5]}}",
            "auth.apiKeys",
            null),
        Arguments.of(
            "negative limit",
            "{\"limits\": {\"maxFrameBytes\": -5}}",
            "limits.maxFrameBytes",
            null),
        Arguments.of(
            "messagesBurst below messagesPerSecond",
            "{\"limits\": {\"messagesPerSecond\": 100, \"messagesBurst\": 10}}",
            "limits.messagesBurst",
            "messagesPerSecond"),
        Arguments.of(
            "apiPublishesBurst below apiPublishesPerSecond",
            "{\"limits\": {\"apiPublishesPerSecond\": 50, \"apiPublishesBurst\": 10}}",
            "limits.apiPublishesBurst",
            "apiPublishesPerSecond"),
        Arguments.of(
            "apiPublishesPerSecond without a burst",
            "{\"limits\": {\"apiPublishesPerSecond\": 50}}",
            "limits.apiPublishesBurst",
            "was 0"),
        Arguments.of(
            "newChannelsBurst below newChannelsPerSecond",
            "{\"limits\": {\"newChannelsPerSecond\": 50, \"newChannelsBurst\": 10}}",
            "limits.newChannelsBurst",
            "newChannelsPerSecond"),
        Arguments.of(
            "memory budget under 1 MiB",
            "{\"broker\": {\"memory\": {\"maxBytes\": 1000}}}",
            "broker.memory.maxBytes",
            "1048576"),
        Arguments.of(
            "memory budget not a number",
            "{\"broker\": {\"memory\": {\"maxBytes\": \"16m\"}}}",
            "broker.memory.maxBytes",
            "whole number"),
        Arguments.of(
            "no channels allowed",
            "{\"broker\": {\"memory\": {\"maxChannels\": 0}}}",
            "broker.memory.maxChannels",
            null),
        Arguments.of(
            "unknown memory key",
            "{\"broker\": {\"memory\": {\"maxEntries\": 5}}}",
            "broker.memory.maxEntries",
            "unknown key"),
        Arguments.of(
            "readsBurst below readsPerSecond",
            "{\"limits\": {\"readsPerSecond\": 50, \"readsBurst\": 10}}",
            "limits.readsBurst",
            "readsPerSecond"),
        Arguments.of(
            "apiReadsBurst below apiReadsPerSecond",
            "{\"limits\": {\"apiReadsPerSecond\": 5000, \"apiReadsBurst\": 100}}",
            "limits.apiReadsBurst",
            "apiReadsPerSecond"),
        Arguments.of(
            "negative readsPerSecond",
            "{\"limits\": {\"readsPerSecond\": -1}}",
            "limits.readsPerSecond",
            null),
        Arguments.of(
            "apiReadsPerSecond a string",
            "{\"limits\": {\"apiReadsPerSecond\": \"many\"}}",
            "limits.apiReadsPerSecond",
            "many"),
        Arguments.of(
            "negative requestHeaderTimeoutMs",
            "{\"http\": {\"requestHeaderTimeoutMs\": -1}}",
            "http.requestHeaderTimeoutMs",
            null),
        Arguments.of(
            "requestHeaderTimeoutMs a fraction",
            "{\"http\": {\"requestHeaderTimeoutMs\": 1.5}}",
            "http.requestHeaderTimeoutMs",
            "whole number"),
        Arguments.of(
            "negative apiPublishesPerSecond",
            "{\"limits\": {\"apiPublishesPerSecond\": -1}}",
            "limits.apiPublishesPerSecond",
            null),
        Arguments.of(
            "heartbeat timeout equal to interval",
            "{\"heartbeat\": {\"intervalMs\": 1000, \"timeoutMs\": 1000}}",
            "heartbeat.timeoutMs",
            "intervalMs"),
        Arguments.of(
            "heartbeat timeout below interval",
            "{\"heartbeat\": {\"intervalMs\": 1000, \"timeoutMs\": 500}}",
            "heartbeat.timeoutMs",
            null),
        Arguments.of(
            "bad publish policy",
            "{\"namespaces\": {\"x\": {\"publish\": \"everyone\"}}}",
            "namespaces.x.publish",
            "everyone"),
        Arguments.of(
            "bad subscribe policy",
            "{\"namespaces\": {\"x\": {\"subscribe\": 1}}}",
            "namespaces.x.subscribe",
            null),
        Arguments.of(
            "schema neither path nor object",
            "{\"namespaces\": {\"x\": {\"schema\": 5}}}",
            "namespaces.x.schema",
            null),
        Arguments.of(
            "bad broker type", "{\"broker\": {\"type\": \"mongo\"}}", "broker.type", "mongo"),
        Arguments.of(
            "redis URL without redis://",
            "{\"broker\": {\"redis\": {\"connectionString\": \"localhost:6379\"}}}",
            "broker.redis.connectionString",
            "localhost:6379"),
        Arguments.of(
            "bad redis mode",
            "{\"broker\": {\"redis\": {\"mode\": \"ring\"}}}",
            "broker.redis.mode",
            "ring"),
        Arguments.of(
            "redis timeout too small",
            "{\"broker\": {\"redis\": {\"timeoutMs\": 1}}}",
            "broker.redis.timeoutMs",
            null),
        Arguments.of(
            "unreadable redis CA file",
            "{\"broker\": {\"redis\": {\"tlsCaFile\": \"no/such/ca.pem\"}}}",
            "broker.redis.tlsCaFile",
            "cannot read"),
        Arguments.of(
            "bad jwt algorithm",
            "{\"auth\": {\"jwt\": {\"keys\": [{\"algorithm\": \"none\"}]}}}",
            "auth.jwt.keys[0].algorithm",
            null),
        Arguments.of(
            "bad namespace name", "{\"namespaces\": {\"a b\": {}}}", "namespaces.a b", null),
        Arguments.of(
            "unreadable schema file",
            "{\"namespaces\": {\"x\": {\"schema\": \"no/such/schema.json\"}}}",
            "namespaces.x.schema",
            "cannot read"),
        Arguments.of(
            "cluster with the memory broker",
            "{\"cluster\": {\"enabled\": true}}",
            "cluster.enabled",
            "broker.type"),
        Arguments.of(
            "cluster member not host:port",
            "{\"cluster\": {\"members\": [\"10.0.0.1\"]}}",
            "cluster.members",
            "10.0.0.1"),
        Arguments.of(
            "cluster host that is no address",
            "{\"cluster\": {\"host\": \"0.0.0.0\"}}",
            "cluster.host",
            "0.0.0.0"),
        Arguments.of("cluster port zero", "{\"cluster\": {\"port\": 0}}", "cluster.port", null),
        Arguments.of(
            "cluster name beside a Hazelcast file",
            "{\"cluster\": {\"configFile\": \"hz.xml\", \"name\": \"a\"}}",
            "cluster.name",
            "configFile"),
        Arguments.of(
            "cluster TLS without a CA",
            "{\"cluster\": {\"tls\": {\"keyFile\": \"k\", \"certFile\": \"c\"}}}",
            "cluster.tls.caFile",
            "PEM"),
        Arguments.of(
            "unreadable cluster TLS file",
            "{\"cluster\": {\"tls\": {\"keyFile\": \"no/k.pem\", \"certFile\": \"no/c.pem\","
                + " \"caFile\": \"no/ca.pem\"}}}",
            "cluster.tls.keyFile",
            "cannot read"),
        Arguments.of(
            "unreadable Hazelcast file",
            "{\"cluster\": {\"configFile\": \"no/hazelcast.xml\"}}",
            "cluster.configFile",
            "cannot read"),
        Arguments.of(
            "unknown cluster key",
            "{\"cluster\": {\"multicast\": true}}",
            "cluster.multicast",
            "unknown key"),
        Arguments.of(
            "verticles not an array", "{\"verticles\": {\"class\": \"a.B\"}}", "verticles", null),
        Arguments.of(
            "verticle without a class",
            "{\"verticles\": [{\"instances\": 1}]}",
            "verticles[0].class",
            "class name"),
        Arguments.of(
            "verticle with no instances",
            "{\"verticles\": [{\"class\": \"a.B\", \"instances\": 0}]}",
            "verticles[0].instances",
            null),
        Arguments.of(
            "verticle config not an object",
            "{\"verticles\": [{\"class\": \"a.B\", \"config\": \"x=1\"}]}",
            "verticles[0].config",
            "object"),
        Arguments.of(
            "unknown verticle key",
            "{\"verticles\": [{\"class\": \"a.B\", \"worker\": true}]}",
            "verticles[0].worker",
            "unknown key"),
        Arguments.of(
            "bus presence without presence",
            "{\"namespaces\": {\"x\": {\"bus\": {\"presence\": true}}}}",
            "namespaces.x.bus.presence",
            "presence: true"),
        Arguments.of(
            "unknown bus key",
            "{\"namespaces\": {\"x\": {\"bus\": {\"joins\": true}}}}",
            "namespaces.x.bus.joins",
            "unknown key"),
        Arguments.of(
            "connect hook neither bus nor URL",
            "{\"hooks\": {\"connect\": \"acme.connect\"}}",
            "hooks.connect",
            "\"bus:<event-bus address>\" or an http:// or https:// URL"),
        Arguments.of(
            "connect hook with an empty bus address",
            "{\"hooks\": {\"connect\": \"bus:\"}}",
            "hooks.connect",
            "bus:"),
        Arguments.of(
            "hook URL of another scheme",
            "{\"hooks\": {\"connect\": \"ftp://acme/connect\"}}",
            "hooks.connect",
            "ftp://"),
        Arguments.of(
            "hook URL without a host",
            "{\"hooks\": {\"connect\": \"http:///connect\"}}",
            "hooks.connect",
            "http:///connect"),
        Arguments.of(
            "hook timeout zero", "{\"hooks\": {\"timeoutMs\": 0}}", "hooks.timeoutMs", "was 0"),
        Arguments.of(
            "hook maxInFlight zero",
            "{\"hooks\": {\"maxInFlight\": 0}}",
            "hooks.maxInFlight",
            "was 0"),
        Arguments.of(
            "hook failure policy unknown",
            "{\"hooks\": {\"onFailure\": \"retry\"}}",
            "hooks.onFailure",
            "[deny, allow]"),
        Arguments.of(
            "unknown hooks key",
            "{\"hooks\": {\"publish\": \"bus:a\"}}",
            "hooks.publish",
            "unknown key"),
        Arguments.of(
            "publish hook a number",
            "{\"namespaces\": {\"x\": {\"hooks\": {\"publish\": 1}}}}",
            "namespaces.x.hooks.publish",
            "must be a string"),
        Arguments.of(
            "subscribe hook with a space in its address",
            "{\"namespaces\": {\"x\": {\"hooks\": {\"subscribe\": \"bus:acme sub\"}}}}",
            "namespaces.x.hooks.subscribe",
            "bus:acme sub"),
        Arguments.of(
            "unknown namespace hooks key",
            "{\"namespaces\": {\"x\": {\"hooks\": {\"connect\": \"bus:a\"}}}}",
            "namespaces.x.hooks.connect",
            "unknown key"));
  }

  @Test
  void hookTargetsAreReadByKind(Vertx vertx) {
    SwitchboardConfig config = load(
        vertx,
        json("{\"hooks\": {\"connect\": \"https://app.example/hooks/connect\", \"timeoutMs\": 250,"
            + " \"maxInFlight\": 10, \"onFailure\": \"allow\"}, \"namespaces\": {\"x\":"
            + " {\"hooks\": {\"subscribe\": \"bus:acme.subscribe\", \"publish\":"
            + " \"http://127.0.0.1:9/p\"}}}}"),
        Map.of());
    assertEquals(
        new HooksConfig(
            new HookTarget(HookTarget.Kind.HTTP, "https://app.example/hooks/connect"),
            250,
            10,
            HooksConfig.FailurePolicy.ALLOW),
        config.hooks());
    assertEquals(
        new HooksConfig.NamespaceHooks(
            new HookTarget(HookTarget.Kind.BUS, "acme.subscribe"),
            new HookTarget(HookTarget.Kind.HTTP, "http://127.0.0.1:9/p")),
        config.namespace("x").hooks());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void badConfigFailsNamingTheKey(
      String name, String config, String key, String says, Vertx vertx) {
    assertNamed(problems(vertx, json(config), Map.of()), key, says);
  }

  @Test
  void aPropertyNamedUniqueItemsIsNotTheKeyword(Vertx vertx) {
    JsonObject config = json("{\"namespaces\": {\"x\": {\"schema\": {\"type\": \"object\","
        + " \"properties\": {\"uniqueItems\": true}}}}}");
    assertNotNull(load(vertx, config, Map.of()).namespace("x").schema());
  }

  @Test
  void schemaFileThatIsNotJsonIsNamed(Vertx vertx) throws IOException {
    Files.writeString(dir.resolve("broken.json"), "{ this is not json");
    Files.writeString(dir.resolve("array.json"), "[1, 2]");
    List<String> problems = problems(
        vertx,
        json("{\"namespaces\": {"
            + "\"x\": {\"schema\": \"broken.json\"}, \"y\": {\"schema\": \"array.json\"}}}"),
        Map.of());
    assertNamed(problems, "namespaces.x.schema", "broken.json");
    assertNamed(problems, "namespaces.y.schema", "array.json");
  }

  @Test
  void schemaPathIsRelativeToTheBaseDir(Vertx vertx) throws IOException {
    Files.createDirectories(dir.resolve("schemas"));
    Files.writeString(dir.resolve("schemas/x.json"), "{\"type\": \"object\"}");
    SwitchboardConfig config =
        load(vertx, json("{\"namespaces\": {\"x\": {\"schema\": \"schemas/x.json\"}}}"), Map.of());
    assertEquals(json("{\"type\": \"object\"}"), config.namespace("x").schema());
  }

  @Test
  void everyProblemIsReportedAtOnce(Vertx vertx) {
    List<String> problems = problems(
        vertx,
        json("{\"htp\": 1, \"http\": {\"port\": 70000},"
            + " \"limits\": {\"messagesPerSecond\": 10, \"messagesBurst\": 5}}"),
        Map.of());
    assertNamed(problems, "htp", null);
    assertNamed(problems, "http.port", null);
    assertNamed(problems, "limits.messagesBurst", null);
    assertEquals(3, problems.size(), problems.toString());
  }

  @Test
  void keysStartingWithSlashesAreComments(Vertx vertx) {
    SwitchboardConfig config = load(
        vertx,
        json("{\"//\": \"top comment\","
            + " \"http\": {\"//port\": \"the port\", \"port\": 1234},"
            + " \"namespaces\": {\"//\": \"about namespaces\", \"x\": {\"//history\": 1}}}"),
        Map.of());
    assertEquals(1234, config.http().port());
    assertEquals(Set.of("x"), config.namespaces().keySet());
  }

  @Test
  void emptyConfigTakesEveryDefault(Vertx vertx) {
    SwitchboardConfig config = load(vertx, new JsonObject(), Map.of());
    assertEquals(HttpConfig.DEFAULT_PORT, config.http().port());
    assertEquals(LimitsConfig.DEFAULT_MAX_BODY_BYTES, config.limits().maxBodyBytes());
    assertTrue(config.namespaces().isEmpty());
    assertTrue(config.nodeId().length() > 0, "a random node id");
  }

  @Test
  void environmentOverridesApply(Vertx vertx) {
    SwitchboardConfig config = load(
        vertx,
        json("{\"http\": {\"port\": 1000}}"),
        Map.of(
            "SWITCHBOARD_HTTP_PORT", "9090",
            "SWITCHBOARD_HTTP_HOST", "127.0.0.1",
            "SWITCHBOARD_NODE_ID", "env-node",
            "SWITCHBOARD_BROKER_TYPE", "redis",
            "SWITCHBOARD_REDIS_URL", "redis://cache:6380",
            "SWITCHBOARD_REDIS_PREFIX", "sbx",
            "SWITCHBOARD_AUTH_ANONYMOUS", "false",
            "SWITCHBOARD_API_KEYS", "k1, k2,",
            "SWITCHBOARD_ALLOWED_ORIGINS", "https://a.example,https://b.example",
            "SWITCHBOARD_JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret"));
    assertEquals(9090, config.http().port());
    assertEquals("127.0.0.1", config.http().host());
    assertEquals("env-node", config.nodeId());
    assertEquals(BrokerType.REDIS, config.broker().type());
    assertEquals(List.of("redis://cache:6380"), config.broker().redis().endpoints());
    assertEquals("sbx", config.broker().redis().prefix());
    assertEquals(false, config.auth().anonymous());
    assertEquals(List.of("k1", "k2"), config.auth().apiKeys());
    assertEquals(
        List.of("https://a.example", "https://b.example"), config.http().allowedOrigins());
    assertEquals(1, config.auth().jwt().keys().size());
    assertEquals("HS256", config.auth().jwt().keys().get(0).algorithm());
    assertEquals(
        "s3cret-s3cret-s3cret-s3cret-s3cret", config.auth().jwt().keys().get(0).secret());
  }

  static Stream<Arguments> badEnvironment() {
    return Stream.of(
        Arguments.of("port not a number", "SWITCHBOARD_HTTP_PORT", "abc", "http.port"),
        Arguments.of("port out of range", "SWITCHBOARD_HTTP_PORT", "70000", "http.port"),
        Arguments.of(
            "instances not a number", "SWITCHBOARD_HTTP_INSTANCES", "many", "http.instances"),
        Arguments.of(
            "anonymous not a boolean", "SWITCHBOARD_AUTH_ANONYMOUS", "maybe", "auth.anonymous"),
        Arguments.of("unknown broker type", "SWITCHBOARD_BROKER_TYPE", "kafka", "broker.type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEnvironment")
  void badEnvironmentValueNamesTheKey(
      String name, String variable, String value, String key, Vertx vertx) {
    assertNamed(problems(vertx, new JsonObject(), Map.of(variable, value)), key, value);
  }

  @Test
  void shippedConfigLoadsWithEveryDocumentedDefault(Vertx vertx) {
    SwitchboardConfig config =
        Await.result(ConfigLoader.load(vertx, Path.of("conf/switchboard.json")));
    assertEquals(HttpConfig.DEFAULT_HOST, config.http().host());
    assertEquals("0.0.0.0", config.http().host());
    assertEquals(8080, config.http().port());
    assertEquals(0, config.http().instances());
    assertEquals(List.of(), config.http().allowedOrigins());
    assertEquals(
        HttpConfig.DEFAULT_REQUEST_HEADER_TIMEOUT_MS, config.http().requestHeaderTimeoutMs());
    assertEquals(10_000, config.http().requestHeaderTimeoutMs());
    assertEquals(BrokerType.MEMORY, config.broker().type());
    assertEquals(List.of("redis://127.0.0.1:6379"), config.broker().redis().endpoints());
    assertEquals(RedisConfig.DEFAULT_PREFIX, config.broker().redis().prefix());
    assertEquals("sb", config.broker().redis().prefix());
    assertEquals(RedisMode.STANDALONE, config.broker().redis().mode());
    assertEquals(RedisConfig.DEFAULT_MASTER_NAME, config.broker().redis().masterName());
    assertEquals(null, config.broker().redis().password());
    assertEquals(RedisConfig.DEFAULT_META_TTL_MS, config.broker().redis().metaTtlMs());
    assertEquals(RedisConfig.DEFAULT_TIMEOUT_MS, config.broker().redis().timeoutMs());
    assertEquals(true, config.broker().redis().inbox());
    assertEquals(null, config.broker().redis().tlsCaFile());
    assertEquals(true, config.auth().anonymous());
    assertEquals(AuthConfig.DEFAULT_TIMEOUT_MS, config.auth().timeoutMs());
    assertEquals(5000, config.auth().timeoutMs());
    assertEquals(List.of(), config.auth().jwt().keys());
    assertNull(config.auth().jwt().jwksFile());
    assertEquals(List.of(), config.auth().apiKeys());
    assertEquals(new HeartbeatConfig(25_000, 60_000), config.heartbeat());
    assertEquals(
        new HeartbeatConfig(
            HeartbeatConfig.DEFAULT_INTERVAL_MS, HeartbeatConfig.DEFAULT_TIMEOUT_MS),
        config.heartbeat());
    assertEquals(new ReaperConfig(ReaperConfig.DEFAULT_INTERVAL_MS), config.reaper());
    assertEquals(5000, config.reaper().intervalMs());
    assertEquals(new PresenceConfig(30_000), config.presence());
    assertEquals(PresenceConfig.DEFAULT_TTL_MS, config.presence().ttlMs());
    assertEquals(
        new LimitsConfig(
            65_536, 1_048_576, 1000, 100, 0, 100, 200, 1_048_576, 5000, 0, 0, 20, 200, 200, 2000,
            1000, 10_000),
        config.limits());
    assertEquals(
        new LimitsConfig(
            LimitsConfig.DEFAULT_MAX_FRAME_BYTES,
            LimitsConfig.DEFAULT_MAX_BODY_BYTES,
            LimitsConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
            LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_USER,
            LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            LimitsConfig.DEFAULT_MESSAGES_PER_SECOND,
            LimitsConfig.DEFAULT_MESSAGES_BURST,
            LimitsConfig.DEFAULT_SEND_QUEUE_BYTES,
            LimitsConfig.DEFAULT_SLOW_CONSUMER_MS,
            LimitsConfig.DEFAULT_API_PUBLISHES_PER_SECOND,
            LimitsConfig.DEFAULT_API_PUBLISHES_BURST,
            LimitsConfig.DEFAULT_READS_PER_SECOND,
            LimitsConfig.DEFAULT_READS_BURST,
            LimitsConfig.DEFAULT_API_READS_PER_SECOND,
            LimitsConfig.DEFAULT_API_READS_BURST,
            LimitsConfig.DEFAULT_NEW_CHANNELS_PER_SECOND,
            LimitsConfig.DEFAULT_NEW_CHANNELS_BURST),
        config.limits());
    assertEquals(
        new MemoryConfig(Runtime.getRuntime().maxMemory() / 4, 1_000_000),
        config.broker().memory(),
        "null maxBytes: a quarter of the maximum heap");
    assertEquals(new DrainConfig(10_000), config.drain());
    assertEquals(DrainConfig.DEFAULT_WINDOW_MS, config.drain().windowMs());

    assertEquals(Set.of("", "chat", "feed"), config.namespaces().keySet());
    NamespaceConfig root = config.namespace("");
    assertEquals(AccessPolicy.ANYONE, root.subscribe());
    assertEquals(AccessPolicy.ANYONE, root.publish());
    assertEquals(new NamespaceConfig.HistoryConfig(100, 300_000), root.history());
    assertNull(root.schema());
    NamespaceConfig chat = config.namespace("chat");
    assertNotNull(chat.schema(), "schemas/chat.json is loaded, relative to conf/");
    assertEquals(new JsonArray().add("text"), chat.schema().getJsonArray("required"));
    assertEquals(new NamespaceConfig.HistoryConfig(1000, 3_600_000), chat.history());
    assertTrue(chat.presence());
    assertTrue(chat.joinLeave());
    assertEquals(NamespaceConfig.BusConfig.NONE, chat.bus());
    assertEquals(HooksConfig.NamespaceHooks.NONE, chat.hooks());
    assertEquals(HooksConfig.NamespaceHooks.NONE, root.hooks());
    assertEquals(HooksConfig.NONE, config.hooks());
    assertEquals(new HooksConfig(null, 1000, 1000, HooksConfig.FailurePolicy.DENY), config.hooks());
    assertEquals(
        new ClusterConfig(
            false,
            ClusterConfig.DEFAULT_NAME,
            ClusterConfig.DEFAULT_HOST,
            ClusterConfig.DEFAULT_PORT,
            List.of(),
            null,
            ClusterConfig.DEFAULT_EVENT_BUS_PORT,
            null),
        config.cluster());
    assertEquals(
        new ClusterConfig(false, "switchboard", "127.0.0.1", 5701, List.of(), null, 0, null),
        config.cluster());
    assertEquals(List.of(), config.plugins().verticles());
    assertEquals(
        Path.of("conf/plugins").toAbsolutePath().toString(), config.plugins().dir());
    NamespaceConfig feed = config.namespace("feed");
    assertEquals(AccessPolicy.SERVER, feed.publish());
    assertEquals(AccessPolicy.ANYONE, feed.subscribe());
    assertEquals(false, feed.presence());
  }

  @Test
  void clusterVerticlesAndBusAreReadWithFilesRelativeToTheBaseDir(Vertx vertx) throws IOException {
    for (String file : List.of("m.key", "m.crt", "ca.crt")) {
      Files.writeString(dir.resolve(file), "pem");
    }
    SwitchboardConfig config = load(vertx, json("""
        {"broker": {"type": "redis"},
         "cluster": {"enabled": true, "name": "prod", "host": "10.0.0.5", "port": 5801,
           "members": ["10.0.0.6:5801"], "eventBusPort": 5802,
           "tls": {"keyFile": "m.key", "certFile": "m.crt", "caFile": "ca.crt"}},
         "verticles": [{"class": "com.acme.ChatBot", "instances": 2, "config": {"a": 1}}],
         "namespaces": {"chat": {"presence": true, "bus": {"messages": true, "presence": true}}}}
        """), Map.of());
    assertEquals(
        new ClusterConfig(
            true,
            "prod",
            "10.0.0.5",
            5801,
            List.of("10.0.0.6:5801"),
            null,
            5802,
            new ClusterConfig.TlsConfig(
                dir.resolve("m.key").toString(),
                dir.resolve("m.crt").toString(),
                dir.resolve("ca.crt").toString())),
        config.cluster());
    assertEquals(
        new PluginsConfig(
            dir.resolve("plugins").toString(),
            List.of(new PluginsConfig.VerticleConfig(
                "com.acme.ChatBot", 2, new JsonObject().put("a", 1)))),
        config.plugins());
    assertEquals(
        new NamespaceConfig.BusConfig(true, true), config.namespace("chat").bus());
  }

  @Test
  void missingFileFailsWithOneProblemNamingIt(Vertx vertx) {
    Throwable failure = Await.failure(ConfigLoader.load(vertx, dir.resolve("nope.json")));
    List<String> problems = assertInstanceOf(ConfigException.class, failure).problems();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("nope.json"), problems.toString());
  }
}

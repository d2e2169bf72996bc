package io.switchboard.config;

import io.switchboard.config.NamespaceConfig.HistoryConfig;
import io.switchboard.config.Sections.AuthConfig;
import io.switchboard.config.Sections.BrokerConfig;
import io.switchboard.config.Sections.BrokerType;
import io.switchboard.config.Sections.DrainConfig;
import io.switchboard.config.Sections.HeartbeatConfig;
import io.switchboard.config.Sections.HttpConfig;
import io.switchboard.config.Sections.JwtConfig;
import io.switchboard.config.Sections.JwtKeyConfig;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.config.Sections.MemoryConfig;
import io.switchboard.config.Sections.PresenceConfig;
import io.switchboard.config.Sections.ReaperConfig;
import io.switchboard.config.Sections.RedisConfig;
import io.switchboard.config.Sections.RedisMode;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads the config file with vertx-config, applies {@link EnvOverrides}, reads the files it names
 * ({@link ConfigFiles}), then checks every key and builds each record once. Fails with one
 * {@link ConfigException} listing every problem.
 */
public final class ConfigLoader {
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-.@/=]{0,64}");
  private static final Set<String> ALGORITHMS = Set.of("HS256", "RS256", "ES256");

  private ConfigLoader() {}

  /** Loads {@code file} and the environment overrides; schema paths are relative to its folder. */
  public static Future<SwitchboardConfig> load(Vertx vertx, Path file) {
    return load(vertx, file, json -> {});
  }

  /**
   * {@link #load(Vertx, Path)}, with {@code commandLine} applied to the file's JSON before it is
   * checked (Main's {@code -cluster}), as the environment overrides are.
   */
  public static Future<SwitchboardConfig> load(
      Vertx vertx, Path file, Consumer<JsonObject> commandLine) {
    ConfigRetriever retriever = ConfigRetriever.create(
        vertx,
        new ConfigRetrieverOptions()
            .setScanPeriod(0)
            .addStore(new ConfigStoreOptions()
                .setType("file")
                .setFormat("json")
                .setConfig(new JsonObject().put("path", file.toString())))
            .addStore(new ConfigStoreOptions()
                .setType("env")
                .setConfig(new JsonObject()
                    .put("keys", new JsonArray(EnvOverrides.variableNames()))
                    .put("raw-data", true))));
    return retriever
        .getConfig()
        .eventually(retriever::close)
        .recover(err -> Future.failedFuture(new ConfigException(
            List.of("cannot read config file " + file + ": " + rootMessage(err)))))
        .compose(merged -> {
          Map<String, String> env = new LinkedHashMap<>();
          for (String name : EnvOverrides.variableNames()) {
            Object value = merged.remove(name);
            if (value != null) {
              env.put(name, String.valueOf(value));
            }
          }
          commandLine.accept(merged);
          return fromJson(vertx, merged, env, file.toAbsolutePath().getParent());
        });
  }

  /**
   * Checks an already-read config; {@code baseDir} resolves the paths of the files it names, which
   * are read first so that each record is built once, with their content.
   */
  public static Future<SwitchboardConfig> fromJson(
      Vertx vertx, JsonObject json, Map<String, String> env, Path baseDir) {
    List<String> problems = new ArrayList<>();
    JsonObject copy = json.copy();
    EnvOverrides.apply(copy, env, problems);
    return ConfigFiles.load(vertx, baseDir, copy).compose(files -> {
      ConfigSection root = ConfigSection.root(copy, problems);
      SwitchboardConfig config = parse(root, files);
      root.rejectUnknownKeys();
      problems.addAll(files.problems());
      return problems.isEmpty()
          ? Future.succeededFuture(config)
          : Future.failedFuture(new ConfigException(problems));
    });
  }

  private static SwitchboardConfig parse(ConfigSection root, ConfigFiles files) {
    ConfigSection node = root.section("node");
    String nodeId = node.string("id", "");
    node.rejectUnknownKeys();
    if (nodeId.isEmpty()) {
      nodeId = "n-" + UUID.randomUUID().toString().substring(0, 8);
    }
    BrokerConfig broker = broker(root.section("broker"), files);
    return new SwitchboardConfig(
        nodeId,
        http(root.section("http")),
        broker,
        auth(root.section("auth"), files),
        heartbeat(root.section("heartbeat")),
        reaper(root.section("reaper")),
        presence(root.section("presence")),
        limits(root.section("limits")),
        drain(root.section("drain")),
        namespaces(root.section("namespaces"), files),
        SystemSections.cluster(root.section("cluster"), broker.type(), files.clusterFiles()),
        SystemSections.plugins(root, files.baseDir()),
        HookSections.hooks(root.section("hooks")));
  }

  private static HttpConfig http(ConfigSection s) {
    HttpConfig config = new HttpConfig(
        s.string("host", HttpConfig.DEFAULT_HOST),
        s.integer("port", HttpConfig.DEFAULT_PORT, 0, 65_535),
        s.integer("instances", HttpConfig.DEFAULT_INSTANCES, 0, 1024),
        s.strings("allowedOrigins"),
        s.integer("adminPort", HttpConfig.DEFAULT_ADMIN_PORT, 0, 65_535),
        s.number(
            "requestHeaderTimeoutMs",
            HttpConfig.DEFAULT_REQUEST_HEADER_TIMEOUT_MS,
            0,
            Integer.MAX_VALUE));
    s.rejectUnknownKeys();
    return config;
  }

  private static BrokerConfig broker(ConfigSection s, ConfigFiles files) {
    BrokerType type = s.choice("type", BrokerType.MEMORY, BrokerType.class);
    ConfigSection redis = s.section("redis");
    List<String> endpoints = new ArrayList<>();
    for (String url :
        redis.string("connectionString", RedisConfig.DEFAULT_CONNECTION_STRING).split(",")) {
      if (!url.isBlank()) {
        endpoints.add(url.strip());
      }
    }
    for (String url : endpoints) {
      if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
        redis.problem("connectionString", "\"" + url + "\" is not a redis:// or rediss:// URL");
      }
    }
    if (endpoints.isEmpty()) {
      redis.problem("connectionString", "at least one redis:// URL is needed");
    }
    String password = redis.string("password", "");
    RedisConfig redisConfig = new RedisConfig(
        endpoints,
        redis.choice("mode", RedisMode.STANDALONE, RedisMode.class),
        redis.string("masterName", RedisConfig.DEFAULT_MASTER_NAME),
        password.isEmpty() ? null : password,
        redis.string("prefix", RedisConfig.DEFAULT_PREFIX),
        redis.number("metaTtlMs", RedisConfig.DEFAULT_META_TTL_MS, 1_000, Long.MAX_VALUE / 2),
        redis.number("timeoutMs", RedisConfig.DEFAULT_TIMEOUT_MS, 10, 600_000),
        redis.bool("inbox", true),
        tlsCaFile(redis, files));
    redis.rejectUnknownKeys();
    MemoryConfig memory = memory(s.section("memory"));
    s.rejectUnknownKeys();
    return new BrokerConfig(type, redisConfig, memory);
  }

  /** The resolved path ConfigFiles checked; the key is read here too, for its type and as known. */
  private static String tlsCaFile(ConfigSection redis, ConfigFiles files) {
    return redis.string("tlsCaFile", null) == null ? null : files.redisCaFile();
  }

  private static MemoryConfig memory(ConfigSection s) {
    long maxBytes = s.has("maxBytes")
        ? s.number(
            "maxBytes", MemoryConfig.defaultMaxBytes(), MemoryConfig.MIN_MAX_BYTES, Long.MAX_VALUE)
        : MemoryConfig.defaultMaxBytes();
    s.raw("maxBytes"); // null is the documented way to ask for the default
    MemoryConfig config = new MemoryConfig(
        maxBytes, s.number("maxChannels", MemoryConfig.DEFAULT_MAX_CHANNELS, 1, Long.MAX_VALUE));
    s.rejectUnknownKeys();
    return config;
  }

  private static AuthConfig auth(ConfigSection s, ConfigFiles files) {
    boolean anonymous = s.bool("anonymous", AuthConfig.DEFAULT_ANONYMOUS);
    long timeoutMs = s.number("timeoutMs", AuthConfig.DEFAULT_TIMEOUT_MS, 1, Integer.MAX_VALUE);
    ConfigSection jwt = s.section("jwt");
    List<JwtKeyConfig> keys = new ArrayList<>();
    for (ConfigSection key : jwt.sections("keys")) {
      String algorithm = key.string("algorithm", "");
      if (!ALGORITHMS.contains(algorithm)) {
        key.problem("algorithm", "must be one of " + ALGORITHMS + ", was \"" + algorithm + "\"");
      }
      String secret = key.string("secret", null);
      String publicKey = key.string("publicKey", null);
      if (algorithm.equals("HS256") && (secret == null || secret.length() < 32)) {
        key.problem("secret", "an HS256 secret of at least 32 characters is needed");
      } else if (!algorithm.equals("HS256")
          && ALGORITHMS.contains(algorithm)
          && (publicKey == null || !publicKey.contains("BEGIN PUBLIC KEY"))) {
        key.problem(
            "publicKey",
            "a PEM public key (-----BEGIN PUBLIC KEY-----...) is needed for " + algorithm);
      }
      keys.add(new JwtKeyConfig(algorithm, secret, publicKey));
      key.rejectUnknownKeys();
    }
    String jwksFile = jwt.string("jwksFile", null);
    long clockSkewMs =
        jwt.number("clockSkewMs", JwtConfig.DEFAULT_CLOCK_SKEW_MS, 0, Integer.MAX_VALUE);
    String issuer = jwt.string("issuer", null);
    List<String> audience = jwt.strings("audience");
    jwt.rejectUnknownKeys();
    List<String> apiKeys = s.strings("apiKeys");
    s.rejectUnknownKeys();
    return new AuthConfig(
        anonymous,
        timeoutMs,
        new JwtConfig(List.copyOf(keys), jwksFile, files.jwks(), clockSkewMs, issuer, audience),
        apiKeys);
  }

  private static HeartbeatConfig heartbeat(ConfigSection s) {
    HeartbeatConfig config = new HeartbeatConfig(
        s.number("intervalMs", HeartbeatConfig.DEFAULT_INTERVAL_MS, 1, Integer.MAX_VALUE),
        s.number("timeoutMs", HeartbeatConfig.DEFAULT_TIMEOUT_MS, 1, Integer.MAX_VALUE));
    if (config.timeoutMs() <= config.intervalMs()) {
      s.problem(
          "timeoutMs",
          "must be greater than heartbeat.intervalMs (" + config.intervalMs() + "), was "
              + config.timeoutMs());
    }
    s.rejectUnknownKeys();
    return config;
  }

  private static ReaperConfig reaper(ConfigSection s) {
    ReaperConfig config = new ReaperConfig(
        s.number("intervalMs", ReaperConfig.DEFAULT_INTERVAL_MS, 1, Integer.MAX_VALUE));
    s.rejectUnknownKeys();
    return config;
  }

  private static PresenceConfig presence(ConfigSection s) {
    PresenceConfig config =
        new PresenceConfig(s.number("ttlMs", PresenceConfig.DEFAULT_TTL_MS, 1, Integer.MAX_VALUE));
    s.rejectUnknownKeys();
    return config;
  }

  private static LimitsConfig limits(ConfigSection s) {
    int max = Integer.MAX_VALUE;
    LimitsConfig config = new LimitsConfig(
        s.integer("maxFrameBytes", LimitsConfig.DEFAULT_MAX_FRAME_BYTES, 0, max),
        s.integer("maxBodyBytes", LimitsConfig.DEFAULT_MAX_BODY_BYTES, 0, max),
        s.integer(
            "maxSubscriptionsPerConnection",
            LimitsConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
            0,
            max),
        s.integer("maxConnectionsPerUser", LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_USER, 0, max),
        s.integer(
            "maxConnectionsPerAddress", LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 0, max),
        s.integer("messagesPerSecond", LimitsConfig.DEFAULT_MESSAGES_PER_SECOND, 0, max),
        s.integer("messagesBurst", LimitsConfig.DEFAULT_MESSAGES_BURST, 0, max),
        s.number("sendQueueBytes", LimitsConfig.DEFAULT_SEND_QUEUE_BYTES, 0, max),
        s.number("slowConsumerMs", LimitsConfig.DEFAULT_SLOW_CONSUMER_MS, 0, max),
        s.integer("apiPublishesPerSecond", LimitsConfig.DEFAULT_API_PUBLISHES_PER_SECOND, 0, max),
        s.integer("apiPublishesBurst", LimitsConfig.DEFAULT_API_PUBLISHES_BURST, 0, max),
        s.integer("readsPerSecond", LimitsConfig.DEFAULT_READS_PER_SECOND, 0, max),
        s.integer("readsBurst", LimitsConfig.DEFAULT_READS_BURST, 0, max),
        s.integer("apiReadsPerSecond", LimitsConfig.DEFAULT_API_READS_PER_SECOND, 0, max),
        s.integer("apiReadsBurst", LimitsConfig.DEFAULT_API_READS_BURST, 0, max),
        s.integer("newChannelsPerSecond", LimitsConfig.DEFAULT_NEW_CHANNELS_PER_SECOND, 0, max),
        s.integer("newChannelsBurst", LimitsConfig.DEFAULT_NEW_CHANNELS_BURST, 0, max));
    burstCoversRate(s, "messages", config.messagesPerSecond(), config.messagesBurst());
    burstCoversRate(s, "apiPublishes", config.apiPublishesPerSecond(), config.apiPublishesBurst());
    burstCoversRate(s, "reads", config.readsPerSecond(), config.readsBurst());
    burstCoversRate(s, "apiReads", config.apiReadsPerSecond(), config.apiReadsBurst());
    burstCoversRate(s, "newChannels", config.newChannelsPerSecond(), config.newChannelsBurst());
    s.rejectUnknownKeys();
    return config;
  }

  /** A token bucket's burst must hold at least a second's tokens, when it has a rate at all. */
  private static void burstCoversRate(ConfigSection s, String name, int perSecond, int burst) {
    if (perSecond > 0 && burst < perSecond) {
      s.problem(name + "Burst", "must be >= " + name + "PerSecond, was " + burst);
    }
  }

  private static DrainConfig drain(ConfigSection s) {
    DrainConfig config =
        new DrainConfig(s.number("windowMs", DrainConfig.DEFAULT_WINDOW_MS, 0, Integer.MAX_VALUE));
    s.rejectUnknownKeys();
    return config;
  }

  private static Map<String, NamespaceConfig> namespaces(ConfigSection s, ConfigFiles files) {
    Map<String, NamespaceConfig> out = new LinkedHashMap<>();
    for (String name : s.keys()) {
      ConfigSection ns = s.section(name);
      if (!NAMESPACE.matcher(name).matches()) {
        s.problem(name, "a namespace name is up to 64 characters of A-Z a-z 0-9 _ - . @ / =");
      }
      Object schema = ns.raw("schema");
      JsonObject content = null;
      if (schema instanceof JsonObject inline) {
        content = inline;
      } else if (schema instanceof String) {
        content = files.schemas().get(name);
      } else if (schema != null) {
        ns.problem(
            "schema",
            "must be a file path (relative to the config file) or a JSON Schema" + " object");
      }
      if (content != null && usesUniqueItems(content)) {
        ns.problem(
            "schema",
            "uniqueItems is refused: vertx-json-schema checks it in quadratic time on the event"
                + " loop, so one message of a few thousand items would stall the node for seconds;"
                + " check uniqueness in your application (or in a publish hook)");
      }
      ConfigSection history = ns.section("history");
      HistoryConfig historyConfig = new HistoryConfig(
          history.integer("size", HistoryConfig.DEFAULT_SIZE, 0, 1_000_000),
          history.number("ttlMs", HistoryConfig.DEFAULT_TTL_MS, 1, Integer.MAX_VALUE));
      history.rejectUnknownKeys();
      boolean presence = ns.bool("presence", false);
      boolean joinLeave = ns.bool("joinLeave", false);
      if (joinLeave && !presence) {
        ns.problem(
            "joinLeave",
            "needs \"presence\": true (join and leave are changes of presence, which this"
                + " namespace does not track)");
      }
      out.put(
          name,
          new NamespaceConfig(
              name,
              content,
              ns.choice("subscribe", NamespaceConfig.DEFAULT_SUBSCRIBE, AccessPolicy.class),
              ns.choice("publish", NamespaceConfig.DEFAULT_PUBLISH, AccessPolicy.class),
              historyConfig,
              presence,
              joinLeave,
              SystemSections.bus(ns.section("bus"), presence),
              HookSections.namespaceHooks(ns.section("hooks"))));
      ns.rejectUnknownKeys();
    }
    return Map.copyOf(out);
  }

  /** Keywords whose value maps names (of properties, definitions...) to subschemas. */
  private static final Set<String> SCHEMAS_BY_NAME =
      Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");

  /** Whether a JSON Schema asks for {@code "uniqueItems": true} anywhere, subschemas included. */
  static boolean usesUniqueItems(Object schema) {
    if (schema instanceof JsonObject object) {
      if (Boolean.TRUE.equals(object.getValue("uniqueItems"))) {
        return true;
      }
      for (String key : object.fieldNames()) {
        Object value = object.getValue(key);
        // under "properties" a key is a property's name, so "uniqueItems" there is not the keyword
        boolean found = SCHEMAS_BY_NAME.contains(key) && value instanceof JsonObject byName
            ? byName.stream().anyMatch(e -> usesUniqueItems(e.getValue()))
            : usesUniqueItems(value);
        if (found) {
          return true;
        }
      }
    } else if (schema instanceof JsonArray array) {
      for (Object item : array) {
        if (usesUniqueItems(item)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The innermost cause's message (its class name when it has none): what a one-line start-up
   * error says, without the wrappers around it.
   */
  public static String rootMessage(Throwable err) {
    Throwable cause = err;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}

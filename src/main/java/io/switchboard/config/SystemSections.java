package io.switchboard.config;

import io.switchboard.config.ClusterConfig.TlsConfig;
import io.switchboard.config.NamespaceConfig.BusConfig;
import io.switchboard.config.PluginsConfig.VerticleConfig;
import io.switchboard.config.Sections.BrokerType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The sections that make a node part of a Vert.x system: {@code cluster}, {@code verticles} and
 * each namespace's {@code bus}. Read like the others, every problem named by its key.
 */
final class SystemSections {
  private static final Pattern MEMBER = Pattern.compile("[^\\s:]+:\\d{1,5}");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

  private SystemSections() {}

  static ClusterConfig cluster(ConfigSection s, BrokerType broker) {
    boolean enabled = s.bool("enabled", false);
    String configFile = s.string("configFile", null);
    for (String key : List.of("name", "port", "members")) {
      if (configFile != null && s.has(key)) {
        s.problem(key, "not used with cluster.configFile: set it in that file");
      }
    }
    List<String> members = s.strings("members");
    for (String member : members) {
      if (!MEMBER.matcher(member).matches()) {
        s.problem("members", "\"" + member + "\" is not host:port");
      }
    }
    String host = s.string("host", ClusterConfig.DEFAULT_HOST);
    if (host.isBlank() || host.equals("0.0.0.0")) {
      s.problem("host", "must be the address other members reach this one at, was \"" + host
          + "\"");
    }
    ConfigSection tls = s.section("tls");
    TlsConfig tlsConfig = null;
    if (!tls.keys().isEmpty()) {
      tlsConfig = new TlsConfig(tls.string("keyFile", null), tls.string("certFile", null),
          tls.string("caFile", null));
      for (String key : List.of("keyFile", "certFile", "caFile")) {
        if (!tls.has(key)) {
          tls.problem(key, "a PEM file is needed: cluster.tls takes keyFile, certFile and caFile");
        }
      }
    }
    tls.rejectUnknownKeys();
    ClusterConfig config = new ClusterConfig(enabled,
        s.string("name", ClusterConfig.DEFAULT_NAME), host,
        s.integer("port", ClusterConfig.DEFAULT_PORT, 1, 65_535), members, configFile,
        s.integer("eventBusPort", ClusterConfig.DEFAULT_EVENT_BUS_PORT, 0, 65_535), tlsConfig);
    if (enabled && broker == BrokerType.MEMORY) {
      s.problem("enabled", "needs broker.type redis: clustered nodes share channels through Redis,"
          + " and broker.type is memory");
    }
    s.rejectUnknownKeys();
    return config;
  }

  static PluginsConfig plugins(ConfigSection root, Path baseDir) {
    List<VerticleConfig> verticles = new ArrayList<>();
    for (ConfigSection v : root.sections("verticles")) {
      String className = v.string("class", "");
      if (!CLASS_NAME.matcher(className).matches()) {
        v.problem("class", "a fully qualified class name is needed, was \"" + className + "\"");
      }
      Object config = v.raw("config");
      if (config != null && !(config instanceof JsonObject)) {
        v.problem("config", "must be an object");
      }
      verticles.add(new VerticleConfig(className,
          v.integer("instances", VerticleConfig.DEFAULT_INSTANCES, 1, 1024),
          config instanceof JsonObject json ? json.copy() : new JsonObject()));
      v.rejectUnknownKeys();
    }
    return new PluginsConfig(baseDir.resolve("plugins").toString(), verticles);
  }

  static BusConfig bus(ConfigSection s, boolean presence) {
    BusConfig config = new BusConfig(s.bool("messages", false), s.bool("presence", false));
    if (config.presence() && !presence) {
      s.problem("presence", "needs the namespace's presence: true (joins and leaves are what"
          + " presence tracks)");
    }
    s.rejectUnknownKeys();
    return config;
  }

  /** The cluster section with its TLS files resolved against {@code baseDir}, each checked. */
  static Future<ClusterConfig> resolveFiles(Vertx vertx, Path baseDir, ClusterConfig cluster) {
    TlsConfig tls = cluster.tls();
    Future<String> configFile = readable(vertx, baseDir, "cluster.configFile",
        cluster.configFile());
    Future<String> key = readable(vertx, baseDir, "cluster.tls.keyFile",
        tls == null ? null : tls.keyFile());
    Future<String> cert = readable(vertx, baseDir, "cluster.tls.certFile",
        tls == null ? null : tls.certFile());
    Future<String> ca = readable(vertx, baseDir, "cluster.tls.caFile",
        tls == null ? null : tls.caFile());
    return Future.all(configFile, key, cert, ca).recover(err -> {
      List<String> problems = new ArrayList<>();
      for (Future<String> file : List.of(configFile, key, cert, ca)) {
        if (file.failed()) {
          problems.add(file.cause().getMessage());
        }
      }
      return Future.failedFuture(new ConfigException(problems));
    }).map(v -> new ClusterConfig(cluster.enabled(), cluster.name(), cluster.host(),
        cluster.port(), cluster.members(), configFile.result(), cluster.eventBusPort(),
        tls == null ? null : new TlsConfig(key.result(), cert.result(), ca.result())));
  }

  private static Future<String> readable(Vertx vertx, Path baseDir, String key, String file) {
    if (file == null) {
      return Future.succeededFuture();
    }
    String path = baseDir.resolve(file).toString();
    return vertx.fileSystem().exists(path).compose(exists -> exists
        ? Future.succeededFuture(path)
        : Future.failedFuture(key + ": cannot read " + path));
  }
}

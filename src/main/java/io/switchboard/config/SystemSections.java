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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** {@code files}: the section's files by key, resolved ({@link #clusterFiles}). */
  static ClusterConfig cluster(ConfigSection s, BrokerType broker, Map<String, String> files) {
    boolean enabled = s.bool("enabled", false);
    String configFile = resolved(files, s.pathOf("configFile"), s.string("configFile", null));
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
      s.problem(
          "host", "must be the address other members reach this one at, was \"" + host + "\"");
    }
    ConfigSection tls = s.section("tls");
    TlsConfig tlsConfig = null;
    if (!tls.keys().isEmpty()) {
      tlsConfig = new TlsConfig(
          resolved(files, tls.pathOf("keyFile"), tls.string("keyFile", null)),
          resolved(files, tls.pathOf("certFile"), tls.string("certFile", null)),
          resolved(files, tls.pathOf("caFile"), tls.string("caFile", null)));
      for (String key : List.of("keyFile", "certFile", "caFile")) {
        if (!tls.has(key)) {
          tls.problem(key, "a PEM file is needed: cluster.tls takes keyFile, certFile and caFile");
        }
      }
    }
    tls.rejectUnknownKeys();
    ClusterConfig config = new ClusterConfig(
        enabled,
        s.string("name", ClusterConfig.DEFAULT_NAME),
        host,
        s.integer("port", ClusterConfig.DEFAULT_PORT, 1, 65_535),
        members,
        configFile,
        s.integer("eventBusPort", ClusterConfig.DEFAULT_EVENT_BUS_PORT, 0, 65_535),
        tlsConfig);
    if (enabled && broker == BrokerType.MEMORY) {
      s.problem(
          "enabled",
          "needs broker.type redis: clustered nodes share channels through Redis,"
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
      verticles.add(new VerticleConfig(
          className,
          v.integer("instances", VerticleConfig.DEFAULT_INSTANCES, 1, 1024),
          config instanceof JsonObject json ? json.copy() : new JsonObject()));
      v.rejectUnknownKeys();
    }
    return new PluginsConfig(baseDir.resolve("plugins").toString(), verticles);
  }

  static BusConfig bus(ConfigSection s, boolean presence) {
    BusConfig config = new BusConfig(s.bool("messages", false), s.bool("presence", false));
    if (config.presence() && !presence) {
      s.problem(
          "presence",
          "needs the namespace's presence: true (joins and leaves are what" + " presence tracks)");
    }
    s.rejectUnknownKeys();
    return config;
  }

  /**
   * The files of the {@code cluster} section, by key, resolved against {@code baseDir} and checked
   * readable. Lenient: a key of the wrong type names no file here, and the parse reports it.
   */
  static Future<Map<String, String>> clusterFiles(Vertx vertx, Path baseDir, ConfigSection s) {
    ConfigSection tls = s.section("tls");
    Map<String, Future<String>> reads = new LinkedHashMap<>();
    reads.put(
        s.pathOf("configFile"),
        readable(
            vertx,
            baseDir,
            s.pathOf("configFile"),
            s.raw("configFile") instanceof String file ? file : null));
    for (String key : List.of("keyFile", "certFile", "caFile")) {
      reads.put(
          tls.pathOf(key),
          readable(
              vertx, baseDir, tls.pathOf(key), tls.raw(key) instanceof String file ? file : null));
    }
    return Future.join(new ArrayList<>(reads.values())).transform(ignored -> {
      Map<String, String> paths = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      reads.forEach((key, read) -> {
        if (read.failed()) {
          problems.add(read.cause().getMessage());
        } else if (read.result() != null) {
          paths.put(key, read.result());
        }
      });
      return problems.isEmpty()
          ? Future.succeededFuture(Map.copyOf(paths))
          : Future.failedFuture(new ConfigException(problems));
    });
  }

  /** The resolved path of the file under {@code key}; the value as given when it has none. */
  private static String resolved(Map<String, String> files, String key, String given) {
    return files.getOrDefault(key, given);
  }

  private static Future<String> readable(Vertx vertx, Path baseDir, String key, String file) {
    if (file == null) {
      return Future.succeededFuture();
    }
    String path = baseDir.resolve(file).toString();
    return vertx
        .fileSystem()
        .exists(path)
        .compose(exists -> exists
            ? Future.succeededFuture(path)
            : Future.failedFuture(key + ": cannot read " + path));
  }
}

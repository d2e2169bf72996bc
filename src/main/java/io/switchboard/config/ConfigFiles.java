package io.switchboard.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a config names, read before its records are built so that each record is built once,
 * with their content at hand: the namespaces' schema files, {@code auth.jwt.jwksFile}, and
 * {@code broker.redis.tlsCaFile} (only checked readable: the Redis client reads it). Paths are
 * relative to the config file's directory.
 *
 * @param schemas namespace to the content of its schema file (inline schemas are not here)
 * @param jwks the keys of {@code auth.jwt.jwksFile}; empty without one
 * @param redisCaFile {@code broker.redis.tlsCaFile} resolved against the config's directory; as
 *     given when absent or empty
 * @param clusterFiles {@code cluster.configFile} and {@code cluster.tls.*} by key, resolved against
 *     the config's directory once known to exist (only checked: Hazelcast and Vert.x read them)
 * @param baseDir the config file's directory ({@code plugins/} is there)
 * @param problems every file that could not be read or is not what its key needs, named by key
 */
record ConfigFiles(
    Map<String, JsonObject> schemas,
    List<JsonObject> jwks,
    String redisCaFile,
    Map<String, String> clusterFiles,
    Path baseDir,
    List<String> problems) {
  private static final String CA_KEY = "broker.redis.tlsCaFile";

  /**
   * Reads the files {@code json} names. Lenient: a key of the wrong type names no file here, and
   * the parse, which reads the same keys, reports it.
   */
  static Future<ConfigFiles> load(Vertx vertx, Path baseDir, JsonObject json) {
    ConfigSection root = ConfigSection.root(json, new ArrayList<>());
    Future<Map<String, JsonObject>> schemas =
        SchemaFiles.load(vertx, baseDir, schemaPaths(root.section("namespaces")));
    Future<List<JsonObject>> jwks =
        JwksFile.load(vertx, baseDir, root.section("auth").section("jwt").string("jwksFile", null));
    Future<String> caFile =
        caFile(vertx, baseDir, root.section("broker").section("redis").string("tlsCaFile", null));
    Future<Map<String, String>> clusterFiles =
        SystemSections.clusterFiles(vertx, baseDir, root.section("cluster"));
    return Future.join(schemas, jwks, caFile, clusterFiles).transform(ignored -> {
      List<String> problems = new ArrayList<>();
      return Future.succeededFuture(new ConfigFiles(
          valueOf(schemas, Map.of(), problems),
          valueOf(jwks, List.of(), problems),
          valueOf(caFile, null, problems),
          valueOf(clusterFiles, Map.of(), problems),
          baseDir,
          List.copyOf(problems)));
    });
  }

  /** Namespace to schema path, for the namespaces whose schema is a path (not inline). */
  private static Map<String, String> schemaPaths(ConfigSection namespaces) {
    Map<String, String> paths = new LinkedHashMap<>();
    for (String name : namespaces.keys()) {
      if (namespaces.section(name).raw("schema") instanceof String path) {
        paths.put(name, path);
      }
    }
    return paths;
  }

  /** The CA file's resolved path once it is known to exist. */
  private static Future<String> caFile(Vertx vertx, Path baseDir, String file) {
    if (file == null || file.isEmpty()) {
      return Future.succeededFuture(file);
    }
    String path = baseDir.resolve(file).toString();
    return vertx
        .fileSystem()
        .exists(path)
        .otherwise(false)
        .compose(exists -> exists
            ? Future.succeededFuture(path)
            : Future.failedFuture(new ConfigException(List.of(CA_KEY + ": cannot read " + path))));
  }

  /** The result of a read that fails only with a {@link ConfigException}, or its problems. */
  private static <T> T valueOf(Future<T> read, T fallback, List<String> problems) {
    if (read.succeeded()) {
      return read.result();
    }
    if (read.cause() instanceof ConfigException e) {
      problems.addAll(e.problems());
    } else {
      problems.add(ConfigLoader.rootMessage(read.cause()));
    }
    return fallback;
  }
}

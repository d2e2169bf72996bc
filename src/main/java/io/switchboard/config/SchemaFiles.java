package io.switchboard.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reads the namespaces' schema files (non-blocking) and reports unreadable ones by key. */
final class SchemaFiles {
  private SchemaFiles() {}

  /** @param paths namespace to the path of its schema file, relative to {@code baseDir} */
  static Future<Map<String, JsonObject>> load(
      Vertx vertx, Path baseDir, Map<String, String> paths) {
    Map<String, JsonObject> schemas = new ConcurrentHashMap<>();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<Future<?>> reads = new ArrayList<>();
    paths.forEach((namespace, path) -> {
      String key = "namespaces." + namespace + ".schema";
      Path file = baseDir.resolve(path);
      reads.add(vertx
          .fileSystem()
          .readFile(file.toString())
          .map(buffer -> {
            try {
              schemas.put(namespace, buffer.toJsonObject());
            } catch (DecodeException | ClassCastException e) {
              problems.add(key + ": " + file + " is not a JSON object");
            }
            return null;
          })
          .otherwise(err -> {
            problems.add(
                key + ": cannot read " + file + " (" + ConfigLoader.rootMessage(err) + ")");
            return null;
          }));
    });
    return Future.join(reads)
        .transform(ignored -> problems.isEmpty()
            ? Future.succeededFuture(Map.copyOf(schemas))
            : Future.failedFuture(new ConfigException(problems)));
  }
}

package io.switchboard.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code auth.jwt.jwksFile} (a JSON Web Key Set) at start; problems name the key. */
final class JwksFile {
  private static final String KEY = "auth.jwt.jwksFile";

  private JwksFile() {}

  /** @param jwksFile the path, relative to {@code baseDir}; null: no JWKS, no keys */
  static Future<List<JsonObject>> load(Vertx vertx, Path baseDir, String jwksFile) {
    if (jwksFile == null) {
      return Future.succeededFuture(List.of());
    }
    Path file = baseDir.resolve(jwksFile);
    return vertx
        .fileSystem()
        .readFile(file.toString())
        .recover(err -> Future.failedFuture(new ConfigException(
            List.of(KEY + ": cannot read " + file + " (" + ConfigLoader.rootMessage(err) + ")"))))
        .compose(buffer -> {
          List<JsonObject> keys = new ArrayList<>();
          try {
            JsonArray array = buffer.toJsonObject().getJsonArray("keys");
            for (Object key : array) {
              keys.add((JsonObject) key);
            }
          } catch (RuntimeException e) {
            return Future.failedFuture(new ConfigException(
                List.of(KEY + ": " + file + " is not a JWKS document ({\"keys\": [...]})")));
          }
          if (keys.isEmpty()) {
            return Future.failedFuture(
                new ConfigException(List.of(KEY + ": " + file + " holds no keys")));
          }
          return Future.succeededFuture(List.copyOf(keys));
        });
  }
}

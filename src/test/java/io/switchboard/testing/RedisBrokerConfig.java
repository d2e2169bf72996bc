package io.switchboard.testing;

import io.vertx.core.json.JsonObject;

/**
 * The node config that puts a node on a Redis broker (README "Configuration", {@code broker}):
 * spelled here once so the tests that run nodes on Redis say only what differs, the Redis and the
 * key prefix (and the odd option such as {@code timeoutMs}).
 */
public final class RedisBrokerConfig {
  private RedisBrokerConfig() {}

  /** {@code {"broker":{"type":"redis","redis":<redis>}}}. */
  public static JsonObject config(JsonObject redis) {
    return new JsonObject()
        .put("broker", new JsonObject().put("type", "redis").put("redis", redis));
  }

  /** {@code {"connectionString":..,"prefix":..}}, for a caller that adds more options. */
  public static JsonObject options(String connectionString, String prefix) {
    return new JsonObject().put("connectionString", connectionString).put("prefix", prefix);
  }

  /** A broker on {@code connectionString} whose keys start with {@code prefix}. */
  public static JsonObject config(String connectionString, String prefix) {
    return config(options(connectionString, prefix));
  }

  /** A broker on {@code connectionString} with the default key prefix. */
  public static JsonObject config(String connectionString) {
    return config(new JsonObject().put("connectionString", connectionString));
  }
}

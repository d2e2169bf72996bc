package io.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The environment variables that override config keys: an explicit list, applied to the JSON
 * before it is checked, so an override is validated like the file it replaces.
 */
public final class EnvOverrides {
  enum Kind {
    STRING,
    NUMBER,
    BOOLEAN,
    LIST
  }

  record Override(String variable, String path, Kind kind) {}

  static final List<Override> ALL = List.of(
      new Override("SWITCHBOARD_NODE_ID", "node.id", Kind.STRING),
      new Override("SWITCHBOARD_HTTP_HOST", "http.host", Kind.STRING),
      new Override("SWITCHBOARD_HTTP_PORT", "http.port", Kind.NUMBER),
      new Override("SWITCHBOARD_HTTP_INSTANCES", "http.instances", Kind.NUMBER),
      new Override("SWITCHBOARD_ALLOWED_ORIGINS", "http.allowedOrigins", Kind.LIST),
      new Override("SWITCHBOARD_BROKER_TYPE", "broker.type", Kind.STRING),
      new Override("SWITCHBOARD_REDIS_URL", "broker.redis.connectionString", Kind.STRING),
      new Override("SWITCHBOARD_REDIS_PREFIX", "broker.redis.prefix", Kind.STRING),
      new Override("SWITCHBOARD_REDIS_MODE", "broker.redis.mode", Kind.STRING),
      new Override("SWITCHBOARD_REDIS_PASSWORD", "broker.redis.password", Kind.STRING),
      new Override("SWITCHBOARD_AUTH_ANONYMOUS", "auth.anonymous", Kind.BOOLEAN),
      new Override("SWITCHBOARD_API_KEYS", "auth.apiKeys", Kind.LIST));

  /** Sets an HS256 key from this variable, replacing any HS256 key of the file. */
  static final String JWT_SECRET = "SWITCHBOARD_JWT_SECRET";

  private EnvOverrides() {}

  public static List<String> variableNames() {
    List<String> names = new ArrayList<>(ALL.stream().map(Override::variable).toList());
    names.add(JWT_SECRET);
    return names;
  }

  /** Applies the variables present in {@code env} to {@code config}, in place. */
  static void apply(JsonObject config, Map<String, String> env, List<String> problems) {
    for (Override o : ALL) {
      String value = env.get(o.variable());
      if (value == null) {
        continue;
      }
      Object converted = convert(o, value.trim(), problems);
      if (converted != null) {
        put(config, o.path(), converted);
      }
    }
    String secret = env.get(JWT_SECRET);
    if (secret != null) {
      JsonObject jwt = objectAt(config, "auth.jwt");
      JsonArray keys = new JsonArray();
      JsonArray old = jwt.getJsonArray("keys", new JsonArray());
      old.stream()
          .filter(k ->
              !(k instanceof JsonObject o && "HS256".equalsIgnoreCase(o.getString("algorithm"))))
          .forEach(keys::add);
      keys.add(new JsonObject().put("algorithm", "HS256").put("secret", secret));
      jwt.put("keys", keys);
    }
  }

  private static Object convert(Override o, String value, List<String> problems) {
    switch (o.kind()) {
      case NUMBER:
        try {
          return Long.parseLong(value);
        } catch (NumberFormatException e) {
          problems.add(o.path() + " (from " + o.variable() + "): must be a whole number, was \""
              + value + "\"");
          return null;
        }
      case BOOLEAN:
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(value);
        }
        problems.add(o.path() + " (from " + o.variable() + "): must be true or false, was \""
            + value + "\"");
        return null;
      case LIST:
        return new JsonArray(Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList());
      default:
        return value;
    }
  }

  private static void put(JsonObject root, String path, Object value) {
    int dot = path.lastIndexOf('.');
    objectAt(root, path.substring(0, dot)).put(path.substring(dot + 1), value);
  }

  private static JsonObject objectAt(JsonObject root, String path) {
    JsonObject current = root;
    for (String part : path.split("\\.")) {
      Object next = current.getValue(part);
      if (!(next instanceof JsonObject)) {
        next = new JsonObject();
        current.put(part, next);
      }
      current = (JsonObject) next;
    }
    return current;
  }
}

package io.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A cursor over one object of the config file. Reads typed values with defaults, records every
 * problem with its JSON path instead of throwing, and reports keys nobody read as unknown.
 */
final class ConfigSection {
  private final String path;
  private final JsonObject json;
  private final List<String> problems;
  private final Set<String> read = new HashSet<>();

  ConfigSection(String path, JsonObject json, List<String> problems) {
    this.path = path;
    this.json = json == null ? new JsonObject() : json;
    this.problems = problems;
  }

  static ConfigSection root(JsonObject json, List<String> problems) {
    return new ConfigSection("", json, problems);
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String message) {
    problems.add(pathOf(key) + ": " + message);
  }

  boolean has(String key) {
    return json.getValue(key) != null;
  }

  /** The keys of this object, comments left out. */
  Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>(json.fieldNames());
    keys.removeIf(k -> k.startsWith(COMMENT_PREFIX));
    return keys;
  }

  Object raw(String key) {
    read.add(key);
    return json.getValue(key);
  }

  ConfigSection section(String key) {
    Object value = raw(key);
    if (value != null && !(value instanceof JsonObject)) {
      problem(key, "must be an object, was " + describe(value));
      value = null;
    }
    return new ConfigSection(pathOf(key), (JsonObject) value, problems);
  }

  long number(String key, long fallback, long min, long max) {
    Object value = raw(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      problem(key, "must be a whole number, was " + describe(value));
      return fallback;
    }
    long v = n.longValue();
    if (v < min || v > max) {
      problem(key, "must be between " + min + " and " + max + ", was " + v);
      return fallback;
    }
    return v;
  }

  int integer(String key, int fallback, int min, int max) {
    return (int) number(key, fallback, min, max);
  }

  boolean bool(String key, boolean fallback) {
    Object value = raw(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      problem(key, "must be true or false, was " + describe(value));
      return fallback;
    }
    return b;
  }

  String string(String key, String fallback) {
    Object value = raw(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      problem(key, "must be a string, was " + describe(value));
      return fallback;
    }
    return s;
  }

  List<String> strings(String key) {
    Object value = raw(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      problem(key, "must be an array of strings, was " + describe(value));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (item instanceof String s) {
        out.add(s);
      } else {
        problem(key, "must be an array of strings, has " + describe(item));
      }
    }
    return List.copyOf(out);
  }

  List<ConfigSection> sections(String key) {
    Object value = raw(key);
    List<ConfigSection> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonArray array)) {
      problem(key, "must be an array of objects, was " + describe(value));
      return out;
    }
    for (int i = 0; i < array.size(); i++) {
      if (array.getValue(i) instanceof JsonObject item) {
        out.add(new ConfigSection(pathOf(key) + "[" + i + "]", item, problems));
      } else {
        problems.add(pathOf(key) + "[" + i + "]: must be an object");
      }
    }
    return out;
  }

  <E extends Enum<E>> E choice(String key, E fallback, Class<E> type) {
    String value = string(key, null);
    if (value == null) {
      return fallback;
    }
    for (E option : type.getEnumConstants()) {
      if (option.name().equalsIgnoreCase(value)) {
        return option;
      }
    }
    List<String> names = new ArrayList<>();
    for (E option : type.getEnumConstants()) {
      names.add(option.name().toLowerCase());
    }
    problem(key, "must be one of " + names + ", was \"" + value + "\"");
    return fallback;
  }

  /** Keys starting with this are comments: JSON has none, and conf/ documents every key in place. */
  static final String COMMENT_PREFIX = "//";

  /** Records every key of this object that no reader asked for as unknown. */
  void rejectUnknownKeys() {
    for (String key : json.fieldNames()) {
      if (!read.contains(key) && !key.startsWith(COMMENT_PREFIX)) {
        problem(key, "unknown key");
      }
    }
  }

  private static String describe(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}

package io.switchboard.validation;

import io.switchboard.protocol.FieldError;
import io.vertx.json.schema.OutputUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Flattens a vertx-json-schema Basic output into JSON-pointer field errors. */
final class SchemaErrors {
  private SchemaErrors() {}

  /**
   * @param prefix JSON pointer under which the validated value sits in the client's document, so a
   *     violation inside {@code data} is reported as {@code /data/text}
   */
  static List<FieldError> of(OutputUnit result, String prefix) {
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    Set<FieldError> errors = new LinkedHashSet<>();
    List<OutputUnit> units = result.getErrors() == null ? List.of() : result.getErrors();
    for (OutputUnit unit : units) {
      if (unit.getError() != null && !echoed(unit, units)) {
        errors.add(new FieldError(prefix + pointer(unit.getInstanceLocation()), unit.getError()));
      }
    }
    if (errors.isEmpty()) {
      errors.add(new FieldError(prefix.isEmpty() ? "" : prefix, "does not match the schema"));
    }
    return new ArrayList<>(errors);
  }

  /**
   * The Basic output also lists the applicators above a failing keyword ("property x does not
   * match schema") and, for a declared property that failed, its additionalProperties check; only
   * the failing keywords themselves tell a client what to fix.
   */
  private static boolean echoed(OutputUnit unit, List<OutputUnit> all) {
    String keyword = String.valueOf(unit.getKeywordLocation());
    String instance = String.valueOf(unit.getInstanceLocation());
    for (OutputUnit other : all) {
      if (other == unit) {
        continue;
      }
      String otherKeyword = String.valueOf(other.getKeywordLocation());
      String otherInstance = String.valueOf(other.getInstanceLocation());
      if (otherKeyword.startsWith(keyword + "/")) {
        return true;
      }
      if (keyword.endsWith("/additionalProperties")
          && !otherKeyword.equals(keyword)
          && (otherInstance.equals(instance) || otherInstance.startsWith(instance + "/"))) {
        return true;
      }
    }
    return false;
  }

  private static String pointer(String instanceLocation) {
    if (instanceLocation == null || instanceLocation.equals("#") || instanceLocation.isEmpty()) {
      return "";
    }
    return instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
  }
}

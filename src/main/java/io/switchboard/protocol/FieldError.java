package io.switchboard.protocol;

import io.vertx.core.json.JsonObject;

/** One schema violation: a JSON pointer into the offending document and what is wrong there. */
public record FieldError(String path, String message) {
  public JsonObject toJson() {
    return new JsonObject().put("path", path).put("message", message);
  }
}

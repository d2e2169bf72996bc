package io.switchboard.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The only failure that crosses the hub boundary. {@link #from(Throwable)} turns anything else into
 * {@code internal}; the transports map it to an error frame, an HTTP reply or an event-bus failure.
 */
public final class SwitchboardException extends RuntimeException {
  private final ErrorCode code;
  private final List<FieldError> errors;

  public SwitchboardException(ErrorCode code, String message) {
    this(code, message, List.of());
  }

  public SwitchboardException(ErrorCode code, String message, List<FieldError> errors) {
    super(message, null, false, false);
    this.code = code;
    this.errors = List.copyOf(errors);
  }

  public ErrorCode code() {
    return code;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public static SwitchboardException from(Throwable failure) {
    if (failure instanceof SwitchboardException e) {
      return e;
    }
    return new SwitchboardException(ErrorCode.INTERNAL, "internal error");
  }

  /** The JSON body shared by error frames and HTTP error replies: code, message and, if any, errors. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code.wireName()).put("message", getMessage());
    if (!errors.isEmpty()) {
      JsonArray list = new JsonArray();
      errors.forEach(e -> list.add(e.toJson()));
      json.put("errors", list);
    }
    return json;
  }
}

package io.switchboard.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only failure that crosses the hub boundary. {@link #from} turns anything else into
 * {@code internal}; the transports map it to an error frame, an HTTP reply or an event-bus failure.
 */
public final class SwitchboardException extends RuntimeException {
  private static final Logger log = LoggerFactory.getLogger(SwitchboardException.class);

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

  /**
   * The protocol error a failure is answered with. Anything but a SwitchboardException is a bug of
   * ours, never the client's input: it becomes {@code internal} and is logged here, once, with its
   * stack trace. Each failure must be converted once, where it is answered.
   *
   * @param where what was being answered, for the log ("POST /api/publish", "ws frame")
   */
  public static SwitchboardException from(Throwable failure, String where) {
    if (failure instanceof SwitchboardException e) {
      return e;
    }
    log.atError().addKeyValue("where", where).setCause(failure).log("internal error");
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

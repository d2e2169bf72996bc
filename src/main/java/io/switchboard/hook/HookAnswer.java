package io.switchboard.hook;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A hook's answer, read: {@code {"allow": true}}, possibly with what the hook changes ({@code user}
 * and {@code info} for connect, {@code data} for publish), or {@code {"allow": false, "code":
 * "forbidden", "message": "..."}}. An answer without a boolean {@code allow}, or whose changes are
 * of the wrong type, is no answer (the failure policy applies).
 */
sealed interface HookAnswer {
  String DEFAULT_DENIAL = "refused by the application";

  /**
   * Allowed. {@code user}, {@code info}: a connect hook's new user id and extra info, or null;
   * {@code data}: a publish hook's replacement, when {@code replacesData}.
   */
  record Allowed(String user, JsonObject info, boolean replacesData, Object data)
      implements HookAnswer {
    static final Allowed PLAIN = new Allowed(null, null, false, null);

    boolean changes() {
      return user != null || info != null || replacesData;
    }
  }

  /** Refused, with the error the client gets. */
  record Denied(SwitchboardException error) implements HookAnswer {}

  /** Reads an answer; fails (a bad answer) when it is not one. */
  static HookAnswer read(JsonObject answer) {
    Object allow = answer.getValue("allow");
    if (!(allow instanceof Boolean allowed)) {
      throw new IllegalArgumentException("the answer has no boolean \"allow\"");
    }
    if (!allowed) {
      Object message = answer.getValue("message");
      return new Denied(new SwitchboardException(
          denialCode(answer.getValue("code")),
          message instanceof String text && !text.isEmpty() ? text : DEFAULT_DENIAL));
    }
    Object user = answer.getValue("user");
    if (user != null && !(user instanceof String name && !name.isEmpty())) {
      throw new IllegalArgumentException("\"user\" must be a non-empty string");
    }
    Object info = answer.getValue("info");
    if (info != null && !(info instanceof JsonObject)) {
      throw new IllegalArgumentException("\"info\" must be an object");
    }
    boolean replaces = answer.containsKey("data");
    Allowed verdict =
        new Allowed((String) user, (JsonObject) info, replaces, answer.getValue("data"));
    return verdict.changes() ? verdict : Allowed.PLAIN;
  }

  /**
   * The protocol code the hook named, {@code forbidden} when it named none or one clients do not
   * know; never {@code internal}, which says the server has a bug.
   */
  private static ErrorCode denialCode(Object code) {
    if (code instanceof String name) {
      for (ErrorCode known : ErrorCode.values()) {
        if (known.wireName().equals(name) && known != ErrorCode.INTERNAL) {
          return known;
        }
      }
    }
    return ErrorCode.FORBIDDEN;
  }

  /** An event-bus body or HTTP body as a JSON object; fails when it is none. */
  static Future<JsonObject> object(Object body) {
    try {
      if (body instanceof JsonObject json) {
        return Future.succeededFuture(json);
      }
      if (body instanceof String text) {
        return Future.succeededFuture(new JsonObject(text));
      }
      if (body instanceof Buffer bytes) {
        return Future.succeededFuture(new JsonObject(bytes));
      }
    } catch (DecodeException e) {
      return Future.failedFuture(new IllegalArgumentException("the answer is not a JSON object"));
    }
    return Future.failedFuture(new IllegalArgumentException("the answer is not a JSON object: "
        + (body == null ? "empty" : body.getClass().getName())));
  }
}

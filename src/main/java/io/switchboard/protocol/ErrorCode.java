package io.switchboard.protocol;

/** The error codes of PROTOCOL.md section 4, with the HTTP status each maps to on the HTTP API. */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNKNOWN_TYPE("unknown_type", 400),
  INVALID_PAYLOAD("invalid_payload", 400),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  UNKNOWN_CHANNEL("unknown_channel", 404),
  NOT_SUBSCRIBED("not_subscribed", 409),
  RATE_LIMITED("rate_limited", 429),
  TOO_LARGE("too_large", 413),
  UNAVAILABLE("unavailable", 503),
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  public String wireName() {
    return wireName;
  }

  public int httpStatus() {
    return httpStatus;
  }
}

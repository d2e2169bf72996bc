package io.switchboard.protocol;

/** The WebSocket close codes of PROTOCOL.md section 4, and 1002 and 1007 of RFC 6455. */
public enum CloseCode {
  GOING_AWAY(1001, "node is shutting down"),
  /** A WebSocket protocol violation (RFC 6455), e.g. a continuation frame that continues nothing. */
  PROTOCOL_ERROR(1002, "websocket protocol error"),
  UNSUPPORTED_DATA(1003, "binary frames are not accepted"),
  /** A text frame that is not UTF-8: RFC 6455 section 8.1 says to fail the connection. */
  INVALID_TEXT(1007, "text frame is not valid UTF-8"),
  TOO_BIG(1009, "frame too large"),
  /**
   * RFC 6455's "try again later": the connect hook gave no usable answer and hooks.onFailure is
   * deny; a client reconnects with its backoff.
   */
  TRY_AGAIN_LATER(1013, "try again later"),
  UNAUTHORIZED(4401, "unauthorized"),
  REVOKED(4403, "token revoked"),
  /** The application's connect hook refused the connection (after a forbidden error frame). */
  REFUSED(4403, "refused by the application"),
  TIMEOUT(4408, "no sign of life within heartbeat.timeoutMs"),
  TOO_MANY(4429, "flooding or slow consumer");

  private final short code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = (short) code;
    this.reason = reason;
  }

  public short code() {
    return code;
  }

  public String reason() {
    return reason;
  }
}

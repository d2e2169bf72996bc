package io.switchboard.protocol;

/** The WebSocket close codes of PROTOCOL.md section 4. */
public enum CloseCode {
  GOING_AWAY(1001, "node is shutting down"),
  UNSUPPORTED_DATA(1003, "binary frames are not accepted"),
  TOO_BIG(1009, "frame too large"),
  UNAUTHORIZED(4401, "unauthorized"),
  REVOKED(4403, "token revoked"),
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

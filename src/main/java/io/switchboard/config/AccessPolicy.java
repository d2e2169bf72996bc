package io.switchboard.config;

/** Who may subscribe to or publish in a namespace (PROTOCOL.md section 10). */
public enum AccessPolicy {
  /** Every connection, anonymous ones included. */
  ANYONE,
  /** Connections authenticated with a token (user id not empty). */
  AUTHENTICATED,
  /** Connections whose token's {@code channels} / {@code publish} glob claims match the channel. */
  CLAIMS,
  /** Only the HTTP API and the event bus; never a client connection. */
  SERVER
}

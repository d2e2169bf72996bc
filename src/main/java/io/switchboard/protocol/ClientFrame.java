package io.switchboard.protocol;

/**
 * A frame a client sent over WebSocket, already checked against the protocol schema. Request ids are
 * optional integers echoed in the reply (PROTOCOL.md section 3).
 */
public sealed interface ClientFrame {
  Long id();

  record Auth(Long id, String token) implements ClientFrame {}

  record Subscribe(Long id, String channel, String since) implements ClientFrame {}

  record Unsubscribe(Long id, String channel) implements ClientFrame {}

  record Publish(Long id, String channel, Object data) implements ClientFrame {}

  record History(Long id, String channel, String since, Integer limit) implements ClientFrame {}

  record Presence(Long id, String channel) implements ClientFrame {}

  record Ping(Long id) implements ClientFrame {}

  record Pong(Long id) implements ClientFrame {}

  /** A frame that could not be decoded; the session answers it with an error frame. */
  record Invalid(Long id, SwitchboardException error) implements ClientFrame {}
}

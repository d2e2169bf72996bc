package io.switchboard.hub;

import io.switchboard.broker.StreamPosition;
import io.switchboard.protocol.CloseCode;

/**
 * What the hub needs from a session's connection, and every transport honours: WebSocket and SSE
 * implement it, each rendering deliveries in its own format. What only one transport has (the
 * WebSocket's replies, errors and welcome; the SSE stream's resume point) is written by that
 * transport's own layer, not through here. Every method is called on the event loop that owns the
 * session.
 */
public interface Transport {

  /** Messages of one channel, in offset order. */
  void sendMessages(MessageBatch batch);

  /** A user joined or left one of the session's channels. */
  void sendPresence(PresenceEvent event);

  /**
   * Messages of {@code channel} after {@code lastSent}, the last position this session was sent,
   * were lost (PROTOCOL.md section 3).
   */
  void sendGap(String channel, StreamPosition lastSent);

  /** The periodic heartbeat: a ping frame, or an SSE comment. */
  void sendHeartbeat();

  /** Closes the connection; the transport then reports the close to the hub like any other. */
  void close(CloseCode code);

  /** Whether the peer must show signs of life (the reaper closes silent ones); SSE peers cannot. */
  boolean reportsLiveness();

  /** "ws" or "sse": the label of the session's logs and metrics. */
  String kind();

  /** The peer's IP address (a proxy's, behind one), as application hooks are told; or null. */
  String remoteAddress();
}

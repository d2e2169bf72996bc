package io.switchboard.hub;

import io.switchboard.protocol.CloseCode;

/**
 * What a {@link Session} needs from its socket; WebSocket and SSE implement it. Every method is
 * called on the event loop that owns the session.
 */
public interface Transport {

  /** A reply or control frame (WebSocket); transports without requests ignore it. */
  void sendFrame(String frame);

  /**
   * The subscription is set up: {@code offset} is the channel's current position and
   * {@code recovered} says whether what came after {@code since} follows (null without since).
   * Sent before any message of the channel.
   */
  void sendSubscribed(Long requestId, String channel, String offset, Boolean recovered);

  /** A join, leave or gap notice; {@code type} is its frame type. */
  void sendEvent(String type, String frame);

  /** Messages of one channel, in offset order. */
  void sendMessages(MessageBatch batch);

  /** The periodic heartbeat: a ping frame, or an SSE comment. */
  void sendHeartbeat();

  /** Closes the socket; the transport then reports the close to the hub like any other. */
  void close(CloseCode code);

  /** Whether the peer must show signs of life (the reaper closes silent ones); SSE peers cannot. */
  boolean reportsLiveness();

  /** "ws" or "sse", for logs and metrics. */
  String kind();
}

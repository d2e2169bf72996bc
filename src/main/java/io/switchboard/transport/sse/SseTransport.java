package io.switchboard.transport.sse;

import io.switchboard.broker.StreamPosition;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import io.switchboard.hub.PresenceEvent;
import io.switchboard.hub.SubscribeResult;
import io.switchboard.hub.Transport;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.SendQueueGuard;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A session's Server-Sent Events stream. Every message event carries an {@code id:} token covering
 * all channels of the stream; it is the only per-connection part of a delivery.
 */
final class SseTransport implements Transport {
  private static final String HEARTBEAT = ": ping\n\n";

  private final HttpServerResponse response;
  /** Sized for the usual one to three channels: every open stream keeps it. */
  private final Map<String, String> offsets = new LinkedHashMap<>(4);

  private final Map<String, String> resumedFrom;
  private final SendQueueGuard sendQueue;
  private final HttpConnection connection;
  private Runnable onSlowConsumer = () -> close(CloseCode.TOO_MANY);

  SseTransport(
      HttpServerResponse response,
      HttpConnection connection,
      Map<String, String> resumedFrom,
      Vertx vertx,
      LimitsConfig limits) {
    this.response = response;
    this.connection = connection;
    this.resumedFrom = resumedFrom;
    this.sendQueue = new SendQueueGuard(
        vertx,
        limits.sendQueueBytes(),
        limits.slowConsumerMs(),
        response::writeQueueFull,
        () -> onSlowConsumer.run());
    if (sendQueue.enabled()) {
      response.setWriteQueueMaxSize((int) Math.min(Integer.MAX_VALUE, limits.sendQueueBytes()));
    }
  }

  /** The stream's HTTP connection; tests look at its pipeline. */
  HttpConnection connection() {
    return connection;
  }

  /** What to do with a reader that stopped reading: the hub closes its session. */
  void onSlowConsumer(Runnable action) {
    this.onSlowConsumer = action;
  }

  /**
   * A channel of the stream is subscribed (the hub calls this before its first message): its
   * offset joins the resume token.
   */
  void subscribed(SubscribeResult result) {
    offsets.put(result.channel(), result.offset());
    if (Boolean.FALSE.equals(result.recovered())) {
      // the client's resume point is gone: tell it to reload, as a WebSocket client learns from
      // "recovered": false; the offset is the last one it had
      writeGap(result.channel(), resumedFrom.get(result.channel()));
    }
  }

  /** Sends the token of every channel's current offset so a reconnect resumes quiet channels too. */
  void sendResumePoint() {
    // an id with no data moves the browser's Last-Event-ID without firing an event
    write("id: " + ResumeToken.encode(offsets) + "\n\n");
  }

  @Override
  public void sendPresence(PresenceEvent event) {
    write("event: " + event.kind().wireName() + "\ndata: " + event.frame() + "\n\n");
  }

  @Override
  public void sendGap(String channel, StreamPosition lastSent) {
    writeGap(channel, lastSent.encode());
  }

  private void writeGap(String channel, String offset) {
    write("event: gap\ndata: " + ServerFrames.gap(channel, offset) + "\n\n");
  }

  @Override
  public void sendMessages(MessageBatch batch) {
    StringBuilder out = new StringBuilder(batch.messages().size() * 192);
    for (OutboundMessage message : batch.messages()) {
      offsets.put(message.channel(), message.offset());
      out.append("id: ")
          .append(ResumeToken.encode(offsets))
          .append("\nevent: message\ndata: ")
          .append(message.sseData())
          .append("\n\n");
    }
    write(out.toString());
  }

  @Override
  public void sendHeartbeat() {
    write(HEARTBEAT);
  }

  @Override
  public void close(CloseCode code) {
    sendQueue.cancel();
    if (response.ended() || response.closed()) {
      return;
    }
    if (!response.headWritten()) {
      // refused before the stream started: a plain status, as every pre-stream error
      ErrorCode error = code == CloseCode.TOO_MANY
          ? ErrorCode.RATE_LIMITED
          : code == CloseCode.UNAUTHORIZED
              ? ErrorCode.UNAUTHORIZED
              : code == CloseCode.REFUSED ? ErrorCode.FORBIDDEN : ErrorCode.UNAVAILABLE;
      response
          .setStatusCode(error.httpStatus())
          .putHeader("Content-Type", "application/json")
          .end(new SwitchboardException(error, code.reason()).toJson().encode());
      return;
    }
    if (code == CloseCode.TOO_MANY) {
      // a slow consumer would never read the end of the stream: drop the connection
      connection.close();
      return;
    }
    response.end();
  }

  @Override
  public boolean reportsLiveness() {
    return false;
  }

  @Override
  public String kind() {
    return SseHandler.TRANSPORT;
  }

  @Override
  public String remoteAddress() {
    return connection.remoteAddress() == null
        ? null
        : connection.remoteAddress().hostAddress();
  }

  private void write(String text) {
    if (!response.ended() && !response.closed()) {
      response.write(text);
      // the queued size is not exposed for responses: only the grace period applies
      sendQueue.wrote(0);
    }
  }
}

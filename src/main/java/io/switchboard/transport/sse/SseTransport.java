package io.switchboard.transport.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
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
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's Server-Sent Events stream. Every message event carries an {@code id:} token covering
 * all channels of the stream; it is the only per-connection part of a delivery.
 *
 * <p>Once the response head is out, events go straight to the connection's Netty pipeline as HTTP
 * chunks framed here ({@link HttpChunk}), written from the HTTP encoder's place in the pipeline so
 * that it passes them on untouched, as {@link io.switchboard.transport.ws.WsTransport WsTransport}
 * writes its frames, rather than through {@code HttpServerResponse.write}: a JFR profile of light
 * load showed Vert.x's per-write promise and checks next to the write itself, and Netty's chunk
 * encoding cost every stream a size line and a three-buffer {@code writev} per event. Bytes encoded
 * and framed once per event loop ({@link SharedEvents}) go out as duplicates, one flush per hub
 * pass. Vert.x writes the rest (the head, the {@code retry:} line, the end of the stream) through
 * the encoder on this same event loop, in order: the HTTP server runs in strict thread mode, and
 * the encoder, which keeps no bytes back, stays in its chunked state between the two. Only the
 * hub's event loop, which is the connection's, calls these methods, as Netty requires.
 */
final class SseTransport implements Transport {
  private static final String HEARTBEAT = ": ping\n\n";

  private final HttpServerResponse response;
  /** Sized for the usual one to three channels: every open stream keeps it. */
  private final Map<String, String> offsets = new LinkedHashMap<>(4);

  private final Map<String, String> resumedFrom;
  private final SendQueueGuard sendQueue;
  private final HttpConnection connection;
  private final SharedEvents shared;
  /**
   * The HTTP encoder's context in an HTTP/1.1 connection's pipeline; null: every write goes
   * through Vert.x's response.
   */
  private final ChannelHandlerContext pipeline;

  private Runnable onSlowConsumer = () -> close(CloseCode.TOO_MANY);

  // Kept here rather than asked of the response on every event: its headWritten(), ended() and
  // closed() each take the connection's lock. Only this transport ends the response (close()),
  // and a closed connection shows as an inactive channel.
  private boolean streaming;
  private boolean ended;

  SseTransport(
      HttpServerResponse response,
      HttpConnection connection,
      Map<String, String> resumedFrom,
      Vertx vertx,
      LimitsConfig limits,
      SharedEvents shared,
      ChannelHandlerContext pipeline) {
    this.response = response;
    this.connection = connection;
    this.shared = shared;
    this.pipeline = pipeline;
    this.resumedFrom = resumedFrom;
    this.sendQueue = new SendQueueGuard(
        vertx,
        limits.sendQueueBytes(),
        limits.slowConsumerMs(),
        // checked after every write: the channel's writability is what Vert.x's synchronized
        // writeQueueFull reports in strict thread mode (setWriteQueueMaxSize sets its watermarks)
        pipeline != null ? () -> !pipeline.channel().isWritable() : response::writeQueueFull,
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
    List<OutboundMessage> messages = batch.messages();
    String channel = batch.last().channel(); // a batch holds one channel's messages
    if (writesDirectly() && offsets.size() == 1 && offsets.containsKey(channel)) {
      // the token names this channel's offset alone: the same bytes as every such stream's
      offsets.put(channel, batch.last().offset());
      writeChunk(shared.ofOneChannel(batch).duplicate());
      return;
    }
    ByteBuf[] parts = new ByteBuf[messages.size() * 2];
    for (int i = 0; i < messages.size(); i++) {
      OutboundMessage message = messages.get(i);
      offsets.put(message.channel(), message.offset());
      parts[2 * i] = utf8(SharedEvents.idLine(ResumeToken.encode(offsets)));
      parts[2 * i + 1] = shared.tail(batch, i).duplicate();
    }
    write(parts);
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
      ended = true;
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
    ended = true;
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
    write(utf8(text));
  }

  private void write(ByteBuf... parts) {
    if (writesDirectly()) {
      writeChunk(HttpChunk.of(parts));
    } else if (!response.ended() && !response.closed()) {
      // before the head (a heartbeat of a stream not started yet), or not HTTP/1.1
      response.write(BufferInternal.buffer(Unpooled.wrappedBuffer(parts)));
      // the queued size is not exposed for responses: only the grace period applies
      sendQueue.wrote(0);
    }
  }

  /** Writes a framed chunk below the HTTP encoder, which would frame it again. */
  private void writeChunk(ByteBuf chunk) {
    if (ended) {
      return;
    }
    if (pipeline.channel().isActive()) {
      pipeline.writeAndFlush(chunk, pipeline.voidPromise());
    }
    sendQueue.wrote(0);
  }

  /** Whether events go below the encoder: the head is out (it stays out) and this is HTTP/1.1. */
  private boolean writesDirectly() {
    if (!streaming && pipeline != null && !ended) {
      streaming = response.headWritten();
    }
    return streaming;
  }

  private static ByteBuf utf8(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether events go straight to the pipeline; tests check it on live streams. */
  boolean writesToPipeline() {
    return pipeline != null;
  }
}

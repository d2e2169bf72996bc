package io.switchboard.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.broker.StreamPosition;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import io.switchboard.hub.PresenceEvent;
import io.switchboard.hub.Session;
import io.switchboard.hub.Transport;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.transport.SendQueueGuard;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A session's WebSocket: text frames, several messages per frame when the client opted in.
 *
 * <p>Frames are written straight to the socket's Netty pipeline rather than through
 * {@code writeTextMessage}, for the fan-out path's costs that grow with subscribers: Vert.x would
 * UTF-8 encode the same text once per socket, Netty's frame encoder build a frame object and header
 * once per socket, and Vert.x flush (one syscall) after every frame. Here every socket writes a
 * duplicate of the wire frame built once per node
 * ({@link io.switchboard.protocol.WebSocketTextFrame WebSocketTextFrame}: a {@code ByteBuf}, which
 * the frame encoder passes on untouched), and the messages one hub pass delivers to a socket leave
 * in one flush. Every frame of the session goes this way (close aside), so replies and messages
 * keep their order. Only the hub's event loop, which is the socket's, calls these methods, as Netty
 * requires.
 *
 * <p>Besides what the hub sends through {@link Transport}, the WebSocket layer (the endpoint and
 * the {@link FrameDispatcher}) writes the frames only a WebSocket has with {@link #sendFrame}:
 * replies, errors, the welcome.
 */
final class WsTransport implements Transport {
  private final ServerWebSocket socket;
  private final ChannelHandlerContext pipelineContext;
  private final boolean batching;
  private final SendQueueGuard sendQueue;
  // set once close() ran: Vert.x reports the socket closed only when the close handshake ends,
  // which a peer that stopped reading never completes
  private boolean closing;
  private Runnable onSlowConsumer = () -> close(CloseCode.TOO_MANY);

  WsTransport(ServerWebSocket socket, boolean batching, Vertx vertx, LimitsConfig limits) {
    this.socket = socket;
    // the public internal API Vert.x offers integrations for reaching the Netty pipeline
    this.pipelineContext = ((WebSocketInternal) socket).channelHandlerContext();
    this.batching = batching;
    this.sendQueue = new SendQueueGuard(
        vertx,
        limits.sendQueueBytes(),
        limits.slowConsumerMs(),
        () -> !pipelineContext.channel().isWritable(),
        () -> onSlowConsumer.run());
    if (sendQueue.enabled()) {
      // Netty's writability follows the queue: unwritable above sendQueueBytes, writable again
      // below half of it
      long high = Math.min(Integer.MAX_VALUE, limits.sendQueueBytes());
      pipelineContext
          .channel()
          .config()
          .setWriteBufferWaterMark(new WriteBufferWaterMark((int) (high / 2), (int) high));
    }
  }

  /**
   * The WebSocket side of a session the WebSocket layer handles: every such session was opened by
   * {@link WsEndpoint} with a WsTransport.
   */
  static WsTransport of(Session session) {
    return (WsTransport) session.transport();
  }

  ServerWebSocket socket() {
    return socket;
  }

  /** What to do with a peer that stopped reading: the hub closes its session with 4429. */
  void onSlowConsumer(Runnable action) {
    this.onSlowConsumer = action;
  }

  /** Called after every write: a peer that stopped reading is closed with 4429. */
  private void checkQueue() {
    if (sendQueue.enabled()) {
      ChannelOutboundBuffer queue = pipelineContext.channel().unsafe().outboundBuffer();
      sendQueue.wrote(queue == null ? 0 : queue.totalPendingWriteBytes());
    }
  }

  /** A reply, error, welcome or ping: a frame only a WebSocket has. */
  void sendFrame(String frame) {
    if (open()) {
      pipelineContext.writeAndFlush(
          new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8))),
          pipelineContext.voidPromise());
      checkQueue();
    }
  }

  @Override
  public void sendPresence(PresenceEvent event) {
    sendFrame(event.frame());
  }

  @Override
  public void sendGap(String channel, StreamPosition lastSent) {
    sendFrame(ServerFrames.gap(channel, lastSent.encode()));
  }

  @Override
  public void sendMessages(MessageBatch batch) {
    if (!open()) {
      return;
    }
    List<OutboundMessage> messages = batch.messages();
    if (batching || messages.size() == 1) {
      // one frame: one trip down the pipeline
      pipelineContext.writeAndFlush(
          (batching ? batch.joinedFrames() : messages.get(0).wsWireFrame()).duplicate(),
          pipelineContext.voidPromise());
    } else {
      for (OutboundMessage message : messages) {
        pipelineContext.write(message.wsWireFrame().duplicate(), pipelineContext.voidPromise());
      }
      pipelineContext.flush();
    }
    checkQueue();
  }

  @Override
  public void sendHeartbeat() {
    sendFrame(ServerFrames.PING);
  }

  @Override
  public void close(CloseCode code) {
    closing = true;
    sendQueue.cancel();
    if (!socket.isClosed()) {
      socket.close(code.code(), code.reason());
    }
  }

  @Override
  public boolean reportsLiveness() {
    return true;
  }

  @Override
  public String kind() {
    return "ws";
  }

  @Override
  public String remoteAddress() {
    return socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress();
  }

  private boolean open() {
    return !closing && !socket.isClosed() && pipelineContext.channel().isActive();
  }
}

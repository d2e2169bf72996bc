package io.switchboard.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import io.switchboard.hub.Transport;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ServerFrames;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A session's WebSocket: text frames, several messages per frame when the client opted in.
 *
 * <p>Frames are written straight to the socket's Netty pipeline rather than through
 * {@code writeTextMessage}, for the fan-out path's two costs that grow with subscribers: Vert.x
 * would UTF-8 encode the same text once per socket, and flush (one syscall) after every frame. Here
 * every socket writes a duplicate of the bytes encoded once per node, and the messages one hub pass
 * delivers to a socket leave in one flush. Every frame of the session goes this way (close aside),
 * so replies and messages keep their order. Only the hub's event loop, which is the socket's, calls
 * these methods, as Netty requires.
 */
final class WsTransport implements Transport {
  private final ServerWebSocket socket;
  private final ChannelHandlerContext channel;
  private final boolean batching;

  WsTransport(ServerWebSocket socket, boolean batching) {
    this.socket = socket;
    // the public internal API Vert.x offers integrations for reaching the Netty pipeline
    this.channel = ((WebSocketInternal) socket).channelHandlerContext();
    this.batching = batching;
  }

  @Override
  public void sendFrame(String frame) {
    if (open()) {
      channel.writeAndFlush(new TextWebSocketFrame(
          Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8))), channel.voidPromise());
    }
  }

  @Override
  public void sendSubscribed(Long requestId, String channelName, String offset, Boolean recovered) {
    sendFrame(ServerFrames.ack(requestId, channelName, offset, recovered));
  }

  @Override
  public void sendEvent(String type, String frame) {
    sendFrame(frame);
  }

  @Override
  public void sendMessages(MessageBatch batch) {
    if (!open()) {
      return;
    }
    List<OutboundMessage> messages = batch.messages();
    if (batching || messages.size() == 1) {
      // one frame: one trip down the pipeline
      channel.writeAndFlush(frameOf(batching ? batch.joinedFrames()
          : messages.get(0).wsFrameBytes()), channel.voidPromise());
      return;
    }
    for (OutboundMessage message : messages) {
      channel.write(frameOf(message.wsFrameBytes()), channel.voidPromise());
    }
    channel.flush();
  }

  private static TextWebSocketFrame frameOf(ByteBuf shared) {
    return new TextWebSocketFrame(shared.duplicate());
  }

  @Override
  public void sendHeartbeat() {
    sendFrame(ServerFrames.PING);
  }

  @Override
  public void close(CloseCode code) {
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

  private boolean open() {
    return !socket.isClosed() && channel.channel().isActive();
  }
}

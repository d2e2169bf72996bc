package io.switchboard.transport.ws;

import io.switchboard.hub.MessageBatch;
import io.switchboard.hub.OutboundMessage;
import io.switchboard.hub.Transport;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ServerFrames;
import io.vertx.core.http.ServerWebSocket;

/** A session's WebSocket: text frames, several messages per frame when the client opted in. */
final class WsTransport implements Transport {
  private final ServerWebSocket socket;
  private final boolean batching;

  WsTransport(ServerWebSocket socket, boolean batching) {
    this.socket = socket;
    this.batching = batching;
  }

  @Override
  public void sendFrame(String frame) {
    // writes after a close fail their (ignored) future; nothing else to do for a gone peer
    if (!socket.isClosed()) {
      socket.writeTextMessage(frame);
    }
  }

  @Override
  public void sendSubscribed(Long requestId, String channel, String offset, Boolean recovered) {
    sendFrame(ServerFrames.ack(requestId, channel, offset, recovered));
  }

  @Override
  public void sendEvent(String type, String frame) {
    sendFrame(frame);
  }

  @Override
  public void sendMessages(MessageBatch batch) {
    if (socket.isClosed()) {
      return;
    }
    if (batching) {
      socket.writeTextMessage(batch.joinedFrames());
      return;
    }
    for (OutboundMessage message : batch.messages()) {
      socket.writeTextMessage(message.wsFrame());
    }
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
}

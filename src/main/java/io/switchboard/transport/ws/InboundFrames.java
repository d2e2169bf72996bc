package io.switchboard.transport.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Puts two of Netty's WebSocket handlers in front of Vert.x's on a connection's pipeline, so every
 * text message reaches us whole and as valid UTF-8.
 *
 * <p>Why: Vert.x performs the upgrade without Netty's {@code WebSocketServerProtocolHandler},
 * which would add both, and its own handling falls short for hostile input:
 * <ul>
 *   <li>it decodes text with replacement, so a frame that is not UTF-8 (an overlong NUL, an encoded
 *       surrogate) reached us as valid-looking text and was published changed. RFC 6455 section
 *       8.1 says to fail such a connection: Netty's {@link Utf8FrameValidator} reports it (also
 *       when split across fragments) to the socket's exception handler as a
 *       {@code CorruptedWebSocketFrameException} with status 1007, and WsEndpoint closes with 1007;
 *   <li>its aggregation of a fragmented message fails with an IndexOutOfBoundsException, logged as
 *       an unhandled ERROR, when the first fragment is empty, and the message is lost. Netty's
 *       {@link WebSocketFrameAggregator} joins the fragments first (unfragmented frames pass
 *       untouched), and reports a message over {@code maxMessageBytes} as a
 *       {@code TooLongFrameException}, which WsEndpoint closes with 1009.
 * </ul>
 * {@code BadFrameTest} fails if an upgrade of Vert.x makes this a no-op. The cost is one pass over
 * each inbound text frame's bytes.
 */
final class InboundFrames {
  private InboundFrames() {}

  /** Call on the socket's event loop as it connects, before any frame is read. */
  static void install(ServerWebSocket socket, int maxMessageBytes) {
    ChannelHandlerContext vertx = ((WebSocketInternal) socket).channelHandlerContext();
    ChannelPipeline pipeline = vertx.pipeline();
    // false: report to the socket, which closes with our reason, rather than close here
    pipeline.addBefore(vertx.name(), "switchboardUtf8", new Utf8FrameValidator(false));
    pipeline.addBefore(vertx.name(), "switchboardAggregator",
        new WebSocketFrameAggregator(maxMessageBytes));
  }
}

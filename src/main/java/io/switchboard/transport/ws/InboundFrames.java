package io.switchboard.transport.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.switchboard.protocol.CloseCode;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.function.Consumer;

/**
 * Puts three handlers in front of Vert.x's on a WebSocket connection's pipeline, so every text
 * message reaches us whole and as valid UTF-8, and a refused frame closes the connection with the
 * code that says why.
 *
 * <p>Why: Vert.x performs the upgrade without Netty's {@code WebSocketServerProtocolHandler},
 * which would add the first two, and its own handling falls short for hostile input:
 * <ul>
 *   <li>it decodes text with replacement, so a frame that is not UTF-8 (an overlong NUL, an encoded
 *       surrogate) reached us as valid-looking text and was published changed. RFC 6455 section
 *       8.1 says to fail such a connection: Netty's {@link Utf8FrameValidator} reports it, also
 *       when split across fragments, as a {@code CorruptedWebSocketFrameException} (1007);
 *   <li>its aggregation of a fragmented message fails with an IndexOutOfBoundsException, logged as
 *       an unhandled ERROR, when the first fragment is empty, and the message is lost. Netty's
 *       {@link WebSocketFrameAggregator} joins the fragments first (unfragmented frames pass
 *       untouched) and reports a message over {@code maxMessageBytes} (1009);
 *   <li>on any such exception it closes the TCP connection at once. With the rest of an oversized
 *       frame still arriving, the kernel then resets the connection and the client loses the
 *       close frame (it sees 1006, not 1009). {@link Violations} takes the exceptions of the
 *       decoder and of the two handlers instead, and closes with our code through the session,
 *       so Vert.x's close handshake runs (it waits {@code webSocketClosingTimeout}, 1 s, for
 *       the client's answer, then drops the connection; see Node).
 * </ul>
 * {@code CloseCodeTest} fails if an upgrade of Vert.x makes this a no-op. The cost is one pass over
 * each inbound text frame's bytes.
 */
final class InboundFrames {
  private InboundFrames() {}

  /**
   * Call on the socket's event loop as it connects, before any frame is read.
   *
   * @param violation closes the session with the code; called on the socket's event loop
   */
  static void install(ServerWebSocket socket, int maxMessageBytes, Consumer<CloseCode> violation) {
    ChannelHandlerContext vertx = ((WebSocketInternal) socket).channelHandlerContext();
    ChannelPipeline pipeline = vertx.pipeline();
    // false: report to the pipeline, where Violations closes with our reason
    pipeline.addBefore(vertx.name(), "switchboardUtf8", new Utf8FrameValidator(false));
    pipeline.addBefore(
        vertx.name(), "switchboardAggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.addBefore(vertx.name(), "switchboardViolations", new Violations(violation));
  }

  /** Turns the frame refusals of the handlers before it into a close with the matching code. */
  private static final class Violations extends ChannelInboundHandlerAdapter {
    private final Consumer<CloseCode> violation;

    Violations(Consumer<CloseCode> violation) {
      this.violation = violation;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      CloseCode code = closeCode(cause);
      if (code == null) {
        ctx.fireExceptionCaught(cause);
      } else {
        violation.accept(code);
      }
    }

    /**
     * A frame over maxWebSocketFrameSize (Netty's decoder) or a message over the aggregator's
     * limit: 1009; text that is not UTF-8: 1007; another violation of RFC 6455 the decoder
     * refused (a continuation that continues nothing, a bad opcode): 1002; null for the rest.
     */
    private static CloseCode closeCode(Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException corrupted) {
        int status = corrupted.closeStatus().code();
        if (status == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
          return CloseCode.TOO_BIG;
        }
        return status == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()
            ? CloseCode.INVALID_TEXT
            : CloseCode.PROTOCOL_ERROR;
      }
      return cause instanceof TooLongFrameException ? CloseCode.TOO_BIG : null;
    }
  }
}
